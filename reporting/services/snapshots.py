"""The daily progress snapshot: every metric, every district and the city total, for one day.

Idempotent: a rerun for the same day replaces that day's rows in one
transaction, so there is always exactly one row per (day, metric, place).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction

from reference.models import District, Jurisdiction
from reporting.models import Metric, MetricSnapshot, Target
from reporting.services.metrics import all_metric_values


def jurisdictions_with_targets() -> list[Jurisdiction]:
    ids = Target.objects.values_list("jurisdiction_id", flat=True).distinct()
    return list(Jurisdiction.objects.filter(pk__in=ids))


@transaction.atomic
def snapshot_day(day: dt.date, jurisdictions: list[Jurisdiction] | None = None) -> int:
    """Take the snapshot of `day`; returns the number of rows written.

    All metrics of all jurisdictions are counted together (one GROUP BY per kind of metric), the
    day's old rows go in one DELETE and the new ones in one INSERT.
    """
    places = jurisdictions if jurisdictions is not None else jurisdictions_with_targets()
    if not places:
        return 0
    by_id = {j.pk: j for j in places}
    metrics = {m.pk: m for m in Metric.objects.filter(targets__jurisdiction__in=places).distinct()}
    pairs = sorted(
        set(Target.objects.filter(jurisdiction__in=places).values_list("metric_id", "jurisdiction_id").distinct())
    )
    values = all_metric_values([(metrics[m], by_id[j]) for m, j in pairs], day)
    districts: dict[int, list[int]] = defaultdict(list)
    for district_id, jurisdiction_id in District.objects.filter(jurisdiction__in=places).values_list(
        "id", "jurisdiction_id"
    ):
        districts[jurisdiction_id].append(district_id)
    rows = []
    for metric_id, jurisdiction_id in pairs:
        v = values[(metric_id, jurisdiction_id)]
        common = {"day": day, "metric_id": metric_id, "jurisdiction_id": jurisdiction_id}
        rows += [
            MetricSnapshot(district_id=d, value=v.by_district.get(d, 0), **common) for d in districts[jurisdiction_id]
        ]
        rows.append(MetricSnapshot(district_id=None, value=v.city, **common))
    MetricSnapshot.objects.filter(day=day, jurisdiction__in=places).delete()
    MetricSnapshot.objects.bulk_create(rows)
    return len(rows)


def snapshot_range(start: dt.date, end: dt.date, step_days: int = 1) -> int:
    """Backfill snapshots for [start, end] (history is exact: certifications keep their dates)."""
    day, written = start, 0
    while day <= end:
        written += snapshot_day(day)
        day += dt.timedelta(days=step_days)
    return written


def ensure_deadline_snapshots(today: dt.date) -> list[dt.date]:
    """Take the snapshot of every passed deadline day that has none yet; returns the days taken.

    A closed target's final result is its value on the deadline day.  A day the job missed (it was down,
    or the target was entered later) is taken afterwards: the history is exact, so the figures are those
    of that day.  Snapshots of later days go on for every metric with a target, closed or not: the value
    today of a closed target is still read.
    """
    wanted = set(
        Target.objects.filter(deadline__lt=today, district__isnull=True).values_list(
            "metric_id", "jurisdiction_id", "deadline"
        )
    )
    if not wanted:
        return []
    have = set(
        MetricSnapshot.objects.filter(day__in={d for _m, _j, d in wanted}, district__isnull=True).values_list(
            "metric_id", "jurisdiction_id", "day"
        )
    )
    missing: dict[dt.date, set[int]] = defaultdict(set)
    for _metric_id, jurisdiction_id, day in wanted - have:
        missing[day].add(jurisdiction_id)
    for day, jurisdiction_ids in sorted(missing.items()):
        snapshot_day(day, list(Jurisdiction.objects.filter(pk__in=jurisdiction_ids)))
    return sorted(missing)
