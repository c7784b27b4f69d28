"""Read queries of the service desk: scoped lists, overdue and visit-due sets, counts per district in SQL.

Functions that take `user=None` work system-wide for jobs that act for nobody
(the daily check, reports built at night); given a user they are scoped like
everything else.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber, TruncDate
from django.utils import timezone

from enterprises.models import Enterprise
from enterprises.selectors import enterprises_for
from programs.models import Measure
from servicedesk.models import Demand, DemandEvent, Notification, ServiceAssignment, ServiceDeskDailyCheck, Visit
from servicedesk.rules import demands as rules
from servicedesk.rules.demands import DemandStatus as D
from zjtx.access import dangerously_unrestricted, restrict

_M = TypeVar("_M", bound=models.Model)


def _scoped(queryset: QuerySet[_M], user: Any) -> QuerySet[_M]:
    return dangerously_unrestricted(queryset) if user is None else restrict(queryset, user)


def package_measures() -> QuerySet[Measure]:
    """The measures of policy packages as they are shown: with their policy, in the documents' order."""
    return Measure.objects.select_related("policy").order_by("policy__code", "sort_order")


def assignments_for(user: Any) -> QuerySet[ServiceAssignment]:
    return restrict(
        ServiceAssignment.objects.select_related(
            "enterprise", "enterprise__district", "specialist", "started_by", "ended_by"
        ).prefetch_related(Prefetch("policy_measures", queryset=package_measures())),
        user,
    )


def visits_for(user: Any) -> QuerySet[Visit]:
    return restrict(Visit.objects.select_related("enterprise", "enterprise__district", "visitor"), user)


def demands_for(user: Any) -> QuerySet[Demand]:
    return restrict(Demand.objects.select_related("enterprise", "enterprise__district", "unit", "raised_by"), user)


def daily_checks_for(user: Any) -> QuerySet[ServiceDeskDailyCheck]:
    return restrict(ServiceDeskDailyCheck.objects.select_related("district"), user)


def enterprises_without_specialist(user: Any) -> QuerySet[Enterprise]:
    active = ServiceAssignment.objects.filter(enterprise=OuterRef("pk"), ended_at__isnull=True)
    return enterprises_for(user).filter(~Exists(active))


# --- overdue demands -----------------------------------------------------------------------


def overdue_q(today: date, prefix: str = "") -> Q:
    """The SQL form of rules.servicedesk.is_overdue."""
    return Q(**{f"{prefix}status__in": D.PENDING, f"{prefix}due_on__lt": today})


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def demand_counts_by_district(
    user: Any = None, *, on: date | None = None, district_id: int | None = None
) -> dict[str, dict[str, int]]:
    """Open, overdue, resolved and closed demands per district code, in one GROUP BY.

    `on` (default today) is the day the counts describe: for a past day each
    demand's status is read from its event log as it stood at the end of that
    day (demands raised later are left out); overdue compares with the demand's
    present due date.  Districts without demands are absent.  `district_id`
    narrows the count to one district (a district's report).

    The rows are grouped by (district, status, overdue) rather than counted with
    one FILTER per figure: the status of a past day is a subquery, and PostgreSQL
    would evaluate it once per FILTER.  The few groups are added up here.
    """
    today = timezone.localdate()
    on = on or today
    qs: QuerySet[Any] = _scoped(Demand.objects.all(), user)
    if district_id is not None:
        qs = qs.filter(enterprise__district_id=district_id)
    if on < today:
        end = _end_of(on)
        status_then = (
            DemandEvent.objects.filter(demand=OuterRef("pk"), at__lt=end).order_by("-at", "-id").values("to_status")[:1]
        )
        qs = qs.filter(created_at__lt=end).annotate(state=Subquery(status_then))
    else:
        qs = qs.annotate(state=F("status"))
    groups = (
        qs.annotate(late=Case(When(due_on__lt=on, then=True), default=False, output_field=BooleanField()))
        .values_list("enterprise__district__code", "state", "late")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for code, state, late, n in groups:  # at most districts × 6 states × 2 rows, already counted in SQL
        row = counts.setdefault(code, {"open": 0, "overdue": 0, "resolved": 0, "closed": 0})
        if state in D.PENDING:
            row["open"] += n
            if late:
                row["overdue"] += n
        elif state == D.RESOLVED:
            row["resolved"] += n
        elif state == D.CLOSED:
            row["closed"] += n
    return dict(sorted(counts.items()))


def _first_per_district(
    queryset: QuerySet[Any], *, order_by: tuple[str, ...], limit: int, fields: tuple[str, ...], **named: Any
) -> list[dict[str, Any]]:
    """The first `limit` rows of each district in `order_by`, as dicts naming their enterprise (one query)."""
    rank = Window(RowNumber(), partition_by=F("enterprise__district_id"), order_by=[F(f).asc() for f in order_by])
    rows: Any = (
        queryset.annotate(rank=rank)
        .filter(rank__lte=limit)
        .values(
            *fields,
            district_id=F("enterprise__district_id"),
            credit_code=F("enterprise__credit_code"),
            enterprise_name=F("enterprise__name"),
            **named,
        )
        .order_by("district_id", *order_by)
    )
    return list(rows)


def overdue_demand_details(*, today: date, limit: int) -> list[dict[str, Any]]:
    """System-wide: the most overdue demands of each district, at most `limit` per district."""
    return _first_per_district(
        dangerously_unrestricted(Demand.objects.filter(overdue_q(today))),
        order_by=("due_on", "id"),
        limit=limit,
        fields=("id", "category", "status", "due_on"),
        unit_code=F("unit__code"),
    )


# --- visits --------------------------------------------------------------------------------


def with_visit_clock(assignments: QuerySet[ServiceAssignment]) -> QuerySet[ServiceAssignment]:
    """Annotate the enterprise's last visit, its first specialist's start, and the day its visit clock started."""
    if "visit_clock" in assignments.query.annotations:
        return assignments
    last_visit = (
        Visit.objects.filter(enterprise=OuterRef("enterprise")).order_by("-visited_on").values("visited_on")[:1]
    )
    first_assigned = (
        ServiceAssignment.objects.filter(enterprise=OuterRef("enterprise"))
        .order_by("started_at")
        .annotate(day=TruncDate("started_at"))
        .values("day")[:1]
    )
    return assignments.annotate(
        last_visited_on=Subquery(last_visit, output_field=DateField()),
        first_assigned_on=Subquery(first_assigned, output_field=DateField()),
    ).annotate(  # rules.servicedesk.visit_clock; Greatest of a NULL is NULL on SQLite, hence the Coalesce
        visit_clock=Greatest(
            Coalesce("last_visited_on", "first_assigned_on"), "first_assigned_on", output_field=DateField()
        )
    )


def visit_due(
    assignments: QuerySet[ServiceAssignment], *, today: date | None = None, interval_days: int | None = None
) -> QuerySet[ServiceAssignment]:
    """Active assignments whose enterprise is due for a visit (the SQL form of rules.servicedesk.is_visit_due).

    Written with EXISTS rather than by comparing the annotated clock, so PostgreSQL plans an anti-join
    and a semi-join instead of two subqueries per row: no visit since the cutoff, and a specialist
    (this one or an earlier one) from before the cutoff.
    """
    today = today or timezone.localdate()
    interval = settings.ZJTX_VISIT_INTERVAL_DAYS if interval_days is None else interval_days
    cutoff = rules.visit_cutoff(today, interval)
    recent_visit = Visit.objects.filter(enterprise=OuterRef("enterprise"), visited_on__gte=cutoff)
    assigned_before = ServiceAssignment.objects.filter(
        enterprise=OuterRef("enterprise"), started_at__lt=timezone.make_aware(datetime.combine(cutoff, time.min))
    )
    return assignments.filter(~Exists(recent_visit), Exists(assigned_before), ended_at__isnull=True)


def visit_due_counts_by_district(
    user: Any = None, *, today: date | None = None, interval_days: int | None = None
) -> dict[str, int]:
    rows = (
        visit_due(_scoped(ServiceAssignment.objects.all(), user), today=today, interval_days=interval_days)
        .values(district_code=F("enterprise__district__code"))
        .annotate(n=Count("pk"))
        .order_by("district_code")
    )
    return {r["district_code"]: r["n"] for r in rows}


def visit_due_details(*, today: date, interval_days: int, limit: int) -> list[dict[str, Any]]:
    """System-wide: the enterprises longest without a visit in each district, at most `limit` per district."""
    due = visit_due(dangerously_unrestricted(ServiceAssignment.objects.all()), today=today, interval_days=interval_days)
    return _first_per_district(
        with_visit_clock(due),
        order_by=("visit_clock", "id"),
        limit=limit,
        fields=("last_visited_on", "visit_clock"),
        specialist_name=F("specialist__username"),
    )


# --- notifications -------------------------------------------------------------------------


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first (superusers too read only their own here)."""
    return restrict(Notification.objects.all(), user).filter(user_id=user.pk)


def demand_flow_by_district(
    user: Any = None, *, start: date, end: date, district_id: int | None = None
) -> dict[str, dict[str, int]]:
    """Demands raised and demands closed in the half-open period [start, end), per district code.

    Raised counts the day the enterprise raised it (`raised_on`); closed counts the close events of the
    demand's log (a demand closed, reopened and closed again counts each time it was closed).
    """
    demands: QuerySet[Any] = _scoped(Demand.objects.all(), user)
    events: QuerySet[Any] = _scoped(DemandEvent.objects.all(), user)
    if district_id is not None:
        demands = demands.filter(enterprise__district_id=district_id)
        events = events.filter(demand__enterprise__district_id=district_id)
    raised = (
        demands.filter(raised_on__gte=start, raised_on__lt=end)
        .values_list("enterprise__district__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    closed = (
        events.filter(
            to_status=D.CLOSED, at__gte=_end_of(start - timedelta(days=1)), at__lt=_end_of(end - timedelta(days=1))
        )
        .values_list("demand__enterprise__district__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    flow: dict[str, dict[str, int]] = {}
    for code, n in raised:
        flow.setdefault(code, {"raised": 0, "closed": 0})["raised"] = n
    for code, n in closed:
        flow.setdefault(code, {"raised": 0, "closed": 0})["closed"] = n
    return flow
