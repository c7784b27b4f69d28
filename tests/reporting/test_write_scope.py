"""Writes to reports and targets stay inside the caller's jurisdiction (issue 12, items 1 and 2)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.models import ReportRun, Target
from reporting.services.targets import target_split


def city(code, jurisdiction="500000"):
    return Target.objects.get(metric__code=code, jurisdiction__code=jurisdiction, district=None, deadline="2025-12-31")


def period_now():
    return f"{timezone.localdate():%Y-%m}"


@pytest.fixture
def done_report(ref, users):
    return ReportRun.objects.create(
        kind="district", jurisdiction=ref.jurisdictions["500000"], district=ref.districts["500112"],
        period=period_now(), status="done", language="zh-hans", requested_by=users.official,
    )  # fmt: skip


@pytest.mark.parametrize("who", ["official_bj", "progadmin_bj", "staff_bj", "staff_b"])
def test_a_report_of_another_district_cannot_be_requested(api, users, done_report, who):
    response = api(getattr(users, who)).post(
        reverse("reportrun-list"), {"kind": "district", "district": "500112", "period": period_now()}, format="json"
    )
    assert response.status_code == 404, response.json()
    done_report.refresh_from_db()
    assert (done_report.status, done_report.requested_by, done_report.language) == ("done", users.official, "zh-hans")
    assert "status" not in response.json()


@pytest.mark.parametrize("who", ["official_bj", "progadmin_bj"])
def test_a_city_report_of_another_jurisdiction_cannot_be_requested(api, users, ref, who):
    response = api(getattr(users, who)).post(
        reverse("reportrun-list"), {"kind": "city", "jurisdiction": "500000", "period": period_now()}, format="json"
    )
    assert response.status_code == 404
    assert not ReportRun.objects.exists()


def test_reports_in_scope_can_still_be_requested(api, users, done_report, task_queue):
    for user in (users.official, users.progadmin_cq, users.staff_a, users.progadmin):
        body = {"kind": "district", "district": "500112", "period": period_now()}
        assert api(user).post(reverse("reportrun-list"), body, format="json").status_code == 202, user
    body = {"kind": "city", "jurisdiction": "110000", "period": period_now()}
    assert api(users.official_bj).post(reverse("reportrun-list"), body, format="json").status_code == 202


# --- targets -----------------------------------------------------------------------------------


@pytest.fixture
def split(users, ref):
    target = city("little_giants")
    target_split(actor=users.official, target_id=target.pk, shares={"500112": 200, "500105": 100})
    return target


def test_a_target_cannot_be_moved_into_another_jurisdiction(api, users, split):
    url = reverse("target-detail", args=[split.pk])
    for method in ("put", "patch"):
        body = {"metric": "little_giants", "jurisdiction": "110000", "value": 300, "start": "2022-01-01",
                "deadline": "2025-12-31"}  # fmt: skip
        response = getattr(api(users.official), method)(url, body, format="json")
        assert response.status_code == 400, (method, response.json())
        # Refused as a move (or, first, because the target's plan is of the other city).
        assert {"jurisdiction", "policy"} & set(response.json()["errors"])
    Target.objects.filter(pk=split.pk).update(policy=None)  # no plan: the move itself is what is refused
    response = api(users.official).patch(url, {"jurisdiction": "110000"}, format="json")
    assert response.status_code == 400 and "jurisdiction" in response.json()["errors"], response.json()
    split.refresh_from_db()
    assert split.jurisdiction.code == "500000"
    assert set(Target.objects.filter(parent=split).values_list("jurisdiction__code", flat=True)) == {"500000"}


@pytest.mark.parametrize("who", ["official_bj", "progadmin_bj", "staff_a", "auditor"])
def test_outsiders_cannot_update_or_delete_a_target(api, users, split, who):
    client = api(getattr(users, who))
    part = split.parts.get(district__code="500112")
    for target in (split, part):
        url = reverse("target-detail", args=[target.pk])
        assert client.patch(url, {"source": "x"}, format="json").status_code in (403, 404)
        assert client.delete(url).status_code in (403, 404)
    assert Target.objects.filter(parent=split).count() == 2 and split.source != "x"


def test_a_district_share_changes_only_through_the_split(api, users, split):
    part = split.parts.get(district__code="500112")
    client = api(users.official)
    url = reverse("target-detail", args=[part.pk])
    response = client.patch(url, {"value": 250}, format="json")
    assert response.status_code == 400 and "split" in response.json()["detail"]
    for field, value in (("district", "500105"), ("parent", None)):
        assert client.patch(url, {field: value}, format="json").status_code == 400, field
    assert client.delete(url).status_code == 400
    part.refresh_from_db()
    assert (part.value, part.district.code, part.parent_id) == (200, "500112", split.pk)
    # The city target's value cannot drift away from its shares either...
    city_url = reverse("target-detail", args=[split.pk])
    response = client.patch(city_url, {"value": 400}, format="json")
    assert response.status_code == 400 and "split" in response.json()["detail"]
    # ...but the split changes both at once, with the same check.
    split_url = reverse("target-split", args=[split.pk])
    bad = client.post(split_url, {"value": 400, "shares": {"500112": 300}}, format="json")
    assert bad.status_code == 400
    ok = client.post(split_url, {"value": 400, "shares": {"500112": 300, "500105": 100}}, format="json")
    assert ok.status_code == 200, ok.json()
    split.refresh_from_db()
    assert split.value == 400 and sum(split.parts.values_list("value", flat=True)) == 400


def test_dates_and_source_of_a_split_target_follow_to_its_shares(api, users, split):
    response = api(users.progadmin_cq).patch(
        reverse("target-detail", args=[split.pk]), {"deadline": "2025-06-30", "source": "调整"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert set(split.parts.values_list("deadline", "source")) == {(split.deadline.__class__(2025, 6, 30), "调整")}


def test_a_target_is_created_only_in_the_callers_jurisdiction(api, users, ref):
    body = {"metric": "little_giants", "jurisdiction": "500000", "value": 10, "start": "2030-01-01",
            "deadline": "2031-12-31"}  # fmt: skip
    assert api(users.progadmin_bj).post(reverse("target-list"), body, format="json").status_code == 404
    assert api(users.progadmin_cq).post(reverse("target-list"), body, format="json").status_code == 201


def test_the_target_admin_keeps_the_same_rules(client, users, split):
    part = split.parts.get(district__code="500112")
    client.force_login(users.official)
    page = client.get(reverse("admin:reporting_target_change", args=[split.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert not {"metric", "jurisdiction", "district", "parent"} & set(form.fields)
    assert client.get(reverse("admin:reporting_target_delete", args=[part.pk])).status_code == 403
    add = client.get(reverse("admin:reporting_target_add")).context["adminform"].form
    assert set(add.fields["jurisdiction"].queryset.values_list("code", flat=True)) == {"500000"}
    assert "district" not in add.fields
    client.force_login(users.official_bj)
    assert client.post(reverse("admin:reporting_target_change", args=[split.pk]), {"value": 1}).status_code in (
        403,
        404,
        302,
    )
    split.refresh_from_db()
    assert split.value == 300
