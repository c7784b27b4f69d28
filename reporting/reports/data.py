"""The figures of a progress report, gathered once and rendered both as PDF and as a workbook."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from reference.models import District, Jurisdiction
from reporting.models import Metric, MetricKind, MetricSnapshot, Target
from reporting.selectors import ProgressRow, progress_rows
from servicedesk.selectors import demand_counts_by_district, demand_flow_by_district


@dataclass
class Line:
    """One metric for one place: the target, where it stands, and what it needs."""

    metric: str
    unit: str
    value: int
    target: int | None = None
    percent: Decimal | None = None
    gap: int | None = None
    pace_needed: Decimal | None = None
    trend: Decimal | None = None
    projected: Decimal | None = None
    status: str = ""
    off_track: bool = False
    rank: str = ""
    deadline: dt.date | None = None


@dataclass
class DemandCounts:
    """The service desk's enterprise demands (诉求): raised and closed in the report's month, and where
    all of them stood on the report's day (open, of which past due; resolved; closed)."""

    open: int = 0
    overdue: int = 0
    resolved: int = 0
    closed: int = 0
    raised_in_period: int = 0
    closed_in_period: int = 0

    FIELDS = ("open", "overdue", "resolved", "closed", "raised_in_period", "closed_in_period")


@dataclass
class DistrictRow:
    name: str
    code: str
    cells: list[Line]
    demands: DemandCounts = field(default_factory=DemandCounts)


@dataclass
class ReportData:
    title: str
    place: str
    period: str
    as_of: dt.date
    generated_at: dt.datetime
    lines: list[Line]
    series: dict[str, list[tuple[dt.date, int]]] = field(default_factory=dict)
    districts: list[DistrictRow] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    demands: DemandCounts = field(default_factory=DemandCounts)


def demand_counts(period: str, as_of: dt.date, district: District | None = None) -> dict[str, DemandCounts]:
    """Demand counts per district code (of one district, if given): where they stood on `as_of` (one GROUP BY)
    and how many were raised and closed in the period's month (two more)."""
    district_id = district.pk if district else None
    counts = demand_counts_by_district(None, on=as_of, district_id=district_id)
    start = period_start(period)
    flow = demand_flow_by_district(
        None, start=start, end=period_end(period) + dt.timedelta(days=1), district_id=district_id
    )
    result: dict[str, DemandCounts] = {}
    for code in sorted(set(counts) | set(flow)):
        moved = flow.get(code, {})
        result[code] = DemandCounts(
            **counts.get(code, {}),
            raised_in_period=moved.get("raised", 0),
            closed_in_period=moved.get("closed", 0),
        )
    return result


def demand_headings() -> list[str]:
    """Column headings of the demand figures, in the order of demand_values (PDF and workbook alike)."""
    return [
        _("Raised this month"),
        _("Closed this month"),
        _("Not yet closed"),
        _("Past due"),
        _("Resolved, awaiting closure"),
        _("Closed in all"),
    ]


def demand_values(c: DemandCounts) -> list[int]:
    return [c.raised_in_period, c.closed_in_period, c.open, c.overdue, c.resolved, c.closed]


def period_start(period: str) -> dt.date:
    year, month = (int(p) for p in period.split("-"))
    return dt.date(year, month, 1)


def period_end(period: str) -> dt.date:
    year, month = (int(p) for p in period.split("-"))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def as_of_for(period: str) -> dt.date:
    return min(period_end(period), timezone.localdate())


def status_text(row: ProgressRow | None) -> tuple[str, bool]:
    if row is None or row.progress is None:
        return _("no target for this place"), False
    p = row.progress
    if p.closed:  # frozen at the deadline: a final result, never "behind schedule"
        return (_("final: reached") if p.met else _("final: missed")), False
    if p.met:
        return _("reached"), False
    if p.off_track:
        return (_("missed") if p.days_left == 0 else _("behind schedule")), True
    return _("on track"), False


def _line(metric: Metric, value: int, row: ProgressRow | None) -> Line:
    text, off = status_text(row)
    line = Line(metric=metric.display_name, unit=metric.unit, value=value, status=text, off_track=off)
    if row is not None and row.progress is not None:
        p = row.progress
        line.target, line.percent, line.gap = p.target, p.percent, p.gap
        line.pace_needed, line.trend, line.projected = (
            p.pace_needed_per_month,
            p.trend_per_month,
            p.projected_at_deadline,
        )
        line.deadline = row.target.deadline
        if p.closed:
            line.value = p.current  # the value at the deadline, as the rest of the line
        if row.rank:
            line.rank = f"{row.rank}/{row.rank_of}"
    return line


def _latest_values(jurisdiction: Jurisdiction, as_of: dt.date) -> dict[tuple[int, int | None], int]:
    """Latest snapshot value on or before `as_of` per (metric, district): one query."""
    latest: dict[tuple[int, int | None], int] = {}
    rows = (
        MetricSnapshot.objects.filter(jurisdiction=jurisdiction, day__lte=as_of, day__gt=as_of - dt.timedelta(days=400))
        .order_by("metric_id", "district_id", "-day")
        .values_list("metric_id", "district_id", "value")
    )
    for metric_id, district_id, value in rows:
        latest.setdefault((metric_id, district_id), value)
    return latest


def _current_targets(jurisdiction: Jurisdiction, as_of: dt.date) -> dict[tuple[int, int | None], Target]:
    """Per (metric, district or city): the target with the nearest deadline not before `as_of`, else the last one."""
    chosen: dict[tuple[int, int | None], Target] = {}
    for t in (
        Target.objects.filter(jurisdiction=jurisdiction)
        .select_related("metric", "district", "jurisdiction")
        .order_by("deadline")
    ):
        key = (t.metric_id, t.district_id)
        current = chosen.get(key)
        if current is None or (current.deadline < as_of):
            chosen[key] = t
    return chosen


def _metrics(jurisdiction: Jurisdiction) -> list[Metric]:
    ids = Target.objects.filter(jurisdiction=jurisdiction).values_list("metric_id", flat=True)
    return list(Metric.objects.filter(pk__in=ids))


def district_report(district: District, period: str) -> ReportData:
    as_of = as_of_for(period)
    jurisdiction = district.jurisdiction
    targets = _current_targets(jurisdiction, as_of)
    mine = [t for (m, d), t in targets.items() if d == district.pk]
    rows = {
        r.target.metric_id: r
        for r in progress_rows(None, today=as_of, targets=Target.objects.filter(pk__in=[t.pk for t in mine]))
    }
    values = _latest_values(jurisdiction, as_of)
    metrics = _metrics(jurisdiction)
    lines = [_line(m, values.get((m.pk, district.pk), 0), rows.get(m.pk)) for m in metrics]
    series: dict[str, list[tuple[dt.date, int]]] = {}
    snaps = (
        MetricSnapshot.objects.filter(district=district, day__lte=as_of, day__gt=as_of - dt.timedelta(days=366))
        .order_by("day")
        .values_list("metric_id", "day", "value")
    )
    # The trend chart shows what the registry counts; hand-entered figures move in steps.
    names = {m.pk: m.display_name for m in metrics if m.kind != MetricKind.MANUAL}
    monthly: dict[tuple[int, str], tuple[dt.date, int]] = {}
    for metric_id, day, value in snaps:
        monthly[(metric_id, f"{day:%Y-%m}")] = (day, value)  # the month's last snapshot wins
    for (metric_id, _month), point in sorted(monthly.items(), key=lambda kv: kv[1][0]):
        if metric_id in names:
            series.setdefault(names[metric_id], []).append(point)
    return ReportData(
        title=_("Progress report on SRDI enterprise cultivation: %(place)s, %(period)s")
        % {"place": f"{jurisdiction.name}{district.name}", "period": period},
        place=f"{jurisdiction.name}{district.name}",
        period=period,
        as_of=as_of,
        generated_at=timezone.localtime(),
        lines=lines,
        series=series,
        metrics=[m.display_name for m in metrics],
        demands=demand_counts(period, as_of, district).get(district.code, DemandCounts()),
    )


def city_report(jurisdiction: Jurisdiction, period: str) -> ReportData:
    as_of = as_of_for(period)
    targets = _current_targets(jurisdiction, as_of)
    rows = {
        (r.target.metric_id, r.target.district_id): r
        for r in progress_rows(
            None, today=as_of, targets=Target.objects.filter(pk__in=[t.pk for t in targets.values()])
        )
    }
    values = _latest_values(jurisdiction, as_of)
    metrics = _metrics(jurisdiction)
    lines = [_line(m, values.get((m.pk, None), 0), rows.get((m.pk, None))) for m in metrics]
    counts = demand_counts(period, as_of)
    districts = [
        DistrictRow(
            name=d.name,
            code=d.code,
            cells=[_line(m, values.get((m.pk, d.pk), 0), rows.get((m.pk, d.pk))) for m in metrics],
            demands=counts.get(d.code, DemandCounts()),
        )
        for d in District.objects.filter(jurisdiction=jurisdiction)
    ]
    total = DemandCounts(*(sum(getattr(r.demands, f) for r in districts) for f in DemandCounts.FIELDS))
    return ReportData(
        title=_("Progress report on SRDI enterprise cultivation: %(place)s, %(period)s")
        % {"place": jurisdiction.name, "period": period},
        place=jurisdiction.name,
        period=period,
        as_of=as_of,
        generated_at=timezone.localtime(),
        lines=lines,
        districts=districts,
        metrics=[m.display_name for m in metrics],
        demands=total,
    )
