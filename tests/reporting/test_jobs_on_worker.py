"""The progress jobs through a real Celery worker: recorded, idempotent, and surviving a killed worker."""

import datetime as dt
import io
import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from reference.models import JobRun
from reporting.models import MetricSnapshot, ReportRun
from reporting.tasks import daily_snapshot, generate_report, monthly_reports
from tests.conftest import WorkerProcess

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout=90, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def test_daily_snapshot_on_the_worker_is_recorded_and_idempotent(celery_worker, ref, holders):
    day = timezone.localdate().isoformat()
    first = daily_snapshot.delay(day).get(timeout=60)
    second = daily_snapshot.delay(day).get(timeout=60)
    assert first == second > 0
    assert MetricSnapshot.objects.filter(day=day).count() == first
    runs = JobRun.objects.filter(job="reporting.daily_snapshot", key=day)
    assert [r.status for r in runs] == ["done", "done"]
    assert all(r.finished_at and r.result["rows"] == first for r in runs)
    # The first run also took the deadline days of the closed targets (their final results); the second had none.
    assert [r.result["deadline_days"] for r in runs.order_by("started_at")] == [
        ["2022-12-31", "2023-12-31", "2024-12-31", "2025-12-31"],
        [],
    ]


def test_monthly_reports_for_every_district(celery_worker, ref, holders):
    period = f"{timezone.localdate() - dt.timedelta(days=timezone.localdate().day):%Y-%m}"
    daily_snapshot.delay().get(timeout=60)
    ids = monthly_reports.delay(period).get(timeout=60)
    # Two cities, Chongqing's 38 districts, Beijing's 16 + the development area, and the closing evaluation of
    # Chongqing's 2022–2025 plan, which ended before the period did.
    assert len(ids) == 2 + 38 + 17 + 1
    assert wait_for(lambda: ReportRun.objects.filter(pk__in=ids, status="done").count() == len(ids), timeout=180)
    closing = ReportRun.objects.get(kind="closing")
    assert closing.plan.code == "cq-2022-2025-action-plan" and closing.period == "2025-12" and closing.pdf
    # Asking again regenerates in place: still one report per district and period; the evaluation is made once.
    again = monthly_reports.delay(period).get(timeout=60)
    assert sorted(again) == sorted(set(ids) - {closing.pk})
    assert ReportRun.objects.count() == len(ids)


def test_killed_worker_mid_report_leaves_one_complete_report(task_queue, transactional_db, ref, holders, users):
    run = ReportRun.objects.create(
        kind="district", jurisdiction=ref.jurisdictions["500000"], district=ref.districts["500112"],
        period="2024-02", language="zh-hans",  # a period no other test writes
    )  # fmt: skip
    scratch = Path(settings.MEDIA_ROOT) / "tmp" / "reports" / run.period  # the worker's own temporary files
    slow = WorkerProcess(task_queue, extra_env={"ZJTX_TEST_REPORT_PAUSE": "60"}, concurrency=1)
    try:
        slow.wait_ready()
        generate_report.delay(run.pk)
        # Stop it while the files are rendered on the worker's node but not yet in the shared storage.
        assert wait_for(lambda: any(scratch.glob(".district-500112.xlsx.*.tmp")), timeout=60)
        assert ReportRun.objects.get(pk=run.pk).status == "running"
        os.killpg(slow.proc.pid, signal.SIGKILL)
        slow.proc.wait(timeout=30)
    finally:
        slow.stop()
    assert not default_storage.exists("reports/2024-02/district-500112.pdf")
    assert ReportRun.objects.get(pk=run.pk).status == "running"

    fresh = WorkerProcess(
        task_queue,
        extra_env={"CELERY_VISIBILITY_TIMEOUT": "2", "CELERY_RESTORE_INTERVAL": "1", "CELERY_RESTORE_THROTTLE": "1"},
    )
    try:
        fresh.wait_ready()
        assert wait_for(lambda: ReportRun.objects.get(pk=run.pk).status == "done", timeout=90)
    finally:
        fresh.stop()
    done = ReportRun.objects.get(pk=run.pk)
    assert ReportRun.objects.count() == 1 and done.attempts == 2
    with done.pdf.open("rb") as fh:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    assert "重庆市渝北区" in text
    assert default_storage.listdir("reports/2024-02") == ([], ["district-500112.pdf", "district-500112.xlsx"])
    assert not list(scratch.glob(".*.tmp"))
