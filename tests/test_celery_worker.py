"""Tasks executed by a real `celery worker` process over Redis, against the test database."""

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enterprises.models import Enterprise
from tests.enterprises.test_import import csv_bytes, good_row
from tiers.models import Certification
from tiers.services import lifecycle
from tiers.tasks import expire_certifications

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_expiry_task_runs_on_a_real_worker(celery_worker, users, ref, make_enterprise):
    today = timezone.localdate()
    cert = lifecycle.certification_import(
        actor=users.superuser,
        enterprise=make_enterprise(),
        tier=ref.tiers["innovative_sme"],
        valid_from=today - timedelta(days=1200),
        valid_until=today - timedelta(days=1),
    )
    result = expire_certifications.delay()
    assert result.get(timeout=60) == 1
    cert.refresh_from_db()
    assert cert.status == "expired"
    # Idempotent: a second run finds nothing to do.
    assert expire_certifications.delay().get(timeout=60) == 0
    assert Certification.objects.filter(status="expired").count() == 1


def test_uploaded_import_is_processed_by_the_worker(celery_worker, api, users, ref):
    upload = SimpleUploadedFile("渝北名单.csv", csv_bytes([good_row(1), good_row(2), good_row(3, 所属区县="火星区")]))
    response = api(users.staff_a).post(reverse("enterprise-import-file"), {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = api(users.staff_a).get(reverse("importrun-detail", args=[run_id])).json()
        if run["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert run["status"] == "done", run
    assert (run["rows_created"], run["rows_rejected"]) == (2, 1)
    errors = api(users.staff_a).get(reverse("importrun-errors", args=[run_id])).json()
    assert errors["count"] == 1 and errors["results"][0]["row"] == 4
    assert Enterprise.objects.count() == 2
