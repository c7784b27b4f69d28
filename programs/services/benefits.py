"""Benefit applications: district staff submit, municipal officials approve, reject and mark paid.

Submitting checks eligibility with the one check the nightly matching also uses
(programs/services/eligibility.py: region, tier held on the basis date, industry,
period, whom the money is for, the measure's conditions on registry facts, the
rule's one-time and per-enterprise limits) and quotes the amount with the engine.  Approving computes it again:
it locks the measure's row, so approvals under one measure run one at a time
and each sees the money already committed — the budget and the per-enterprise
caps (counted within the measure) cannot be overspent by two approvals racing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from programs import selectors
from programs.benefit_messages import benefit_transition_message, missing_facts_message, refusal_message
from programs.models import BenefitApplication, BenefitApplicationTransition, Measure
from programs.rule_messages import step_text, yuan
from programs.rules import eligibility
from programs.rules import subsidy as engine
from programs.rules.benefits import BENEFIT_TRANSITIONS
from programs.rules.benefits import BenefitStatus as B
from programs.services.eligibility import eligibility_of
from programs.services.quoting import compute, rule_for_day
from zjtx.access import Action, actor_role, can, locked_in_scope
from zjtx.errors import Conflict, DomainError, NotFound
from zjtx.rules import transitions


def _why_nothing(trace: tuple[dict[str, str], ...]) -> str:
    """The steps that brought the amount to nothing (a one-time award taken, a cap used up)."""
    cut = [step_text(s) for s in trace if s.get("applied") == "yes"]
    return " ".join(cut) or step_text(trace[-1])


def check_eligible(enterprise: Enterprise, measure: Measure, day: date) -> None:
    """Refuse, with every reason or the facts missing, unless the enterprise qualifies under the measure on `day`."""
    verdict = eligibility_of(enterprise, measure, day)
    if verdict.status == eligibility.DOES_NOT:
        raise DomainError(
            _("The enterprise cannot apply under this measure: %(reasons)s")
            % {"reasons": " ".join(refusal_message(r) for r in verdict.refusals)},
            code="not_eligible",
        )
    if verdict.status == eligibility.CANNOT_TELL:
        raise DomainError(
            _("Record the missing facts first. %(why)s") % {"why": missing_facts_message(verdict.missing)},
            code="facts_missing",
        )


@transaction.atomic
def benefit_application_submit(
    *,
    actor: Any,
    enterprise: Enterprise,
    measure: Measure,
    inputs: dict[str, Any],
    basis_date: date | None = None,
    note: str = "",
) -> BenefitApplication:
    """District staff apply for an enterprise of their district under a measure, with the rule's inputs."""
    today = timezone.localdate()
    basis_date = basis_date or today
    if not can(actor, Action.CHANGE, enterprise):
        raise NotFound(_("No such enterprise."))
    if actor_role(actor) != transitions.DISTRICT and not getattr(actor, "is_superuser", False):
        raise DomainError(_("Only district service staff submit benefit applications."), code="forbidden_role")
    if basis_date > today:
        raise DomainError(_("The basis date cannot be in the future."), code="future_date", field="basis_date")
    check_eligible(enterprise, measure, basis_date)
    rule = rule_for_day(measure, basis_date)
    quote = compute(rule, inputs, on=basis_date, history=selectors.award_history(enterprise.pk, measure.pk))
    if quote.amount <= 0:
        raise DomainError(
            _("The rule gives nothing for these inputs: %(why)s") % {"why": _why_nothing(quote.trace)},
            code="nothing_to_award",
        )
    application = BenefitApplication.objects.create(
        enterprise=enterprise,
        measure=measure,
        rule=rule,
        basis_date=basis_date,
        inputs=inputs,
        amount=quote.amount,
        trace=list(quote.trace),
        note=note,
        submitted_by=actor,
    )
    BenefitApplicationTransition.objects.create(
        application=application, action="submit", from_status="", to_status=B.SUBMITTED, actor=actor
    )
    return application


@transaction.atomic
def benefit_application_transition(
    *, actor: Any, application_id: int, action: str, reason: str = "", amount: Decimal | None = None
) -> BenefitApplication:
    """Approve (optionally a smaller amount), reject (with a reason) or mark as paid."""
    application = locked_in_scope(
        BenefitApplication.objects.select_related("rule", "rule__measure"),
        actor,
        application_id,
        _("No such benefit application."),
    )
    try:
        t = transitions.check(
            BENEFIT_TRANSITIONS,
            current=application.status,
            action=action,
            role=actor_role(actor),
            is_superuser=bool(getattr(actor, "is_superuser", False)),
            reason=reason,
        )
    except transitions.TransitionError as exc:
        raise DomainError(benefit_transition_message(exc), code="illegal_transition") from exc
    if amount is not None and t.target != B.APPROVED:
        raise DomainError(_("Only an approval takes an amount."), field="amount")
    before = application.status
    now = timezone.now()
    if t.target == B.APPROVED:
        _approve(application, amount)
    if t.target in (B.APPROVED, B.REJECTED):
        application.decided_at = now
    if t.target == B.PAID:
        application.paid_at = now
    application.status = t.target
    application.save()
    BenefitApplicationTransition.objects.create(
        application=application, action=action, from_status=before, to_status=t.target, actor=actor, reason=reason
    )
    return application


def _approve(application: BenefitApplication, amount: Decimal | None) -> None:
    # The lock on the measure's row serialises approvals under the measure; the sums below are read after it.
    measure = Measure.objects.select_for_update().get(pk=application.measure_id)
    history = selectors.award_history(application.enterprise_id, measure.pk)
    quote = compute(application.rule, application.inputs, on=application.basis_date, history=history)
    trace = list(quote.trace)
    granted = quote.amount
    if granted > application.amount:
        # The rule was changed after submission; an approval never exceeds what was applied for.
        granted = application.amount
        trace.append({"step": "applied_for", "amount": f"{granted:f}"})
    if amount is not None:
        if not (0 < amount <= granted) or amount != amount.quantize(engine.FEN):
            raise DomainError(
                _("The approved amount must be above 0 and at most %(max)s yuan, to the fen.")
                % {"max": yuan(f"{granted:f}")},
                code="bad_amount",
                field="amount",
            )
        granted = amount
        trace.append({"step": "approved_less", "amount": f"{granted:f}"})
    if granted <= 0:
        raise Conflict(_("Nothing is left to award: %(why)s") % {"why": _why_nothing(quote.trace)}, code="nothing_left")
    if measure.budget is not None:
        left = measure.budget - selectors.committed_amount(measure.pk)
        if granted > left:
            raise Conflict(
                _(
                    "The budget of measure %(clause)s has %(left)s yuan left; approving %(amount)s yuan would "
                    "overspend it."
                )
                % {
                    "clause": measure.clause,
                    "left": yuan(f"{max(left, Decimal(0)):f}"),
                    "amount": yuan(f"{granted:f}"),
                },
                code="over_budget",
            )
    application.approved_amount = granted
    application.trace = trace
