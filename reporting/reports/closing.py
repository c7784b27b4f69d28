"""The figures of a closing evaluation (终期评估) of an ended plan, gathered once and rendered as PDF and workbook.

Per target (city-wide and per district): the target, the value at the deadline (the deadline day's
snapshot), met or missed and by how much, the final rank among the districts sharing the target, the
district's share of the city's result, the value today and its change since the deadline.  Per district:
the service desk's work over the plan period (visits, demands raised and closed, demands overdue at the end).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from programs.models import Policy
from reference.models import District
from reporting.models import Metric, MetricKind, MetricSnapshot, Target
from reporting.selectors import ProgressRow, plan_last_day, progress_rows
from servicedesk.models import Demand, DemandEvent, Visit
from servicedesk.rules.demands import DemandStatus
from servicedesk.selectors import demand_counts_by_district


@dataclass
class FinalLine:
    """One target's final result for one place (a district without a share has no target, met or rank)."""

    metric: str
    unit: str
    deadline: dt.date
    target: int | None
    at_deadline: int | None
    percent: Decimal | None = None
    met: bool | None = None
    difference: int | None = None
    rank: str = ""
    share_of_city: Decimal | None = None
    today: int | None = None
    change: int | None = None

    @property
    def result(self) -> str:
        if self.at_deadline is None:
            return _("no figure at the deadline")
        if self.met is None or self.difference is None:
            return "—"
        if not self.met:
            return _("missed by %(n)s") % {"n": -self.difference}
        if self.difference:
            return _("met, %(n)s above") % {"n": self.difference}
        return pgettext("target result", "met")

    @property
    def missed(self) -> bool:
        return self.met is False


@dataclass
class DistrictLine:
    name: str
    code: str
    line: FinalLine


@dataclass
class TargetSection:
    city: FinalLine
    districts: list[DistrictLine]


@dataclass
class DeskWork:
    """The service desk's work in a district over the plan period."""

    visits: int = 0
    raised: int = 0
    closed: int = 0
    overdue_at_end: int = 0


@dataclass
class ClosingData:
    title: str
    place: str
    plan: str
    plan_code: str
    period: str  # as people write it: first – last day
    deadline: dt.date  # the plan's last day
    as_of: dt.date  # the day of "today"
    generated_at: dt.datetime
    lines: list[FinalLine]
    sections: list[TargetSection]
    desk: list[tuple[str, DeskWork]] = field(default_factory=list)
    desk_total: DeskWork = field(default_factory=DeskWork)
    series: dict[str, list[tuple[dt.date, int]]] = field(default_factory=dict)


def _pct(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _from_row(row: ProgressRow) -> FinalLine:
    t, final = row.target, row.final
    line = FinalLine(
        metric=t.metric.display_name, unit=t.metric.unit, deadline=t.deadline, target=t.value, at_deadline=None
    )
    if final is not None:
        line.at_deadline, line.percent, line.met, line.difference = (
            final.at_deadline,
            final.percent,
            final.met,
            final.difference,
        )
        line.share_of_city, line.today, line.change = final.share_of_city, final.today, final.change_since_deadline
    if row.rank:
        line.rank = f"{row.rank}/{row.rank_of}"
    return line


def _values_on(plan: Policy, days: set[dt.date], metric_ids: set[int]) -> dict[tuple[int, int | None, dt.date], int]:
    """(metric, district or None, day) → snapshot value, for the plan's jurisdiction: one query."""
    rows = MetricSnapshot.objects.filter(
        jurisdiction_id=plan.jurisdiction_id, day__in=days, metric_id__in=metric_ids
    ).values_list("metric_id", "district_id", "day", "value")
    return {(m, d, day): v for m, d, day, v in rows}


def _latest(plan: Policy, metric_ids: set[int], today: dt.date) -> dict[tuple[int, int | None], int]:
    """(metric, district or None) → the value of the latest snapshot day on or before today: two queries."""
    last = (
        MetricSnapshot.objects.filter(jurisdiction_id=plan.jurisdiction_id, metric_id__in=metric_ids, day__lte=today)
        .values("metric_id")
        .annotate(last=Max("day"))
        .values_list("metric_id", "last")
    )
    days = dict(last)
    rows = MetricSnapshot.objects.filter(
        jurisdiction_id=plan.jurisdiction_id, metric_id__in=days, day__in=set(days.values())
    ).values_list("metric_id", "district_id", "day", "value")
    return {(m, d): v for m, d, day, v in rows if days[m] == day}


def desk_work(plan: Policy, start: dt.date, end: dt.date) -> dict[str, DeskWork]:
    """Per district code: visits and demands raised in [start, end], demands closed then, overdue at the end."""
    in_place = {"enterprise__district__jurisdiction_id": plan.jurisdiction_id}
    work: dict[str, DeskWork] = defaultdict(DeskWork)
    by_district = F("enterprise__district__code")
    for code, n in (
        Visit.objects.filter(visited_on__range=(start, end), **in_place)
        .values_list(by_district)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        work[code].visits = n
    for code, n in (
        Demand.objects.filter(raised_on__range=(start, end), **in_place)
        .values_list(by_district)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        work[code].raised = n
    # Closed in the period: a closing recorded in the demand's event log then (a later reopening does not undo it).
    begin = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    finish = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    for code, n in (
        DemandEvent.objects.filter(
            to_status=DemandStatus.CLOSED,
            at__gte=begin,
            at__lt=finish,
            demand__enterprise__district__jurisdiction_id=plan.jurisdiction_id,
        )
        .values_list(F("demand__enterprise__district__code"))
        .annotate(n=Count("demand_id", distinct=True))
        .order_by()
    ):
        work[code].closed = n
    for code, counts in demand_counts_by_district(None, on=end).items():
        if code in work or counts["overdue"]:
            work[code].overdue_at_end = counts["overdue"]
    return work


def _series(plan: Policy, start: dt.date, today: dt.date) -> dict[str, list[tuple[dt.date, int]]]:
    """City-wide monthly values (the month's last snapshot) of the registry's metrics, from the plan's start."""
    metrics = {
        m.pk: m.display_name
        for m in Metric.objects.filter(
            targets__policy=plan, kind__in=[MetricKind.TIER_HOLDERS, MetricKind.NEW_LISTINGS]
        ).distinct()
    }
    rows = (
        MetricSnapshot.objects.filter(
            jurisdiction_id=plan.jurisdiction_id,
            district__isnull=True,
            metric_id__in=metrics,
            day__range=(start, today),
        )
        .order_by("day")
        .values_list("metric_id", "day", "value")
    )
    monthly: dict[str, dict[str, tuple[dt.date, int]]] = defaultdict(dict)
    for metric_id, day, value in rows:
        monthly[metrics[metric_id]][f"{day:%Y-%m}"] = (day, value)  # the month's last snapshot wins
    return {name: [months[m] for m in sorted(months)] for name, months in monthly.items()}


def closing_report(plan: Policy, today: dt.date | None = None) -> ClosingData:
    today = today or timezone.localdate()
    targets = list(
        Target.objects.filter(policy=plan)
        .select_related("metric", "jurisdiction", "district", "policy")
        .order_by("metric__sort_order", "deadline", "district__sort_order")
    )
    last_deadline = max((t.deadline for t in targets), default=None)
    end = plan_last_day(plan, last_deadline) or today
    rows = {r.target.pk: r for r in progress_rows(None, today=today, targets=Target.objects.filter(policy=plan))}
    city = [t for t in targets if t.district_id is None]
    parts: dict[int, dict[int, ProgressRow]] = defaultdict(dict)
    for t in targets:
        if t.parent_id is not None:
            parts[t.parent_id][t.district_id or 0] = rows[t.pk]
    metric_ids = {t.metric_id for t in targets}
    at = _values_on(plan, {t.deadline for t in city}, metric_ids)
    now = _latest(plan, metric_ids, today)
    districts = list(District.objects.filter(jurisdiction_id=plan.jurisdiction_id))
    sections: list[TargetSection] = []
    lines: list[FinalLine] = []
    for t in city:
        line = _from_row(rows[t.pk])
        lines.append(line)
        city_at = at.get((t.metric_id, None, t.deadline))
        shares: list[DistrictLine] = []
        for d in districts:
            own = parts[t.pk].get(d.pk)
            if own is not None:
                cell = _from_row(own)
            else:
                value = at.get((t.metric_id, d.pk, t.deadline))
                today_value = now.get((t.metric_id, d.pk))
                cell = FinalLine(
                    metric=line.metric,
                    unit=line.unit,
                    deadline=t.deadline,
                    target=None,
                    at_deadline=value,
                    share_of_city=_pct(value, city_at) if value is not None else None,
                    today=today_value,
                    change=None if value is None or today_value is None else today_value - value,
                )
            shares.append(DistrictLine(d.name, d.code, cell))
        sections.append(TargetSection(line, shares))
    work = desk_work(plan, plan.effective_from, end)
    desk = [(d.name, work.get(d.code, DeskWork())) for d in districts]
    total = DeskWork(*(sum(getattr(w, f) for _n, w in desk) for f in ("visits", "raised", "closed", "overdue_at_end")))
    place = plan.jurisdiction.name
    return ClosingData(
        title=_("Closing evaluation: %(plan)s") % {"plan": plan.display_name},
        place=place,
        plan=plan.display_name,
        plan_code=plan.code,
        period=f"{plan.effective_from:%Y-%m-%d} – {end:%Y-%m-%d}",
        deadline=end,
        as_of=today,
        generated_at=timezone.localtime(),
        lines=lines,
        sections=sections,
        desk=desk,
        desk_total=total,
        series=_series(plan, plan.effective_from, today),
    )
