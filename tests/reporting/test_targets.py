"""Targets as data: the fixtures against the policy texts, district splits that must add up, hand entries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from reporting.models import ManualValue, MetricSnapshot, Target
from reporting.services.snapshots import snapshot_day


def city(code):
    return Target.objects.get(metric__code=code, jurisdiction__code="500000", district=None, deadline="2025-12-31")


def test_chongqing_2025_targets_from_the_plan(ref):
    assert [city(c).value for c in ("innovative_smes", "srdi_smes", "little_giants", "new_listings")] == [
        25000,
        2500,
        300,
        25,
    ]
    task_level = {
        c: city(c).value
        for c in (
            "tech_alliances",
            "sme_incubators",
            "key_industrial_parks",
            "digital_workshops",
            "smart_factories",
            "green_factories",
            "listing_reserve",
        )
    }
    assert task_level == {
        "tech_alliances": 10,
        "sme_incubators": 10,
        "key_industrial_parks": 10,
        "digital_workshops": 400,
        "smart_factories": 50,
        "green_factories": 100,
        "listing_reserve": 100,
    }
    yearly = Target.objects.filter(metric__code="demonstration_firms").order_by("deadline")
    assert [(t.deadline.year, t.value) for t in yearly] == [(2022, 100), (2023, 100), (2024, 100), (2025, 100)]
    assert all(t.source for t in Target.objects.all())


def test_split_must_add_up(api, users, ref):
    target = city("little_giants")
    url = reverse("target-split", args=[target.pk])
    bad = api(users.progadmin).post(url, {"shares": {"500112": 200, "500105": 50}}, format="json")
    assert bad.status_code == 400 and "250" in bad.json()["detail"] and "300" in bad.json()["detail"]
    unknown = api(users.progadmin).post(url, {"shares": {"500112": 200, "110108": 100}}, format="json")
    assert unknown.status_code == 400 and "110108" in unknown.json()["detail"]
    negative = api(users.progadmin).post(url, {"shares": {"500112": 301, "500105": -1}}, format="json")
    assert negative.status_code == 400
    ok = api(users.progadmin).post(url, {"shares": {"500112": 200, "500105": 100}}, format="json")
    assert ok.status_code == 200
    assert sorted((t["district"], t["value"]) for t in ok.json()) == [("500105", 100), ("500112", 200)]
    # A second split replaces the first.
    api(users.progadmin).post(url, {"shares": {"500112": 300}}, format="json")
    assert list(target.parts.values_list("district__code", "value")) == [("500112", 300)]
    assert AuditEntry.objects.filter(object_repr__contains="300").exists()


def test_split_is_for_admins_and_officials_of_the_jurisdiction(api, users, ref):
    url = reverse("target-split", args=[city("little_giants").pk])
    body = {"shares": {"500112": 300}}
    assert api(users.staff_a).post(url, body, format="json").status_code == 403
    assert api(users.official_bj).post(url, body, format="json").status_code == 404
    assert api(users.official).post(url, body, format="json").status_code == 200


def test_manual_values_keep_who_and_when(api, users, ref):
    response = api(users.official).post(
        reverse("manualvalue-list"),
        {"metric": "digital_workshops", "district": "500112", "as_of": "2025-06-30", "value": 12},
        format="json",
    )
    assert response.status_code == 201, response.json()
    entry = ManualValue.objects.get()
    assert entry.entered_by == users.official and entry.entered_at is not None
    assert response.json()["entered_by"] == "official"
    counted = api(users.official).post(
        reverse("manualvalue-list"),
        {"metric": "srdi_smes", "district": "500112", "as_of": "2025-06-30", "value": 1},
        format="json",
    )
    assert counted.status_code == 400 and "registry" in counted.json()["detail"]
    assert (
        api(users.staff_a)
        .post(
            reverse("manualvalue-list"),
            {"metric": "digital_workshops", "district": "500112", "as_of": "2025-06-30", "value": 3},
            format="json",
        )
        .status_code
        == 403
    )


def test_progress_endpoint_is_scoped_and_ranked(api, users, ref, holders, running_target):
    target = running_target
    api(users.progadmin).post(
        reverse("target-split", args=[target.pk]), {"shares": {"500112": 2000, "500105": 500}}, format="json"
    )
    today = timezone.localdate()
    snapshot_day(today - dt.timedelta(days=30))
    snapshot_day(today)
    rows = api(users.official).get(reverse("progress"), {"metric": "srdi_smes", "closed": "false"}).json()
    by_place = {r["district"]: r for r in rows}
    assert by_place[None]["current"] == 3 and by_place[None]["target_value"] == 2500
    assert by_place["500112"]["percent"] == "0.1" and by_place["500112"]["rank"] == 2
    assert by_place["500105"]["percent"] == "0.2" and by_place["500105"]["rank"] == 1
    assert by_place["500112"]["rank_of"] == 2
    staff_rows = api(users.staff_a).get(reverse("progress")).json()
    assert {r["district"] for r in staff_rows} == {"500112"}
    assert api(users.staff_bj).get(reverse("progress")).json() == []
    assert all(r["off_track"] and not r["closed"] and r["final"] is None for r in rows)  # falling, far short


def test_snapshots_over_a_date_range(api, users, ref, holders):
    today = timezone.localdate()
    for days in (40, 20, 0):
        snapshot_day(today - dt.timedelta(days=days))
    since = (today - dt.timedelta(days=25)).isoformat()
    series = api(users.staff_a).get(reverse("snapshot-list"), {"metric": "srdi_smes", "since": since}).json()["results"]
    assert [s["day"] for s in series] == [(today - dt.timedelta(days=20)).isoformat(), today.isoformat()]
    assert {s["district"] for s in series} == {"500112"}
    assert MetricSnapshot.objects.filter(metric__code="srdi_smes", day=today).count() == 39


@pytest.mark.parametrize("body", [{"shares": "x"}, {"shares": {"500112": "many"}}, {}])
def test_split_rejects_malformed_bodies(api, users, ref, body):
    url = reverse("target-split", args=[city("little_giants").pk])
    assert api(users.progadmin).post(url, body, format="json").status_code == 400


def test_list_query_counts_do_not_grow(api, users, ref, holders, django_assert_max_num_queries):
    client = api(users.official)
    paths = ["target-list", "snapshot-list", "manualvalue-list", "reportrun-list", "jobrun-list", "metric-list"]
    snapshot_day(timezone.localdate())
    counts = {}
    for path in paths:
        with django_assert_max_num_queries(6) as ctx:
            assert client.get(reverse(path), {"page_size": 5}).status_code == 200
        counts[path] = len(ctx.captured_queries)
    for days in range(1, 6):
        snapshot_day(timezone.localdate() - dt.timedelta(days=days))
    for path in paths:
        with django_assert_max_num_queries(counts[path]):
            assert client.get(reverse(path), {"page_size": 100}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("progress")).status_code == 200


def test_every_policy_target_matches_its_commitment_in_the_document(ref):
    from programs.models import Commitment

    city = Target.objects.filter(district__isnull=True).select_related("commitment")
    assert all(t.commitment is not None for t in city)
    for t in city:
        assert t.value == t.commitment.quantity, t  # the same figure in both places
        assert t.jurisdiction_id == t.commitment.policy.jurisdiction_id
    # Every counted commitment of the two documents is tracked by a target.
    assert set(Commitment.objects.values_list("code", flat=True)) == set(
        city.values_list("commitment__code", flat=True)
    )
