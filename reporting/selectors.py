"""Read side of targets: progress of each visible target, with district rankings (通报), from the snapshots.

A target whose deadline has passed is closed: its progress is frozen at the deadline (the snapshot of
the deadline day), its rank is the final rank, and it carries a final result with the value today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from programs.models import Policy
from reference.models import District
from reporting.models import MetricKind, MetricSnapshot, Target
from reporting.rules.progress import FinalResult, Progress, final_result, progress, ranking
from tiers.selectors import assessment_counts, assessments_for
from zjtx.access import dangerously_unrestricted, restrict

WINDOW_DAYS = 90

Place = tuple[int, int, int | None]  # (metric, jurisdiction, district or None for the city)


@dataclass
class ProgressRow:
    target: Target
    as_of: dt.date | None  # the snapshot day the figures describe (for a closed target: its deadline)
    progress: Progress | None  # None until the first snapshot exists
    rank: int | None = None  # among the districts sharing the city target's metric and deadline
    rank_of: int | None = None
    final: FinalResult | None = None  # closed targets only
    today_as_of: dt.date | None = None  # closed targets: the snapshot day of final.today

    @property
    def place_name(self) -> str:
        return str(self.target.district or self.target.jurisdiction)

    @property
    def closed(self) -> bool:
        return self.progress.closed if self.progress is not None else False


def targets_for(user: Any) -> QuerySet[Target]:
    return restrict(Target.objects.select_related("metric", "jurisdiction", "district", "policy"), user)


def _place(t: Target) -> Place:
    return (t.metric_id, t.jurisdiction_id, t.district_id)


def _series(targets: Iterable[Target], today: dt.date) -> dict[Place, list[tuple[dt.date, int]]]:
    """Snapshots of the window for every place of these targets' metrics, in one query."""
    metrics = {t.metric_id for t in targets}
    jurisdictions = {t.jurisdiction_id for t in targets}
    series: dict[Place, list[tuple[dt.date, int]]] = defaultdict(list)
    rows = MetricSnapshot.objects.filter(
        metric_id__in=metrics,
        jurisdiction_id__in=jurisdictions,
        day__gt=today - dt.timedelta(days=WINDOW_DAYS),
        day__lte=today,
    ).values_list("metric_id", "jurisdiction_id", "district_id", "day", "value")
    for metric_id, jurisdiction_id, district_id, day, value in rows.order_by("day"):
        series[(metric_id, jurisdiction_id, district_id)].append((day, value))
    missing = {_place(t) for t in targets} - set(series)
    if missing:
        # Places with no snapshot in the window: take their latest older one as the current value.
        older = (
            MetricSnapshot.objects.filter(metric_id__in={m for m, _j, _d in missing}, day__lte=today)
            .order_by("metric_id", "jurisdiction_id", "district_id", "-day")
            .values_list("metric_id", "jurisdiction_id", "district_id", "day", "value")
        )
        for metric_id, jurisdiction_id, district_id, day, value in older:
            key = (metric_id, jurisdiction_id, district_id)
            if key in missing and key not in series:
                series[key].append((day, value))
    return series


def _at_deadlines(targets: Iterable[Target], today: dt.date) -> dict[tuple[Place, dt.date], tuple[dt.date, int]]:
    """(place, deadline) → (day, value) of the deadline day's snapshot for every place of the closed targets'
    metrics; where that day is missing, the latest snapshot before it.  Two queries, three with gaps.

    The nightly snapshot job fills in deadline days that were never taken (ensure_deadline_snapshots), so
    the fallback serves only until it has run.
    """
    groups: dict[dt.date, set[tuple[int, int]]] = defaultdict(set)
    for t in targets:
        if t.deadline < today:
            groups[t.deadline].add((t.metric_id, t.jurisdiction_id))
    if not groups:
        return {}
    found: dict[tuple[Place, dt.date], tuple[dt.date, int]] = {}
    exact = Q()
    for deadline, pairs in groups.items():
        exact |= Q(day=deadline, metric_id__in={m for m, _j in pairs}, jurisdiction_id__in={j for _m, j in pairs})
    rows = MetricSnapshot.objects.filter(exact).values_list(
        "metric_id", "jurisdiction_id", "district_id", "day", "value"
    )
    for metric_id, jurisdiction_id, district_id, day, value in rows:
        found[((metric_id, jurisdiction_id, district_id), day)] = (day, value)
    wanted = {(m, j, d) for d, pairs in groups.items() for m, j in pairs}
    missing = {(m, j, d) for m, j, d in wanted if ((m, j, None), d) not in found}
    if not missing:
        return found
    # Deadline days never snapshotted: the last day on or before each deadline, per place, in one GROUP BY.
    deadlines = sorted({d for _m, _j, d in missing})
    lasts: Any = (
        MetricSnapshot.objects.filter(
            metric_id__in={m for m, _j, _d in missing},
            jurisdiction_id__in={j for _m, j, _d in missing},
            day__lte=deadlines[-1],
        )
        .values("metric_id", "jurisdiction_id", "district_id")
        .annotate(**{f"d{i}": Max("day", filter=Q(day__lte=d)) for i, d in enumerate(deadlines)})
        .order_by()
    )
    wanted_days: dict[tuple[Place, dt.date], dt.date] = {}
    for row in lasts:
        place: Place = (row["metric_id"], row["jurisdiction_id"], row["district_id"])
        for i, deadline in enumerate(deadlines):
            if (place[0], place[1], deadline) in missing and row[f"d{i}"] is not None:
                wanted_days[(place, deadline)] = row[f"d{i}"]
    if not wanted_days:
        return found
    values = MetricSnapshot.objects.filter(
        metric_id__in={p[0] for p, _d in wanted_days},
        jurisdiction_id__in={p[1] for p, _d in wanted_days},
        day__in=set(wanted_days.values()),
    ).values_list("metric_id", "jurisdiction_id", "district_id", "day", "value")
    by_day: dict[tuple[Place, dt.date], int] = {((m, j, d), day): value for m, j, d, day, value in values}
    for (place, deadline), day in wanted_days.items():
        if (place, day) in by_day:
            found[(place, deadline)] = (day, by_day[(place, day)])
    return found


def _compute(
    target: Target,
    points: list[tuple[dt.date, int]],
    today: dt.date,
    at_deadline: tuple[dt.date, int] | None,
) -> ProgressRow:
    if target.deadline >= today:
        if not points:
            return ProgressRow(target, None, None)
        as_of, current = points[-1]
        result = progress(target=target.value, current=current, today=today, deadline=target.deadline, history=points)
        return ProgressRow(target, as_of, result)
    # Closed: frozen at the deadline; the trend shown is the one that led to it.
    if at_deadline is None:
        return ProgressRow(target, None, None)
    day, value = at_deadline
    history = [p for p in points if p[0] < day] + [at_deadline]
    result = progress(target=target.value, current=value, today=today, deadline=target.deadline, history=history)
    latest = points[-1] if points else None
    row = ProgressRow(target, day, result, today_as_of=latest[0] if latest else None)
    row.final = final_result(target=target.value, at_deadline=value, today=latest[1] if latest else None)
    return row


def progress_rows(
    user: Any, *, today: dt.date | None = None, targets: QuerySet[Target] | None = None
) -> list[ProgressRow]:
    """Progress of the targets the user may see (optionally pre-filtered), ranked among districts.

    `user` None is the system (reports built at night): it sees everything.
    """
    today = today or timezone.localdate()
    visible = list(targets if targets is not None else targets_for(user))
    if not visible:
        return []
    # Ranks compare all districts of the same metric and deadline, also those the user cannot see:
    # a district learns its place in the 通报, not the other districts' figures.
    groups = {(t.metric_id, t.jurisdiction_id, t.deadline) for t in visible if t.district_id}
    peers = [
        t
        for t in Target.objects.select_related("metric", "jurisdiction", "district", "policy").filter(
            metric_id__in={g[0] for g in groups}, district__isnull=False
        )
        if (t.metric_id, t.jurisdiction_id, t.deadline) in groups
    ]
    everything = {t.pk: t for t in [*visible, *peers]}
    series = _series(everything.values(), today)
    deadline_values = _at_deadlines(everything.values(), today)
    rows = {
        pk: _compute(t, series.get(_place(t), []), today, deadline_values.get((_place(t), t.deadline)))
        for pk, t in everything.items()
    }
    by_group: dict[tuple[int, int, dt.date], list[ProgressRow]] = defaultdict(list)
    for row in rows.values():
        if row.target.district_id and row.progress is not None:
            by_group[(row.target.metric_id, row.target.jurisdiction_id, row.target.deadline)].append(row)
    for members in by_group.values():
        places = {str(r.target.pk): r for r in members}
        assert all(r.progress is not None for r in members)
        order = ranking([(key, r.progress.percent, r.progress.current) for key, r in places.items()])  # type: ignore[union-attr]
        for rank, key in order:
            places[key].rank, places[key].rank_of = rank, len(members)
    _shares_of_city(user, [rows[t.pk] for t in visible], deadline_values)
    return [rows[t.pk] for t in visible]


def _shares_of_city(
    user: Any, rows: list[ProgressRow], deadline_values: dict[tuple[Place, dt.date], tuple[dt.date, int]]
) -> None:
    """A district's part of the city-wide value at the deadline, for readers who may see the city's figures."""
    closed = [r for r in rows if r.final is not None and r.target.district_id]
    if not closed:
        return
    jurisdictions = {r.target.jurisdiction_id for r in closed}
    if user is not None:
        city_rows = restrict(MetricSnapshot.objects.filter(jurisdiction_id__in=jurisdictions, district=None), user)
        jurisdictions = set(city_rows.values_list("jurisdiction_id", flat=True).distinct())
    for row in closed:
        t, final = row.target, row.final
        city = deadline_values.get(((t.metric_id, t.jurisdiction_id, None), t.deadline))
        if final is not None and city is not None and t.jurisdiction_id in jurisdictions:
            row.final = final_result(
                target=final.target, at_deadline=final.at_deadline, today=final.today, city_at_deadline=city[1]
            )


def is_plan_closed(plan: Policy, last_deadline: dt.date | None, today: dt.date) -> bool:
    """A plan is over after its period (or, without an end, after its last target's deadline)."""
    last = plan_last_day(plan, last_deadline)
    return last is not None and today > last


def plan_last_day(plan: Policy, last_deadline: dt.date | None) -> dt.date | None:
    if plan.effective_until is not None:
        return plan.effective_until - dt.timedelta(days=1)
    return last_deadline


def plans_for(user: Any) -> QuerySet[Policy]:
    """Plan periods: the policies with targets the user may see (all for `user` None, the system), with
    their last deadline."""
    targets = Target.objects.all()
    visible = (dangerously_unrestricted(targets) if user is None else restrict(targets, user)).values("policy_id")
    return (
        Policy.objects.filter(pk__in=visible)
        .select_related("jurisdiction")
        .annotate(last_deadline=Max("targets__deadline"))
        .order_by("jurisdiction__code", "-effective_from", "code")
    )


def snapshots_for(user: Any) -> QuerySet[MetricSnapshot]:
    return restrict(MetricSnapshot.objects.select_related("metric", "district"), user)


# --- the candidate pipeline -------------------------------------------------------------------


@dataclass
class PipelineRow:
    """A place's gap to a tier target beside the candidates who could close it.

    For a district target (a split city target) the gap is the district's own.  Under a city
    target that is not split, each district row shows the district's current value and
    candidates beside the city-wide target and gap (gap is None, city_gap is set).
    """

    target: Target
    district: District | None
    tiers: list[str]
    current: int | None
    gap: int | None
    city_gap: int | None
    eligible: int
    near: int
    missing_data: int

    @property
    def candidates(self) -> int:
        return self.eligible + self.near

    @property
    def gap_after_candidates(self) -> int | None:
        gap = self.gap if self.gap is not None else self.city_gap
        return None if gap is None else max(gap - self.candidates, 0)


def _latest_district_values(metric_ids: set[int], today: dt.date) -> dict[tuple[int, int], int]:
    """(metric, district) → the value of the latest snapshot day on or before today: two queries."""
    days = dict(
        MetricSnapshot.objects.filter(metric_id__in=metric_ids, day__lte=today)
        .values("metric_id")
        .annotate(last=Max("day"))
        .values_list("metric_id", "last")
    )
    values: dict[tuple[int, int], int] = {}
    if not days:
        return values
    rows = MetricSnapshot.objects.filter(
        metric_id__in=days, day__in=set(days.values()), district__isnull=False
    ).values_list("metric_id", "district_id", "day", "value")
    for metric_id, district_id, day, value in rows:
        if days[metric_id] == day:
            values[(metric_id, district_id)] = value
    return values


def candidate_pipeline(
    user: Any, *, today: dt.date | None = None, targets: QuerySet[Target] | None = None
) -> list[PipelineRow]:
    """For each visible running tier target and each district: the gap beside eligible-now and near candidates.

    Closed targets have a final result, not a gap left to close: they are not in the pipeline.
    """
    today = today or timezone.localdate()
    visible = (targets if targets is not None else targets_for(user)).filter(
        metric__kind=MetricKind.TIER_HOLDERS, deadline__gte=today
    )
    progress = {row.target.pk: row for row in progress_rows(user, today=today, targets=visible)}
    if not progress:
        return []
    tiers_of = {t.metric_id: list(t.metric.params.get("tiers", [])) for t in (r.target for r in progress.values())}
    # Candidates per district and tier the user may see: one GROUP BY.
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"eligible": 0, "near": 0, "missing_data": 0})
    wanted = {code for codes in tiers_of.values() for code in codes}
    for c in assessment_counts(assessments_for(user).filter(tier__code__in=wanted)):
        counts[(c["district"], c["tier_code"])] = c
    split = set(Target.objects.filter(parent__in=list(progress)).values_list("parent_id", flat=True))
    city = [r.target for r in progress.values() if r.target.district_id is None]
    unsplit = [t for t in city if t.pk not in split]
    districts: dict[int, list[District]] = defaultdict(list)
    for d in District.objects.filter(jurisdiction_id__in={t.jurisdiction_id for t in city}):
        districts[d.jurisdiction_id].append(d)
    own_values = _latest_district_values({t.metric_id for t in unsplit}, today) if unsplit else {}

    def tally(target: Target, district_codes: set[str]) -> dict[str, int]:
        total = {"eligible": 0, "near": 0, "missing_data": 0}
        for (district, tier), c in counts.items():
            if tier in tiers_of[target.metric_id] and district in district_codes:
                for key in total:
                    total[key] += c[key]
        return total

    rows: list[PipelineRow] = []
    for row in progress.values():
        t, p = row.target, row.progress
        current, gap = (p.current, p.gap) if p else (None, None)
        if t.district_id is not None:
            assert t.district is not None
            tally_of = tally(t, {t.district.code})
            rows.append(PipelineRow(t, t.district, tiers_of[t.metric_id], current, gap, None, **tally_of))
            continue
        in_city = {d.code for d in districts[t.jurisdiction_id]}
        rows.append(PipelineRow(t, None, tiers_of[t.metric_id], current, gap, None, **tally(t, in_city)))
        if t.pk in split:
            continue
        for d in districts[t.jurisdiction_id]:
            own = own_values.get((t.metric_id, d.pk), 0)
            rows.append(PipelineRow(t, d, tiers_of[t.metric_id], own, None, gap, **tally(t, {d.code})))
    return rows
