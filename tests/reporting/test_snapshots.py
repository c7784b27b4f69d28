"""Metric values and the daily snapshot: counted in SQL, exact for past days, idempotent."""

import datetime as dt

from django.utils import timezone

from reporting.models import ManualValue, Metric, MetricSnapshot, Target
from reporting.services.metrics import metric_values
from reporting.services.snapshots import snapshot_day


def test_tier_holders_today_and_in_the_past(ref, holders):
    cq = ref.jurisdictions["500000"]
    metric = Metric.objects.get(code="srdi_smes")
    today = timezone.localdate()
    now = metric_values(metric, cq, today)
    assert now.by_district == {ref.districts["500112"].pk: 2, ref.districts["500105"].pk: 1}
    assert now.city == 3
    # Twenty days ago the revoked certification was still held.
    past = metric_values(metric, cq, today - dt.timedelta(days=20))
    assert past.by_district[ref.districts["500112"].pk] == 3
    # Before any certification began, nobody held the tier.
    assert metric_values(metric, cq, today - dt.timedelta(days=200)).city == 0


def test_new_listings_count_exchange_listings_since_the_plan(ref, holders):
    values = metric_values(Metric.objects.get(code="new_listings"), ref.jurisdictions["500000"], timezone.localdate())
    assert values.by_district == {ref.districts["500112"].pk: 1}


def test_manual_values_latest_per_district_and_city_entry_wins(ref, users):
    cq = ref.jurisdictions["500000"]
    metric = Metric.objects.get(code="digital_workshops")
    day = dt.date(2025, 6, 30)
    for district, as_of, value in [
        ("500112", "2025-01-31", 5),
        ("500112", "2025-05-31", 9),
        ("500105", "2025-03-31", 4),
        ("500112", "2025-07-31", 20),
    ]:
        ManualValue.objects.create(
            metric=metric,
            jurisdiction=cq,
            district=ref.districts[district],
            as_of=as_of,
            value=value,
            entered_by=users.official,
        )
    values = metric_values(metric, cq, day)
    assert values.by_district == {ref.districts["500112"].pk: 9, ref.districts["500105"].pk: 4}
    assert values.city == 13
    ManualValue.objects.create(metric=metric, jurisdiction=cq, as_of="2025-06-01", value=150, entered_by=users.official)
    assert metric_values(metric, cq, day).city == 150


def test_snapshot_is_idempotent_and_covers_every_district(ref, holders):
    today = timezone.localdate()
    first = snapshot_day(today)
    second = snapshot_day(today)
    assert first == second
    metrics_cq = Target.objects.filter(jurisdiction__code="500000").values("metric").distinct().count()
    metrics_bj = Target.objects.filter(jurisdiction__code="110000").values("metric").distinct().count()
    assert MetricSnapshot.objects.filter(day=today).count() == first == metrics_cq * 39 + metrics_bj * 18
    row = MetricSnapshot.objects.get(day=today, metric__code="srdi_smes", district=ref.districts["500112"])
    assert row.value == 2
    assert (
        MetricSnapshot.objects.get(
            day=today, metric__code="srdi_smes", district=None, jurisdiction__code="500000"
        ).value
        == 3
    )


def test_snapshot_queries_do_not_grow_with_enterprises(ref, holders, make_enterprise, django_assert_max_num_queries):
    today = timezone.localdate()
    with django_assert_max_num_queries(200) as small:
        snapshot_day(today)
    for _ in range(30):
        make_enterprise("500101", listing_status="star", listed_on=dt.date(2024, 1, 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        snapshot_day(today)
