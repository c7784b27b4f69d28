"""Redis restarted under a working Celery worker: no queued or running job is lost, no result is duplicated.

The test starts a Redis of its own (a throwaway redis-server on a free loopback
port, append-only file in a temporary folder, fsync on every write, so a
restart keeps the queue, as production's Redis must be configured) and a real
worker bound to it.  Reports are queued, each slowed down so that the restart
falls in the middle of one; Redis is restarted twice (once while a report is
being written), more reports are queued after that, and every report must end
done, once: one row per place and period, both files in place.  A task whose
acknowledgement was lost with the connection is delivered again after the
(here short) visibility timeout, and the report service regenerates in place,
so a second execution changes nothing but the attempt count.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from reporting.models import ReportRun
from reporting.tasks import generate_report
from tests.conftest import ROOT, WorkerProcess, celery_app_for
from tests.processes import PrivateRedis
from tests.reporting.test_jobs_on_worker import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

DISTRICTS = ["500112", "500105", "500103", "500104", "500106", "500107", "500108", "500113"]
PERIOD = "2024-04"  # a period no other test writes


def queue(run_ids: list[int], broker: str, queue_name: str) -> None:
    client = celery_app_for(broker)
    for run_id in run_ids:
        client.send_task(generate_report.name, args=[run_id], queue=queue_name)


def test_redis_restart_loses_no_job_and_duplicates_no_result(task_queue, transactional_db, ref, tmp_path, capsys):
    (ROOT / "var").mkdir(exist_ok=True)
    server = PrivateRedis(tmp_path)
    server.start()
    runs = [
        ReportRun.objects.create(
            kind="district", jurisdiction=ref.jurisdictions["500000"], district=ref.districts[code], period=PERIOD
        )
        for code in DISTRICTS
    ]
    ids = [r.pk for r in runs]
    env = {
        "REDIS_URL": server.url,
        "CELERY_BROKER_URL": server.url,
        "CELERY_RESULT_BACKEND": server.url,
        "ZJTX_TEST_REPORT_PAUSE": "0.3",  # each report takes most of a second: the restart falls inside one
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_RESTORE_INTERVAL": "1",
        "CELERY_RESTORE_THROTTLE": "1",
    }
    worker = WorkerProcess(task_queue, extra_env=env, concurrency=1)
    started = time.monotonic()
    try:
        worker.wait_ready()
        queue(ids[:6], server.url, task_queue)
        done = ReportRun.objects.filter(pk__in=ids, status="done")
        assert wait_for(lambda: done.count() >= 2, timeout=60)
        assert wait_for(lambda: ReportRun.objects.filter(pk__in=ids, status="running").exists(), timeout=30)
        server.restart()  # while a report is being written, four still queued
        assert wait_for(lambda: done.count() >= 4, timeout=90)
        server.restart()
        queue(ids[6:], server.url, task_queue)  # the broker takes new work after the restarts
        assert wait_for(lambda: done.count() == len(ids), timeout=120), list(
            ReportRun.objects.filter(pk__in=ids).values_list("district__code", "status", "attempts")
        )
    finally:
        worker.stop()
        server.stop()
    elapsed = time.monotonic() - started

    finished = ReportRun.objects.filter(pk__in=ids)
    assert ReportRun.objects.filter(period=PERIOD).count() == len(DISTRICTS)  # one row per place: no duplicate
    attempts = sum(r.attempts for r in finished)
    for run in finished:
        assert run.status == "done" and run.attempts >= 1
        for stored in (run.pdf, run.xlsx):
            assert default_storage.size(stored.name) > 0
    scratch = Path(settings.MEDIA_ROOT) / "tmp" / "reports" / PERIOD
    assert not list(scratch.glob("*.tmp"))
    assert default_storage.listdir(f"reports/{PERIOD}")[1] == sorted(
        f"district-{code}.{suffix}" for code in DISTRICTS for suffix in ("pdf", "xlsx")
    )  # no half-written leftovers, no second copies
    with capsys.disabled():
        print(
            f"\nredis restart: {len(ids)} reports, {server.restarts} restarts, all done once in {elapsed:.1f} s; "
            f"{attempts - len(ids)} re-executions after a lost acknowledgement"
        )
