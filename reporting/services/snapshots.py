"""The daily progress snapshot: every metric, every district and the city total, for one day.

Idempotent: a rerun for the same day replaces that day's rows in one
transaction, so there is always exactly one row per (day, metric, place).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from enterprises.models import District, Jurisdiction
from reporting.models import Metric, MetricSnapshot, Target
from reporting.services.metrics import metric_values


def jurisdictions_with_targets() -> list[Jurisdiction]:
    ids = Target.objects.values_list("jurisdiction_id", flat=True).distinct()
    return list(Jurisdiction.objects.filter(pk__in=ids))


@transaction.atomic
def snapshot_day(day: dt.date, jurisdictions: list[Jurisdiction] | None = None) -> int:
    """Take the snapshot of `day`; returns the number of rows written."""
    written = 0
    for jurisdiction in jurisdictions if jurisdictions is not None else jurisdictions_with_targets():
        districts = list(District.objects.filter(jurisdiction=jurisdiction).values_list("id", flat=True))
        metric_ids = Target.objects.filter(jurisdiction=jurisdiction).values_list("metric_id", flat=True)
        for metric in Metric.objects.filter(pk__in=metric_ids):
            values = metric_values(metric, jurisdiction, day)
            MetricSnapshot.objects.filter(day=day, metric=metric, jurisdiction=jurisdiction).delete()
            rows = [
                MetricSnapshot(
                    day=day, metric=metric, jurisdiction=jurisdiction, district_id=d, value=values.by_district.get(d, 0)
                )
                for d in districts
            ]
            rows.append(
                MetricSnapshot(day=day, metric=metric, jurisdiction=jurisdiction, district=None, value=values.city)
            )
            MetricSnapshot.objects.bulk_create(rows)
            written += len(rows)
    return written


def snapshot_range(start: dt.date, end: dt.date, step_days: int = 1) -> int:
    """Backfill snapshots for [start, end] (history is exact: certifications keep their dates)."""
    day, written = start, 0
    while day <= end:
        written += snapshot_day(day)
        day += dt.timedelta(days=step_days)
    return written
