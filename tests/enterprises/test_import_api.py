"""The import runs in the API: the list shows counts, the rejected rows are paginated and downloadable."""

import csv
import io

from django.urls import reverse

from accounts.models import AuditEntry
from enterprises.services.importing import enterprises_import
from tests.enterprises.test_import import csv_bytes, good_row


def _run_with_errors(user, bad=120):
    rows = [good_row(1)] + [good_row(n, 所属区县="火星区") for n in range(2, bad + 2)]
    return enterprises_import(actor=user, stream=io.BytesIO(csv_bytes(rows)), file_name="名单.csv")


def test_the_list_shows_counts_not_errors(api, users, ref, django_assert_max_num_queries):
    for _ in range(3):
        _run_with_errors(users.staff_a)
    client = api(users.staff_a)
    with django_assert_max_num_queries(4):
        body = client.get(reverse("importrun-list")).json()
    assert body["count"] == 3
    for run in body["results"]:
        assert "errors" not in run and run["rows_rejected"] == 120
    detail = client.get(reverse("importrun-detail", args=[body["results"][0]["id"]])).json()
    assert "errors" not in detail and detail["rows_rejected"] == 120


def test_errors_are_paginated_in_file_order(api, users, ref):
    run = _run_with_errors(users.staff_a)
    client = api(users.staff_a)
    first = client.get(reverse("importrun-errors", args=[run.pk]), {"page_size": 50}).json()
    assert first["count"] == 120 and len(first["results"]) == 50
    assert [e["row"] for e in first["results"]][:3] == [3, 4, 5]
    assert "火星区" in first["results"][0]["reasons"][0]
    last = client.get(reverse("importrun-errors", args=[run.pk]), {"page_size": 50, "page": 3}).json()
    assert [e["row"] for e in last["results"]][-1] == 122


def test_errors_download_as_csv_and_the_download_is_audited(api, users, ref, client):
    run = _run_with_errors(users.staff_a, bad=3)
    response = api(users.staff_a).get(reverse("importrun-errors-file", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Credit code", "Reasons"] and [r[0] for r in rows[1:]] == ["3", "4", "5"]
    assert AuditEntry.objects.filter(action="export", object_id=str(run.pk)).count() == 1
    client.force_login(users.staff_a)
    page = client.get(reverse("enterprises:import-errors", args=[run.pk]))
    assert page.status_code == 200 and "火星区" in page.content.decode("utf-8-sig")


def test_another_district_gets_404(api, users, ref, client):
    run = _run_with_errors(users.staff_a, bad=1)
    for name in ("importrun-errors", "importrun-errors-file"):
        assert api(users.staff_b).get(reverse(name, args=[run.pk])).status_code == 404
    client.force_login(users.staff_b)
    assert client.get(reverse("enterprises:import-errors", args=[run.pk])).status_code == 404
