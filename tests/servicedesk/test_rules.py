"""The service desk's pure rules: the demand state machine, overdue, the visit interval, dates."""

from datetime import date

import pytest

from servicedesk.rules import demands as rules
from servicedesk.rules.demands import DemandStatus as D
from zjtx.rules.transitions import TransitionError

TODAY = date(2026, 3, 10)


def move(current, action, role="district_staff", **kw):
    return rules.check_demand_transition(current=current, action=action, role=role, **kw).target


def test_the_happy_path_and_reopening():
    assert move(D.OPEN, "assign", unit="cq-econ-info") == D.ASSIGNED
    assert move(D.ASSIGNED, "start") == D.IN_PROGRESS
    assert move(D.IN_PROGRESS, "resolve", note="已协调用地指标") == D.RESOLVED
    assert move(D.RESOLVED, "close", satisfaction="satisfied") == D.CLOSED
    assert move(D.CLOSED, "reopen", note="问题复发") == D.REOPENED
    assert move(D.RESOLVED, "reopen", note="企业不认可") == D.REOPENED
    assert move(D.REOPENED, "start") == D.IN_PROGRESS
    assert move(D.REOPENED, "assign", unit="cq-districts") == D.ASSIGNED


@pytest.mark.parametrize(
    ("current", "action", "kw", "kind"),
    [
        (D.OPEN, "start", {}, "wrong_state"),
        (D.OPEN, "resolve", {"note": "x"}, "wrong_state"),
        (D.ASSIGNED, "close", {"satisfaction": "satisfied"}, "wrong_state"),
        (D.CLOSED, "assign", {"unit": "x"}, "wrong_state"),
        (D.IN_PROGRESS, "reopen", {"note": "x"}, "wrong_state"),
        (D.OPEN, "assign", {}, "needs_unit"),
        (D.IN_PROGRESS, "resolve", {"note": "  "}, "needs_reason"),
        (D.RESOLVED, "reopen", {}, "needs_reason"),
        (D.RESOLVED, "close", {}, "needs_satisfaction"),
        (D.RESOLVED, "close", {"satisfaction": "delighted"}, "needs_satisfaction"),
        (D.ASSIGNED, "start", {"satisfaction": "satisfied"}, "satisfaction_only_on_close"),
        (D.OPEN, "approve", {}, "unknown_action"),
    ],
)
def test_refusals_name_their_reason(current, action, kw, kind):
    with pytest.raises(TransitionError) as caught:
        move(current, action, **kw)
    assert caught.value.kind == kind


def test_officials_route_and_report_but_only_the_district_speaks_for_the_enterprise():
    official = "municipal_official"
    assert move(D.OPEN, "assign", role=official, unit="cq-finance") == D.ASSIGNED
    assert move(D.ASSIGNED, "start", role=official) == D.IN_PROGRESS
    assert move(D.IN_PROGRESS, "resolve", role=official, note="已放款") == D.RESOLVED
    for action, kw in (("close", {"satisfaction": "satisfied"}), ("reopen", {"note": "x"})):
        with pytest.raises(TransitionError, match="may not"):
            move(D.RESOLVED, action, role=official, **kw)
    with pytest.raises(TransitionError, match="may not"):
        move(D.OPEN, "assign", role="auditor", unit="x")
    assert move(D.RESOLVED, "close", role="", is_superuser=True, satisfaction="unsatisfied") == D.CLOSED


def test_overdue_is_pending_and_past_the_due_date():
    assert rules.is_overdue(D.IN_PROGRESS, date(2026, 3, 9), TODAY)
    assert not rules.is_overdue(D.IN_PROGRESS, TODAY, TODAY)  # due today: not yet
    assert rules.is_overdue(D.REOPENED, date(2026, 1, 1), TODAY)
    assert not rules.is_overdue(D.RESOLVED, date(2026, 1, 1), TODAY)
    assert not rules.is_overdue(D.CLOSED, date(2026, 1, 1), TODAY)
    assert rules.days_overdue(date(2026, 3, 1), TODAY) == 9
    assert rules.days_overdue(date(2026, 3, 20), TODAY) == 0


def test_visit_interval_counts_from_the_last_visit_but_not_before_the_first_specialist():
    first = date(2025, 1, 1)
    assert rules.visit_cutoff(TODAY, 90) == date(2025, 12, 10)
    assert not rules.is_visit_due(
        last_visited_on=date(2025, 12, 10), first_assigned_on=first, today=TODAY, interval_days=90
    )
    assert rules.is_visit_due(last_visited_on=date(2025, 12, 9), first_assigned_on=first, today=TODAY, interval_days=90)
    # Never visited: the clock runs from the first specialist.
    assert rules.is_visit_due(last_visited_on=None, first_assigned_on=first, today=TODAY, interval_days=90)
    assert not rules.is_visit_due(
        last_visited_on=None, first_assigned_on=date(2026, 3, 1), today=TODAY, interval_days=90
    )
    # Visited long before the desk took it on: the wait counts from the first specialist.
    assert not rules.is_visit_due(
        last_visited_on=date(2025, 1, 1), first_assigned_on=date(2026, 3, 1), today=TODAY, interval_days=90
    )
    assert rules.visit_clock(last_visited_on=date(2025, 1, 1), first_assigned_on=date(2026, 3, 1)) == date(2026, 3, 1)
    with pytest.raises(ValueError):
        rules.visit_cutoff(TODAY, 0)


def test_dates_of_visits_and_demands():
    rules.check_visit_dates(visited_on=TODAY, follow_up_on=TODAY, today=TODAY)
    with pytest.raises(TransitionError, match="before it happens"):
        rules.check_visit_dates(visited_on=date(2026, 3, 11), follow_up_on=None, today=TODAY)
    with pytest.raises(TransitionError, match="follow-up"):
        rules.check_visit_dates(visited_on=TODAY, follow_up_on=date(2026, 3, 9), today=TODAY)
    rules.check_demand_dates(raised_on=TODAY, due_on=TODAY, today=TODAY)
    with pytest.raises(TransitionError) as caught:
        rules.check_demand_dates(raised_on=TODAY, due_on=date(2026, 3, 9), today=TODAY)
    assert caught.value.kind == "due_before_raised"
