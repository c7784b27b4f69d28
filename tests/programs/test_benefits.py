"""Benefit applications through the services: eligibility, the engine's amount, approvals within budget and caps."""

from datetime import date
from decimal import Decimal

import pytest

from programs.models import BenefitApplication, BenefitApplicationTransition
from programs.services.benefits import benefit_application_submit, benefit_application_transition
from programs.services.quoting import quote_subsidy
from tests.programs.conftest import LISTED, ON_BOARD
from zjtx.errors import Conflict, DomainError, NotFound

DAY = date(2025, 3, 1)


def submit(users, enterprise, measure, inputs=None, day=DAY, actor=None):
    return benefit_application_submit(
        actor=actor or users.staff_bj, enterprise=enterprise, measure=measure, inputs=inputs or {}, basis_date=day
    )


def move(users, application, action, actor=None, **kw):
    return benefit_application_transition(
        actor=actor or users.official_bj, application_id=application.pk, action=action, **kw
    )


def test_submit_quotes_with_the_rule_in_force_and_keeps_the_trace(users, certified, measure):
    firm = certified()
    app = submit(users, firm, measure("五.2"), {"contract_value": "6000000"})
    assert app.amount == Decimal("1000000.00") and app.status == "submitted"
    assert app.rule.code == "bj-digital-transformation"
    assert {"step": "cap", "cap": "1000000.00", "before": "1200000.00", "applied": "yes"} in app.trace
    assert BenefitApplicationTransition.objects.get(application=app).to_status == "submitted"


@pytest.mark.parametrize(
    ("clause", "kwargs", "inputs", "day", "expected"),
    [
        ("五.3", {"tier": "innovative_sme"}, {"contract_value": "1"}, DAY, "held none of the tiers"),
        ("八.1", {}, {}, DAY, "held none of the tiers"),  # for national little giants only
        ("五.2", {"industry": "I"}, {"contract_value": "1"}, DAY, "industry sections C"),
        ("六.2", {}, {"annual_direct_financing": "3000000000"}, DAY, "not to enterprises"),
        ("五.3", {"valid_from": date(2023, 1, 1)}, {"contract_value": "1"}, date(2023, 6, 12), "outside the measure"),
        ("五.3", {"valid_from": date(2026, 1, 1)}, {"contract_value": "1"}, DAY, "held none of the tiers"),
    ],
)
def test_ineligible_applications_are_refused_with_the_reason(
    users, certified, measure, clause, kwargs, inputs, day, expected
):
    firm = certified(**kwargs)
    with pytest.raises(DomainError) as raised:
        submit(users, firm, measure(clause), inputs, day=day)
    assert raised.value.code == "not_eligible"
    assert expected in raised.value.message


def test_a_chongqing_firm_cannot_apply_under_a_beijing_measure(users, certified, measure):
    firm = certified(district="500112")
    with pytest.raises(DomainError) as raised:
        submit(users, firm, measure("五.3"), {"contract_value": "1"}, actor=users.staff_a)
    assert "region 500000" in raised.value.message and "110000" in raised.value.message


def test_measures_without_an_amount_and_bad_inputs_are_refused(users, certified, measure):
    firm = certified()
    with pytest.raises(DomainError) as raised:
        submit(users, firm, measure("四.1"))  # 首贷补助: the text sets no amount
    assert raised.value.code == "no_rule"
    with pytest.raises(DomainError) as raised:
        submit(users, firm, measure("五.3"), {"contract_value": "12.345"})
    assert (raised.value.code, raised.value.field) == ("too_precise", "inputs")
    with pytest.raises(DomainError) as raised:
        submit(users, firm, measure("五.3"), {"contract_value": "1"}, day=date(2099, 1, 1))
    assert raised.value.code == "future_date"


def test_only_the_enterprises_district_staff_submit(users, certified, measure):
    firm = certified()
    for outsider in (users.staff_a, users.official_bj, users.progadmin):
        with pytest.raises(NotFound):
            submit(users, firm, measure("五.3"), {"contract_value": "1"}, actor=outsider)


def test_approve_then_pay_and_reject_with_a_reason(users, certified, measure):
    firm = certified()
    app = submit(users, firm, measure("九.1"), {"promotion_cost": "500000"})
    with pytest.raises(DomainError) as raised:
        move(users, app, "approve", actor=users.staff_bj)
    assert "Your role may not approve" in raised.value.message
    with pytest.raises(NotFound):
        move(users, app, "approve", actor=users.official)  # Chongqing's official does not see Beijing's files
    move(users, app, "approve")
    app.refresh_from_db()
    assert (app.status, app.approved_amount) == ("approved", Decimal("150000.00")) and app.decided_at
    move(users, app, "pay")
    app.refresh_from_db()
    assert app.status == "paid" and app.paid_at
    with pytest.raises(DomainError) as raised:
        move(users, app, "reject", reason="迟交")
    assert "only from: Submitted" in raised.value.message
    other = submit(users, firm, measure("九.1"), {"promotion_cost": "1000"})
    with pytest.raises(DomainError) as raised:
        move(users, other, "reject")
    assert "give a reason" in raised.value.message
    move(users, other, "reject", reason="不在品牌榜单")
    assert [t.action for t in other.transitions.all()] == ["submit", "reject"]


def test_an_official_may_grant_less_than_the_rule_allows_but_not_more(users, certified, measure):
    app = submit(users, certified(), measure("九.4"), {"actual_cost": "100000"})  # up to 70%: 70,000
    for bad in (Decimal("70000.01"), Decimal("0")):
        with pytest.raises(DomainError) as raised:
            move(users, app, "approve", amount=bad)
        assert raised.value.field == "amount"
    move(users, app, "approve", amount=Decimal("50000"))
    app.refresh_from_db()
    assert app.approved_amount == Decimal("50000.00")
    assert app.trace[-1] == {"step": "approved_less", "amount": "50000"}


def test_the_budget_of_a_measure_is_not_overspent(users, certified, measure):
    board = measure("六.1")
    board.budget = Decimal("500000")
    board.save()
    first, second = (submit(users, certified(**ON_BOARD), board) for _ in range(2))
    move(users, first, "approve")
    with pytest.raises(Conflict) as raised:
        move(users, second, "approve")
    assert raised.value.code == "over_budget"
    assert "200,000.00 yuan left" in raised.value.message
    second.refresh_from_db()
    assert second.status == "submitted"


def test_the_per_enterprise_cap_holds_across_applications(users, certified, measure):
    firm = certified()
    first_of_kind = measure("一.2")
    apps = [submit(users, firm, first_of_kind, {"award_amount": "20000000"}) for _ in range(3)]
    assert all(a.amount == Decimal("20000000.00") for a in apps)  # nothing approved yet
    move(users, apps[0], "approve")
    move(users, apps[1], "approve")
    apps[1].refresh_from_db()
    assert apps[1].approved_amount == Decimal("10000000.00")  # cut to what is left of 30,000,000
    assert any(s["step"] == "enterprise_cap" and s["applied"] == "yes" for s in apps[1].trace)
    with pytest.raises(Conflict) as raised:
        move(users, apps[2], "approve")
    assert raised.value.code == "nothing_left" and "30,000,000.00" in raised.value.message
    with pytest.raises(DomainError) as raised:
        submit(users, firm, first_of_kind, {"award_amount": "1"})
    # The eligibility check (the same the nightly matching runs) says the limit is used up.
    assert raised.value.code == "not_eligible" and "whole limit of 30,000,000.00 yuan" in raised.value.message


def test_a_one_time_award_is_granted_once(users, certified, measure):
    firm = certified(**ON_BOARD)
    first, second = (submit(users, firm, measure("六.1")) for _ in range(2))
    move(users, first, "approve")
    with pytest.raises(Conflict):
        move(users, second, "approve")
    assert BenefitApplication.objects.filter(enterprise=firm, status="approved").count() == 1


def test_a_quote_for_an_enterprise_counts_its_awards_and_reports_eligibility(users, certified, measure):
    firm = certified(**LISTED)
    move(users, submit(users, firm, measure("六.5"), {"requested_amount": "1000000"}), "approve")
    quote = quote_subsidy(actor=users.staff_bj, measure=measure("六.5"), inputs={}, on=DAY, enterprise=firm)
    assert quote.amount == Decimal("2000000.00") and quote.history.awarded == Decimal("1000000.00")
    assert quote.refusals == []
    assert "1,000,000.00 already awarded" in quote.trace[-2]["text"]
    other = certified(tier="innovative_sme", **LISTED)
    quote = quote_subsidy(actor=users.staff_bj, measure=measure("六.5"), inputs={}, on=DAY, enterprise=other)
    assert quote.amount == Decimal("3000000.00") and "held none of the tiers" in quote.refusals[0]
    with pytest.raises(NotFound):
        quote_subsidy(actor=users.staff_a, measure=measure("六.5"), inputs={}, on=DAY, enterprise=other)
