"""Read side of targets: progress of each visible target, with district rankings (通报), from the snapshots."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from reporting.models import MetricSnapshot, Target
from reporting.rules.progress import Progress, progress, ranking
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
