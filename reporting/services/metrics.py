"""The value of a metric on a day, per district and for the whole jurisdiction, counted in SQL.

One grouped query per kind of metric for any number of metrics and
jurisdictions, never a loop over enterprises.  For manual metrics, the
city-wide value is the latest city-wide entry when there is one, otherwise the
sum of the districts' latest entries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q

from enterprises.models import Enterprise, ListingStatus
from reference.models import Jurisdiction
from reporting.models import ManualValue, Metric, MetricKind
from tiers.models import Certification
from tiers.selectors import held_on


@dataclass(frozen=True)
class MetricValues:
    by_district: dict[int, int]
    city: int


def metric_values(metric: Metric, jurisdiction: Jurisdiction, day: dt.date) -> MetricValues:
    return all_metric_values([(metric, jurisdiction)], day)[(metric.pk, jurisdiction.pk)]


def all_metric_values(
    pairs: Iterable[tuple[Metric, Jurisdiction]], day: dt.date
) -> dict[tuple[int, int], MetricValues]:
    """The values of several (metric, jurisdiction) pairs on `day`: at most one query per metric kind.

    Every tier-holder metric is one FILTERed count of the same GROUP BY over the certifications held
    on the day, every listing metric one of the same GROUP BY over the enterprises, so a snapshot of
    all targets reads each table once.
    """
    pairs = list(pairs)
    result: dict[tuple[int, int], MetricValues] = {}
    for kind, count in ((MetricKind.TIER_HOLDERS, _tier_holders), (MetricKind.NEW_LISTINGS, _new_listings)):
        wanted = [(m, j) for m, j in pairs if m.kind == kind]
        if not wanted:
            continue
        metrics = {m.pk: m for m, _j in wanted}
        jurisdictions = {j.pk for _m, j in wanted}
        by_district: dict[int, dict[int, int]] = defaultdict(dict)  # metric → district → value
        jurisdiction_of: dict[int, int] = {}
        for row in count(list(metrics.values()), jurisdictions, day):
            jurisdiction_of[row["district_id"]] = row["jurisdiction_id"]
            for metric_id in metrics:
                if row[f"m{metric_id}"]:
                    by_district[metric_id][row["district_id"]] = row[f"m{metric_id}"]
        for m, j in wanted:
            mine = {d: v for d, v in by_district[m.pk].items() if jurisdiction_of[d] == j.pk}
            result[(m.pk, j.pk)] = MetricValues(mine, sum(mine.values()))
    manual = [(m, j) for m, j in pairs if m.kind == MetricKind.MANUAL]
    if manual:
        result.update(_manual_values(manual, day))
    return result


def _tier_holders(metrics: list[Metric], jurisdictions: set[int], day: dt.date) -> Iterable[Any]:
    tiers = {code for m in metrics for code in m.params["tiers"]}
    counts = {
        f"m{m.pk}": Count("enterprise_id", distinct=True, filter=Q(tier__code__in=m.params["tiers"])) for m in metrics
    }
    return (
        Certification.objects.filter(
            held_on(day), tier__code__in=tiers, enterprise__district__jurisdiction_id__in=jurisdictions
        )
        .values(district_id=F("enterprise__district_id"), jurisdiction_id=F("enterprise__district__jurisdiction_id"))
        .annotate(**counts)
        .order_by()
    )


def _new_listings(metrics: list[Metric], jurisdictions: set[int], day: dt.date) -> Iterable[Any]:
    since = {m.pk: dt.date.fromisoformat(m.params["since"]) for m in metrics}
    counts = {f"m{pk}": Count("id", filter=Q(listed_on__gte=start)) for pk, start in since.items()}
    return (
        Enterprise.objects.filter(
            district__jurisdiction_id__in=jurisdictions,
            listing_status__in=ListingStatus.listed_on_exchange(),
            listed_on__gte=min(since.values()),
            listed_on__lte=day,
        )
        .values("district_id", jurisdiction_id=F("district__jurisdiction_id"))
        .annotate(**counts)
        .order_by()
    )


def _manual_values(pairs: list[tuple[Metric, Jurisdiction]], day: dt.date) -> dict[tuple[int, int], MetricValues]:
    # Hand-entered rows are few (one per district and report date), so the latest one per
    # place is picked from an ordered scan of these metrics' rows: one query for all of them.
    latest: dict[tuple[int, int], dict[int | None, int]] = {(m.pk, j.pk): {} for m, j in pairs}
    rows = (
        ManualValue.objects.filter(
            metric_id__in={m.pk for m, _j in pairs}, jurisdiction_id__in={j.pk for _m, j in pairs}, as_of__lte=day
        )
        .order_by("metric_id", "jurisdiction_id", "district_id", "-as_of", "-entered_at", "-id")
        .values_list("metric_id", "jurisdiction_id", "district_id", "value")
    )
    for metric_id, jurisdiction_id, district_id, value in rows:
        place = latest.get((metric_id, jurisdiction_id))
        if place is not None:
            place.setdefault(district_id, value)
    result = {}
    for key, values in latest.items():
        city = values.pop(None, None)
        by_district = {k: v for k, v in values.items() if k is not None}
        result[key] = MetricValues(by_district, city if city is not None else sum(by_district.values()))
    return result
