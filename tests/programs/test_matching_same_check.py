"""The nightly matching and the benefit-application check are the same code: over the demo data, every stored
verdict is what submitting an application answers, and every refusal names the same reasons.

The demo is loaded up to the programs (its benefit applications and a first matching); a one-time award is
granted, a condition on last year's invention patents is added to measure 七.3 and some firms' figures are
blanked, so all three verdicts and the limits occur.  Then, for every Beijing firm and every measure matched,
an application is submitted inside a savepoint that is rolled back: a firm that qualifies gets its
application (with the rule's inputs filled in where the match did not know them), one that does not is
refused as not eligible with the reasons stored, one whose facts are missing is refused for them.
Chongqing's firms have no rows (another region) and are refused for the region.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from enterprises.models import Enterprise, EnterpriseYearFact
from programs.benefit_messages import match_reasons
from programs.models import BenefitApplication, BenefitMatch, Measure
from programs.rules import subsidy as engine
from programs.services.benefits import benefit_application_submit, benefit_application_transition
from programs.services.matching import match_all
from reference.services.demo import load_demo_data
from zjtx.errors import DomainError

pytestmark = pytest.mark.django_db


def _submit(actor, enterprise, measure, inputs, day):
    """The application check's answer: "qualifies", or the refusal's code and message; nothing is kept."""
    try:
        with transaction.atomic():
            benefit_application_submit(
                actor=actor, enterprise=enterprise, measure=measure, inputs=inputs, basis_date=day
            )
            transaction.set_rollback(True)
    except DomainError as exc:
        return exc.code, exc.message
    return "qualifies", ""


def _inputs(match: BenefitMatch) -> dict[str, str]:
    """The match's known inputs, and a modest figure for each input the rule needs that the facts did not give."""
    needed = engine.input_names(match.rule.kind, match.rule.params)
    return {**{name: "100000" for name, required in needed.items() if required}, **match.inputs}


def test_the_matching_and_the_application_check_give_the_same_verdicts_on_the_demo(ref):
    load_demo_data(per_district=3, until="programs")
    day = timezone.localdate()
    # An SRDI-board award (one-time) is granted, so its firm has used it.
    board = Measure.objects.get(policy__code="bj-2023-ten-actions", clause="六.1")
    board_award = BenefitApplication.objects.filter(measure=board, status="submitted").first()
    if board_award is None:
        firm = BenefitMatch.objects.filter(measure=board, verdict="qualifies").first().enterprise
        board_award = benefit_application_submit(
            actor=User.objects.get(username="admin"), enterprise=firm, measure=board, inputs={}, basis_date=day
        )
    benefit_application_transition(
        actor=User.objects.get(username="official_bj"), application_id=board_award.pk, action="approve"
    )
    patents = Measure.objects.get(policy__code="bj-2023-ten-actions", clause="七.3")
    patents.conditions = [{"fact": "invention_patents", "op": "at_least", "value": 1}]
    patents.save()
    blanked = list(Enterprise.objects.filter(district__code="110108").order_by("pk")[::3])
    EnterpriseYearFact.objects.filter(enterprise__in=blanked, year=day.year - 1).update(invention_patents=None)
    run = match_all(day)

    staff = {u.district_id: u for u in User.objects.filter(role="district_staff")}
    matches = list(BenefitMatch.objects.select_related("enterprise", "measure", "rule").order_by("pk"))
    seen = {v: 0 for v in ("qualifies", "does_not", "cannot_tell")}
    for match in matches:
        enterprise = match.enterprise
        # The district's own staff apply (the demo has staff in three districts; the others get one here).
        actor = staff.get(enterprise.district_id) or User.objects.create(
            username=f"staff_{enterprise.district.code}", role="district_staff", district=enterprise.district
        )
        staff[enterprise.district_id] = actor
        code, message = _submit(actor, enterprise, match.measure, _inputs(match), day)
        seen[match.verdict] += 1
        if match.verdict == "qualifies":
            assert code == "qualifies", (enterprise.name, match.measure.clause, message)
        elif match.verdict == "does_not":
            assert code == "not_eligible", (enterprise.name, match.measure.clause, code)
            for reason in match_reasons(match.reasons, day=day):
                assert reason in message, (match.measure.clause, reason, message)
        else:
            assert code == "facts_missing" and match.missing == ["invention_patents"], (code, match.missing)
    assert all(seen.values()), seen  # every verdict occurred
    used = BenefitMatch.objects.get(enterprise=board_award.enterprise, measure=board_award.measure)
    assert used.verdict == "does_not" and used.reasons[0]["kind"] == "one_time_used"
    assert seen["cannot_tell"] == run.cannot_tell and len(matches) == run.pairs

    # Chongqing's firms: no rows for Beijing's measures, and the application check refuses them for the region.
    board = Measure.objects.get(policy__code="bj-2023-ten-actions", clause="五.3")
    yubei = Enterprise.objects.filter(district__code="500112").first()
    assert not BenefitMatch.objects.filter(enterprise__district__jurisdiction__code="500000").exists()
    code, message = _submit(User.objects.get(username="staff_yubei"), yubei, board, {"contract_value": "100000"}, day)
    assert code == "not_eligible" and "the policy applies in 110000" in message
    # The amounts the matching knew are the amounts the application is quoted.
    for match in [m for m in matches if m.amount is not None][:5]:
        application = benefit_application_submit(
            actor=staff[match.enterprise.district_id], enterprise=match.enterprise, measure=match.measure,
            inputs=match.inputs, basis_date=day,
        )  # fmt: skip
        assert application.amount == match.amount > Decimal(0)
