"""The nightly policy matching (政策找企业): verdicts, reasons, facts missing, amounts, idempotent set-based writes."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings

from enterprises.models import EnterpriseYearFact
from programs.models import BenefitMatch, SubsidyRule
from programs.selectors import unclaimed_matches_for
from programs.services.benefits import benefit_application_submit, benefit_application_transition
from programs.services.matching import match_all
from tests.programs.conftest import LISTED, ON_BOARD
from zjtx.errors import DomainError

DAY = date(2026, 3, 1)
WRITERS = [
    pytest.param("copy", marks=pytest.mark.skipif(not settings.USES_POSTGRES, reason="COPY needs PostgreSQL")),
    "orm",
]


@pytest.fixture
def firms(certified, make_enterprise):
    return SimpleNamespace(
        maker=certified(industry="C"),
        software=certified(industry="I"),
        untiered=make_enterprise("110108", industry="C"),
        chongqing=certified(district="500112"),
        on_board=certified(**ON_BOARD),
        listed=certified(**LISTED),
    )


def verdicts(**filters):
    return {
        (m.enterprise_id, m.measure.clause): m for m in BenefitMatch.objects.filter(**filters).select_related("measure")
    }


@pytest.mark.parametrize("writer", WRITERS)
def test_each_pair_of_the_region_gets_its_verdict_reasons_and_amount(firms, measure, writer):
    run = match_all(DAY, writer=writer)
    found = verdicts()
    assert run.measures == 9  # the Beijing measures with a rule; Chongqing's plan ended on 2025-12-31
    assert run.enterprises == 6 and run.pairs == 5 * 9 == len(found) == run.created
    assert not any(e == firms.chongqing.pk for e, _c in found)  # another region: not stored
    assert found[(firms.maker.pk, "五.2")].verdict == "qualifies"
    software = found[(firms.software.pk, "五.2")]
    assert software.verdict == "does_not" and [r["kind"] for r in software.reasons] == ["industry_excluded"]
    untiered = found[(firms.untiered.pk, "五.3")]
    # Stored without the day (the run's), so the row is not rewritten every night.
    assert untiered.reasons == [{"kind": "tier_not_held", "params": {"tiers": "little_giant, srdi_sme"}}]
    market = found[(firms.maker.pk, "六.2")]
    assert market.verdict == "does_not" and market.reasons[0]["kind"] == "not_for_enterprises"
    # Amounts where the rule needs no input the facts cannot give: the maximum of a fixed cap.
    assert found[(firms.on_board.pk, "六.1")].amount == Decimal("300000.00")
    assert found[(firms.listed.pk, "六.5")].amount == Decimal("3000000.00")
    assert found[(firms.maker.pk, "五.3")].amount is None  # 30% of a contract value nobody knows yet
    assert found[(firms.maker.pk, "六.1")].reasons[0]["kind"] == "condition_not_met"
    assert {m.since for m in found.values()} == {DAY}
    assert run.qualifies + run.does_not + run.cannot_tell == run.pairs


@pytest.mark.parametrize("writer", WRITERS)
def test_a_rerun_writes_nothing_and_a_change_rewrites_only_its_rows(users, firms, measure, writer):
    match_all(DAY, writer=writer)
    before = {k: (m.pk, m.verdict, m.amount, m.since) for k, m in verdicts().items()}
    again = match_all(DAY, writer=writer)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert {k: (m.pk, m.verdict, m.amount, m.since) for k, m in verdicts().items()} == before

    # The listed firm is granted 1,000,000 of its 3,000,000: only its 六.5 amount changes, the verdict stays.
    app = benefit_application_submit(
        actor=users.staff_bj, enterprise=firms.listed, measure=measure("六.5"),
        inputs={"requested_amount": "1000000"}, basis_date=DAY,
    )  # fmt: skip
    benefit_application_transition(actor=users.official_bj, application_id=app.pk, action="approve")
    next_day = DAY + timedelta(days=1)
    run = match_all(next_day, writer=writer)
    assert (run.created, run.updated, run.removed) == (0, 1, 0)
    listed = verdicts()[(firms.listed.pk, "六.5")]
    assert listed.amount == Decimal("2000000.00") and listed.since == DAY  # same verdict since the first night


@pytest.mark.parametrize("writer", WRITERS)
def test_facts_missing_make_cannot_tell_and_refuse_the_application(users, firms, measure, writer):
    patents = measure("七.3")
    patents.conditions = [{"fact": "invention_patents", "op": "at_least", "value": 1}]
    patents.save()
    EnterpriseYearFact.objects.create(enterprise=firms.maker, year=2025, revenue=Decimal("9000000"))
    EnterpriseYearFact.objects.create(enterprise=firms.software, year=2025, invention_patents=2)
    EnterpriseYearFact.objects.create(enterprise=firms.on_board, year=2025, invention_patents=0)
    run = match_all(DAY, writer=writer)
    found = verdicts(measure=patents)
    maker = found[(firms.maker.pk, "七.3")]
    assert maker.verdict == "cannot_tell" and maker.missing == ["invention_patents"] and maker.reasons == []
    assert found[(firms.listed.pk, "七.3")].missing == ["invention_patents"]  # no 2025 figures at all
    assert found[(firms.software.pk, "七.3")].verdict == "qualifies"
    assert found[(firms.on_board.pk, "七.3")].reasons[0]["params"]["actual"] == "0"
    assert run.cannot_tell == 2
    with pytest.raises(DomainError) as raised:
        benefit_application_submit(
            actor=users.staff_bj, enterprise=firms.maker, measure=patents, inputs={"fees_payable": "8000"},
            basis_date=DAY,
        )  # fmt: skip
    assert raised.value.code == "facts_missing" and "invention patents (last year)" in raised.value.message


def test_an_amount_is_estimated_where_the_rule_reads_a_fact(users, firms, measure):
    standards = measure("九.2")  # 首都标准化战略补助: funding, no amount in the text; a rule for this test
    SubsidyRule.objects.create(
        code="test-rd-share", measure=standards, name="测试", kind="share_with_cap",
        params={"base": "rd_expense", "rate": "0.10", "cap": "500000"}, effective_from=date(2023, 6, 13),
        clause="测试",
    )  # fmt: skip
    EnterpriseYearFact.objects.create(enterprise=firms.maker, year=2025, rd_expense=Decimal("1234567.80"))
    EnterpriseYearFact.objects.create(enterprise=firms.software, year=2024, rd_expense=Decimal("100"))
    run = match_all(DAY)
    found = verdicts(measure=standards)
    maker = found[(firms.maker.pk, "九.2")]
    assert (maker.amount, maker.inputs) == (Decimal("123456.78"), {"rd_expense": "1234567.80"})
    software = found[(firms.software.pk, "九.2")]
    assert software.verdict == "qualifies" and software.amount is None  # last year's figure is not known
    assert run.measures == 10


def test_rows_of_a_measure_no_longer_in_force_go(firms, measure):
    match_all(DAY)
    assert BenefitMatch.objects.filter(measure=measure("五.3")).count() == 5
    SubsidyRule.objects.filter(measure=measure("五.3")).update(effective_until=DAY + timedelta(days=1))
    run = match_all(DAY + timedelta(days=1))
    assert not BenefitMatch.objects.filter(measure=measure("五.3")).exists() and run.removed == 5
    assert run.measures == 8


def test_the_unclaimed_list_drops_a_firm_once_it_applies_and_keeps_it_after_a_rejection(users, firms, measure):
    match_all(DAY)
    cloud = measure("五.3")

    def unclaimed(user):
        return {(m.enterprise_id, m.measure_id) for m in unclaimed_matches_for(user)}

    assert (firms.maker.pk, cloud.pk) in unclaimed(users.staff_bj)
    assert unclaimed(users.staff_a) == set()  # Yubei's staff: no Beijing measure is theirs
    app = benefit_application_submit(
        actor=users.staff_bj, enterprise=firms.maker, measure=cloud, inputs={"contract_value": "10"}, basis_date=DAY
    )
    assert (firms.maker.pk, cloud.pk) not in unclaimed(users.staff_bj)
    benefit_application_transition(actor=users.official_bj, application_id=app.pk, action="reject", reason="测试")
    assert (firms.maker.pk, cloud.pk) in unclaimed(users.staff_bj)
    amounts = [m.amount for m in unclaimed_matches_for(users.staff_bj)]
    known = [a for a in amounts if a is not None]
    assert known == sorted(known, reverse=True) and amounts[: len(known)] == known  # largest known first


def test_the_schedule_runs_the_matching_nightly():
    from programs.tasks import match_benefits
    from zjtx.celery import app

    entry = app.conf.beat_schedule["match-benefits"]
    assert entry["task"] == match_benefits.name == "programs.match_benefits"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {15})


def test_a_measure_refuses_conditions_the_check_cannot_read(measure):
    from django.core.exceptions import ValidationError

    board = measure("六.1")
    assert board.conditions == [{"fact": "listing_status", "op": "in", "value": ["regional_equity"]}]  # fixture
    board.conditions = [{"fact": "exports", "op": "is", "value": True}]
    with pytest.raises(ValidationError) as raised:
        board.save()
    assert "unknown fact exports" in str(raised.value.message_dict["conditions"])
    board.conditions = [{"fact": "revenue", "op": "in", "value": ["1"]}]
    with pytest.raises(ValidationError):
        board.full_clean()
