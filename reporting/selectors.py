"""Read side of targets: progress of each visible target, with district rankings (通报), from the snapshots."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from reference.models import District
from reporting.models import MetricKind, MetricSnapshot, Target
from reporting.rules.progress import Progress, progress, ranking
from tiers.selectors import assessment_counts, assessments_for
from zjtx.access import restrict

WINDOW_DAYS = 90

Place = tuple[int, int, int | None]  # (metric, jurisdiction, district or None for the city)


@dataclass
class ProgressRow:
    target: Target
    as_of: dt.date | None
    progress: Progress | None  # None until the first snapshot exists
    rank: int | None = None  # among the districts sharing the city target's metric and deadline
    rank_of: int | None = None

    @property
    def place_name(self) -> str:
        return str(self.target.district or self.target.jurisdiction)


def targets_for(user: Any) -> QuerySet[Target]:
    return restrict(Target.objects.select_related("metric", "jurisdiction", "district"), user)


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


def _compute(target: Target, points: list[tuple[dt.date, int]], today: dt.date) -> ProgressRow:
    if not points:
        return ProgressRow(target, None, None)
    as_of, current = points[-1]
    result = progress(target=target.value, current=current, today=today, deadline=target.deadline, history=points)
    return ProgressRow(target, as_of, result)


def progress_rows(
    user: Any, *, today: dt.date | None = None, targets: QuerySet[Target] | None = None
) -> list[ProgressRow]:
    """Progress of the targets the user may see (optionally pre-filtered), ranked among districts."""
    today = today or timezone.localdate()
    visible = list(targets if targets is not None else targets_for(user))
    if not visible:
        return []
    # Ranks compare all districts of the same metric and deadline, also those the user cannot see:
    # a district learns its place in the 通报, not the other districts' figures.
    groups = {(t.metric_id, t.jurisdiction_id, t.deadline) for t in visible if t.district_id}
    peers = [
        t
        for t in Target.objects.select_related("metric", "jurisdiction", "district").filter(
            metric_id__in={g[0] for g in groups}, district__isnull=False
        )
        if (t.metric_id, t.jurisdiction_id, t.deadline) in groups
    ]
    everything = {t.pk: t for t in [*visible, *peers]}
    series = _series(everything.values(), today)
    rows = {pk: _compute(t, series.get(_place(t), []), today) for pk, t in everything.items()}
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
    return [rows[t.pk] for t in visible]


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
    """For each visible tier target and each district: the gap beside eligible-now and near candidates."""
    today = today or timezone.localdate()
    visible = (targets if targets is not None else targets_for(user)).filter(metric__kind=MetricKind.TIER_HOLDERS)
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
