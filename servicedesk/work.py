"""The service desk's kinds of work in the work queue (我的待办): demands, visits, enterprises without a specialist."""

from __future__ import annotations

import operator
from datetime import date, timedelta
from functools import reduce
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models import Enterprise
from enterprises.selectors import enterprises_for
from servicedesk.models import Demand, Visit, VisitCadence
from servicedesk.rules.demands import DemandStatus as D
from servicedesk.selectors import demands_for, enterprises_without_specialist, overdue_q
from zjtx.work_queue import DISTRICT, WorkItem, WorkSource, capped_count, contribute

DUE_SOON_DAYS = 7


def _day(value: date | None) -> str:
    return date_format(value) if value else "—"


def _demand_url(demand: Demand) -> str:
    return reverse("servicedesk:demand", args=[demand.pk])


# --- demands --------------------------------------------------------------------------------


def overdue_demands(user: Any, today: date) -> QuerySet[Demand]:
    return demands_for(user).filter(overdue_q(today)).order_by("due_on", "pk")


def demands_due_soon(user: Any, today: date) -> QuerySet[Demand]:
    until = today + timedelta(days=DUE_SOON_DAYS)
    return demands_for(user).filter(status__in=D.PENDING, due_on__gte=today, due_on__lte=until).order_by("due_on", "pk")


def _overdue_items(user: Any, today: date, limit: int) -> list[WorkItem]:
    return [
        WorkItem(
            key=f"demand:{d.pk}:overdue:{d.due_on:%Y-%m-%d}",
            title=d.enterprise.name,
            detail=_("%(category)s · due %(due)s, overdue by %(days)s days")
            % {"category": d.get_category_display(), "due": _day(d.due_on), "days": (today - d.due_on).days},
            url=_demand_url(d),
            action=_("Move the demand"),
            due_on=d.due_on,
        )
        for d in overdue_demands(user, today)[:limit]
    ]


def _due_soon_items(user: Any, today: date, limit: int) -> list[WorkItem]:
    return [
        WorkItem(
            key=f"demand:{d.pk}:due:{d.due_on:%Y-%m-%d}",
            title=d.enterprise.name,
            detail=_("%(category)s · due %(due)s") % {"category": d.get_category_display(), "due": _day(d.due_on)},
            url=_demand_url(d),
            action=_("Move the demand"),
            due_on=d.due_on,
        )
        for d in demands_due_soon(user, today)[:limit]
    ]


# --- visits ---------------------------------------------------------------------------------


def cadence_days(jurisdiction_id: int, tier_id: int) -> int | None:
    row = VisitCadence.objects.filter(jurisdiction_id=jurisdiction_id, tier_id=tier_id).values("days").first()
    return row["days"] if row else None


def visit_overdue(user: Any, today: date) -> QuerySet[Enterprise]:
    """Enterprises of a tier with a visit cadence (per city) whose last visit is older than that cadence.

    One condition per cadence row (a few per city), so the query stays a set of index-served
    anti-joins instead of date arithmetic per row; never-visited enterprises come first.
    """
    conditions = [
        Q(district__jurisdiction_id=c.jurisdiction_id, current_tier_id=c.tier_id)
        & ~Exists(Visit.objects.filter(enterprise=OuterRef("pk"), visited_on__gt=today - timedelta(days=c.days)))
        for c in VisitCadence.objects.all()
    ]
    if not conditions:
        return enterprises_for(user).none()
    last_visit = Visit.objects.filter(enterprise=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1]
    return (
        enterprises_for(user)
        .filter(reduce(operator.or_, conditions))
        .annotate(last_visited_on=Subquery(last_visit))
        .order_by("last_visited_on", "name", "pk")
    )


def _visit_items(user: Any, today: date, limit: int) -> list[WorkItem]:
    cadences: dict[tuple[int, int | None], int] = {
        (c.jurisdiction_id, c.tier_id): c.days for c in VisitCadence.objects.all()
    }
    items = []
    for e in visit_overdue(user, today).select_related("district")[:limit]:
        days = cadences.get((e.district.jurisdiction_id, e.current_tier_id), 0)
        last = e.last_visited_on  # type: ignore[attr-defined]
        if last is None:
            detail = _("%(tier)s · never visited (every %(days)s days)") % {"tier": e.current_tier, "days": days}
        else:
            detail = _("%(tier)s · last visit %(last)s (every %(days)s days)") % {
                "tier": e.current_tier,
                "last": _day(last),
                "days": days,
            }
        items.append(
            WorkItem(
                key=f"visit:{e.pk}:{last or 'never'}",
                title=e.name,
                detail=detail,
                url=reverse("servicedesk:visit-new", args=[e.credit_code]),
                action=_("Log a visit"),
                due_on=(last + timedelta(days=days)) if last else None,
            )
        )
    return items


# --- specialists ----------------------------------------------------------------------------


def _unassigned_items(user: Any, today: date, limit: int) -> list[WorkItem]:
    # Highest tier first, then by name; in two queries (the tiered firms, then, if they are fewer than the
    # limit, the others by name) so that neither sorts the whole district: one ORDER BY the tier's level
    # sorted all 26,000 unassigned firms of a large district (~180 ms), while the firms without a tier
    # come in name order straight off the (district, name, id) index.
    unassigned = enterprises_without_specialist(user).select_related("current_tier")
    firms = list(
        unassigned.filter(current_tier__isnull=False).order_by(F("current_tier__level").desc(), "name", "pk")[:limit]
    )
    if len(firms) < limit:
        firms += unassigned.filter(current_tier__isnull=True).order_by("name", "pk")[: limit - len(firms)]
    return [
        WorkItem(
            key=f"specialist:{e.pk}",
            title=e.name,
            detail=str(e.current_tier or _("no tier yet")),
            url=reverse("servicedesk:take-on", args=[e.credit_code]),
            action=_("Become its specialist"),
            post=True,
        )
        for e in firms
    ]


def contribute_work() -> None:
    contribute(
        "overdue_demands",
        WorkSource(
            order=10,
            title=gettext_lazy("Overdue demands"),
            roles=DISTRICT,
            count=lambda user, today: capped_count(overdue_demands(user, today)),
            items=_overdue_items,
            notify=True,
        ),
    )
    contribute(
        "demands_due_soon",
        WorkSource(
            order=20,
            title=gettext_lazy("Demands due within 7 days"),
            roles=DISTRICT,
            count=lambda user, today: capped_count(demands_due_soon(user, today)),
            items=_due_soon_items,
            notify=True,
        ),
    )
    contribute(
        "visits_due",
        WorkSource(
            order=30,
            title=gettext_lazy("SRDI firms and little giants due for a visit"),
            roles=DISTRICT,
            count=lambda user, today: capped_count(visit_overdue(user, today)),
            items=_visit_items,
            notify=True,
        ),
    )
    contribute(
        "without_specialist",
        WorkSource(
            order=40,
            title=gettext_lazy("Enterprises without a specialist"),
            roles=DISTRICT,
            count=lambda user, _today: capped_count(enterprises_without_specialist(user)),
            items=_unassigned_items,
        ),
    )
