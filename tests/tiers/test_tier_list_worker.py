"""A tier list imported through the API and a real Celery worker: preview, confirm, and a rerun that changes nothing."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry
from enterprises.models import Enterprise
from enterprises.rules import credit_code
from tests.tiers.test_tier_lists import list_csv
from tiers.models import Certification

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _wait(client, run_id, statuses):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = client.get(reverse("tierlistimport-detail", args=[run_id])).json()
        if run["status"] in statuses:
            return run
        time.sleep(0.2)
    raise AssertionError(f"still {run['status']}")


def _upload(client, data):
    upload = SimpleUploadedFile("2025年创新型中小企业名单.csv", data)
    response = client.post(
        reverse("tierlistimport-list"),
        {"file": upload, "tier": "innovative_sme", "kind": "certification", "default_industry": "C"},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    return response.json()["id"]


def test_list_import_preview_confirm_and_rerun_on_a_real_worker(celery_worker, api, users, ref, make_enterprise):
    known = make_enterprise("500112", name="渝北名单企业有限公司")
    rows = [
        [known.name, known.credit_code, "渝北区", "2025年第一批", "2025-06-01", "2025-07-01", "", ""],
        ["新名单企业有限公司", credit_code.make("91500105000000999"), "江北区", "", "", "2025-07-01", "", ""],
    ]
    client = api(users.official)
    run_id = _upload(client, list_csv(rows))
    run = _wait(client, run_id, ("previewed", "failed"))
    assert run["status"] == "previewed", run
    assert (run["counts"]["new"], run["counts"]["new_enterprises"]) == (2, 1)
    assert Certification.objects.count() == 0
    preview = client.get(reverse("tierlistimport-rows", args=[run_id])).json()
    assert [r["outcome"] for r in preview["results"]] == ["new", "new"]

    assert client.post(reverse("tierlistimport-confirm", args=[run_id]), {}, format="json").status_code == 202
    run = _wait(client, run_id, ("done", "failed"))
    assert run["status"] == "done", run
    assert run["written"]["certifications_created"] == 2
    assert Enterprise.objects.count() == 2 and Certification.objects.count() == 2

    before = (Certification.objects.count(), AuditEntry.objects.count())
    again = _upload(client, list_csv(rows))
    run = _wait(client, again, ("previewed", "failed"))
    assert run["counts"]["recorded"] == 2 and run["counts"]["new"] == 0
    client.post(reverse("tierlistimport-confirm", args=[again]), {}, format="json")
    assert _wait(client, again, ("done", "failed"))["status"] == "done"
    assert (Certification.objects.count(), AuditEntry.objects.count()) == before
    # District staff see no list imports.
    assert api(users.staff_a).get(reverse("tierlistimport-detail", args=[again])).status_code == 404
