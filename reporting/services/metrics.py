"""The value of a metric on a day, per district and for the whole jurisdiction, counted in SQL.

One grouped query per metric and jurisdiction, never a loop over enterprises.
For manual metrics, the city-wide value is the latest city-wide entry when
there is one, otherwise the sum of the districts' latest entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from enterprises.models import Certification, Enterprise, Jurisdiction, ListingStatus
from enterprises.selectors import held_on
from reporting.models import ManualValue, Metric, MetricKind


@dataclass(frozen=True)
class MetricValues:
    by_district: dict[int, int]
    city: int


def metric_values(metric: Metric, jurisdiction: Jurisdiction, day: dt.date) -> MetricValues:
    if metric.kind == MetricKind.TIER_HOLDERS:
        rows = (
            Certification.objects.filter(
                held_on(day), tier__code__in=metric.params["tiers"], enterprise__district__jurisdiction=jurisdiction
            )
            .values("enterprise__district_id")
            .annotate(n=Count("enterprise_id", distinct=True))
            .values_list("enterprise__district_id", "n")
        )
        by_district = dict(rows)
        return MetricValues(by_district, sum(by_district.values()))
    if metric.kind == MetricKind.NEW_LISTINGS:
        since = dt.date.fromisoformat(metric.params["since"])
        listings = (
            Enterprise.objects.filter(
                district__jurisdiction=jurisdiction,
                listing_status__in=ListingStatus.listed_on_exchange(),
                listed_on__gte=since,
                listed_on__lte=day,
            )
            .values("district_id")
            .annotate(n=Count("id"))
            .values_list("district_id", "n")
        )
        by_district = dict(listings)
        return MetricValues(by_district, sum(by_district.values()))
    return _manual_values(metric, jurisdiction, day)


def _manual_values(metric: Metric, jurisdiction: Jurisdiction, day: dt.date) -> MetricValues:
    # Hand-entered rows are few (one per district and report date), so the latest one per
    # place is picked from an ordered scan of this metric's rows.
    latest: dict[int | None, int] = {}
    rows = (
        ManualValue.objects.filter(metric=metric, jurisdiction=jurisdiction, as_of__lte=day)
        .order_by("district_id", "-as_of", "-entered_at", "-id")
        .values_list("district_id", "value")
    )
    for district_id, value in rows:
        latest.setdefault(district_id, value)
    city = latest.pop(None, None)
    by_district = {k: v for k, v in latest.items() if k is not None}
    return MetricValues(by_district, city if city is not None else sum(by_district.values()))
