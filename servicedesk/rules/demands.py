"""The 一企一策一人 service desk as pure rules: the demand state machine, overdue, the visit interval.

A demand (诉求) an enterprise raises is open until it is routed (assigned) to
the responsible unit, which works on it (in progress) and resolves it; the
district's specialist then closes it with the enterprise's satisfaction, or
reopens it when the enterprise says the problem is not solved.  Resolved and
closed demands can be reopened.

District staff take every step.  Municipal officials may route demands and
report progress and resolution for the municipal units (the plan's section
三(二): 市经济信息委 splits problems out to the departments), but closing and
reopening speak for the enterprise, so only its district does them.
"""

from __future__ import annotations

from datetime import date, timedelta

from zjtx.rules.transitions import DISTRICT, OFFICIAL, Transition, TransitionError, check


class ServiceDeskError(TransitionError):
    """A service-desk rule broken outside the transition table (dates, units); worded like a TransitionError."""


class DemandStatus:
    OPEN = "open"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"

    # Still waiting for a solution: counted as open, and overdue once past the due date.
    PENDING = frozenset({OPEN, ASSIGNED, IN_PROGRESS, REOPENED})
    DONE = frozenset({RESOLVED, CLOSED})


class Satisfaction:
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"

    ALL = frozenset({SATISFIED, BASICALLY_SATISFIED, UNSATISFIED})


D = DemandStatus
_BOTH = frozenset({DISTRICT, OFFICIAL})
_DISTRICT = frozenset({DISTRICT})

DEMAND_TRANSITIONS: tuple[Transition, ...] = (
    # Routing again (to another unit) is allowed until the demand is resolved.
    Transition("assign", frozenset({D.OPEN, D.ASSIGNED, D.IN_PROGRESS, D.REOPENED}), D.ASSIGNED, _BOTH),
    Transition("start", frozenset({D.ASSIGNED, D.REOPENED}), D.IN_PROGRESS, _BOTH),
    Transition("resolve", frozenset({D.IN_PROGRESS}), D.RESOLVED, _BOTH, needs_reason=True),
    Transition("close", frozenset({D.RESOLVED}), D.CLOSED, _DISTRICT),
    Transition("reopen", frozenset({D.RESOLVED, D.CLOSED}), D.REOPENED, _DISTRICT, needs_reason=True),
)

# The action recorded when a demand is first raised (not a transition of the table).
RAISE = "raise"


def check_demand_transition(
    *,
    current: str,
    action: str,
    role: str,
    is_superuser: bool = False,
    note: str = "",
    unit: str | None = None,
    satisfaction: str | None = None,
) -> Transition:
    """The transition for `action`, or TransitionError: routing needs a unit, closing a satisfaction."""
    t = check(DEMAND_TRANSITIONS, current=current, action=action, role=role, is_superuser=is_superuser, reason=note)
    if action == "assign" and not unit:
        raise ServiceDeskError("needs_unit", "assign needs the responsible unit", action=action)
    if action == "close" and satisfaction not in Satisfaction.ALL:
        raise ServiceDeskError("needs_satisfaction", "close needs the enterprise's satisfaction", action=action)
    if action != "close" and satisfaction:
        raise ServiceDeskError("satisfaction_only_on_close", "satisfaction is given only when closing", action=action)
    return t


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    """Overdue: still pending and the due date has passed (a demand due today is not yet overdue)."""
    return status in D.PENDING and due_on is not None and due_on < today


def days_overdue(due_on: date, today: date) -> int:
    return max(0, (today - due_on).days)


def check_demand_dates(*, raised_on: date, due_on: date, today: date) -> None:
    if raised_on > today:
        raise ServiceDeskError("raised_in_future", "a demand cannot be raised on a day still to come")
    if due_on < raised_on:
        raise ServiceDeskError("due_before_raised", "the due date is before the day the demand was raised")


# --- visits --------------------------------------------------------------------------------


def visit_cutoff(today: date, interval_days: int) -> date:
    """Enterprises whose clock started before this day are due for a visit."""
    if interval_days < 1:
        raise ValueError("the visit interval must be at least one day")
    return today - timedelta(days=interval_days)


def visit_clock(*, last_visited_on: date | None, first_assigned_on: date) -> date:
    """The day from which the wait for a visit counts: the last visit, but never before the first specialist."""
    return max(last_visited_on, first_assigned_on) if last_visited_on is not None else first_assigned_on


def is_visit_due(*, last_visited_on: date | None, first_assigned_on: date, today: date, interval_days: int) -> bool:
    """Due when the enterprise has had a specialist for longer than the interval and no visit within it.

    The clock starts with the enterprise's first specialist (a visit before the
    desk took it on does not make it due at once), and a reassignment does not
    restart it: the enterprise has waited as long as it has waited, whoever now
    serves it.
    """
    since = visit_clock(last_visited_on=last_visited_on, first_assigned_on=first_assigned_on)
    return since < visit_cutoff(today, interval_days)


def check_visit_dates(*, visited_on: date, follow_up_on: date | None, today: date) -> None:
    if visited_on > today:
        raise ServiceDeskError("visit_in_future", "a visit cannot be logged before it happens")
    if follow_up_on is not None and follow_up_on < visited_on:
        raise ServiceDeskError("follow_up_before_visit", "the follow-up date is before the visit")
