"""The outbox of queued runs (zjtx/outbox.py), the failover cache (zjtx/cache.py), /readyz and the 503 page.

The whole story with real processes (Redis stopped and started, no worker, PostgreSQL restarted) is
told by tests/test_faults_queue.py and tests/test_faults_postgres.py; these tests pin the rules.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
import redis
from django.apps import apps
from django.conf import settings
from django.db import OperationalError
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from enterprises.models.registry import ImportRun
from reporting.models import ReportRun
from tests.processes import free_port
from zjtx import outbox
from zjtx.api import server_error
from zjtx.cache import FailoverRedisCache
from zjtx.celery import app
from zjtx.outbox import QueuedRun

ROOT = Path(__file__).resolve().parent.parent


def test_every_queued_task_is_a_registered_kind_of_run():
    """A task queued with enqueue_on_commit must be known to the sweeper, on a model with the outbox fields."""
    queued = set()
    folders = [Path(config.path) for config in apps.get_app_configs() if Path(config.path).is_relative_to(ROOT)]
    for path in (p for folder in folders for p in folder.rglob("*.py")):
        queued |= set(re.findall(r'enqueue_on_commit\(\s*"([\w.]+)"', path.read_text(encoding="utf-8")))
    assert queued, "no enqueue_on_commit call found"
    assert queued <= set(outbox.KINDS), queued - set(outbox.KINDS)
    for kind in outbox.KINDS.values():
        assert issubclass(apps.get_model(kind.model_label), QueuedRun)
        assert kind.task in app.tasks or outbox.task_named(kind.task)


@pytest.fixture
def unsent_report(ref):
    run = ReportRun.objects.create(
        kind="district", jurisdiction=ref.jurisdictions["500000"], district=ref.districts["500112"], period="2024-03"
    )
    ReportRun.objects.filter(pk=run.pk).update(enqueued_at=timezone.now() - dt.timedelta(minutes=5))
    run.refresh_from_db()
    return run


@pytest.fixture
def purge_queue(task_queue):
    """The test's messages are left to nobody: removed from Redis afterwards."""
    yield task_queue
    if settings.CELERY_BROKER_URL.startswith("redis"):
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(task_queue)


@pytest.mark.redis
def test_the_sweep_sends_a_waiting_run_once(unsent_report, purge_queue):
    fresh = ReportRun.objects.create(
        kind="city", jurisdiction=unsent_report.jurisdiction, period="2024-03", enqueued_at=timezone.now()
    )
    assert outbox.sweep() == {"reporting.generate_report": 1}  # the fresh one waits for the delay
    unsent_report.refresh_from_db()
    assert unsent_report.sent_at is not None
    assert outbox.sweep() == {}  # sent: not again
    assert outbox.sweep(everything=True) == {
        "reporting.generate_report": 2
    }  # by hand: every unclaimed waiting run, now
    fresh.refresh_from_db()
    assert fresh.sent_at is not None
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).llen(purge_queue) == 3


def test_a_run_is_claimed_by_one_message_and_again_only_by_the_same(unsent_report):
    task = outbox.task_named("reporting.generate_report")

    def claim_as(task_id):
        task.push_request(id=task_id)
        try:
            return outbox.claim(task, unsent_report.pk)
        finally:
            task.pop_request()

    first, other = str(uuid.uuid4()), str(uuid.uuid4())
    assert claim_as(first)
    assert not claim_as(other)  # a second message for the same run is skipped
    assert claim_as(first)  # the same message redelivered (its worker died) goes on
    unsent_report.refresh_from_db()
    assert (unsent_report.task_id, unsent_report.claims) == (first, 2)
    assert unsent_report.claimed_at is not None


def test_a_message_for_a_run_that_no_longer_waits_is_left_to_the_service(unsent_report):
    """e.g. a tier list's preview message arriving after the list was confirmed: nothing is recorded, so
    the apply message claims the run."""
    ReportRun.objects.filter(pk=unsent_report.pk).update(status="done")
    task = outbox.task_named("reporting.generate_report")
    task.push_request(id="late-message")
    try:
        assert outbox.claim(task, unsent_report.pk)
    finally:
        task.pop_request()
    unsent_report.refresh_from_db()
    assert (unsent_report.task_id, unsent_report.claims) == ("", 0)


def test_the_notice_says_why_a_run_waits(unsent_report, settings):
    assert "queue is unavailable" in outbox.waiting_notice(unsent_report)
    unsent_report.sent_at = timezone.now()
    assert outbox.waiting_notice(unsent_report) == ""
    unsent_report.sent_at = timezone.now() - dt.timedelta(seconds=settings.ZJTX_QUEUE_WORKER_WAIT_SECONDS + 1)
    assert "Waiting for a background worker" in outbox.waiting_notice(unsent_report)
    unsent_report.claimed_at = timezone.now()
    assert outbox.waiting_notice(unsent_report) == ""
    unsent_report.claimed_at, unsent_report.status = None, "done"
    assert outbox.waiting_notice(unsent_report) == ""


def test_the_import_page_and_the_api_say_the_queue_is_down(users, client, api):
    run = ImportRun.objects.create(
        file_name="x.csv", actor=users.staff_a, district=users.staff_a.district, enqueued_at=timezone.now()
    )
    client.force_login(users.staff_a)
    page = client.get(reverse("enterprises:import-detail", args=[run.pk]))
    assert "后台任务队列暂不可用，已记录，恢复后自动处理。" in page.content.decode()  # pages are Chinese by default
    body = api(users.staff_a, "zh-hans").get(f"/api/v1/imports/{run.pk}/").json()
    assert body["queue_notice"] == "后台任务队列暂不可用，已记录，恢复后自动处理。"
    assert body["sent_at"] is None


def test_the_cache_serves_from_memory_while_redis_is_down():
    cache = FailoverRedisCache(f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"retry_seconds": 60}})
    assert cache.available
    cache.set("k", 1)  # refused: kept in memory instead of raising
    assert not cache.available
    assert cache.get("k") == 1 and cache.incr("k") == 2 and cache.get_many(["k"]) == {"k": 2}


@pytest.mark.redis
def test_the_cache_uses_redis_when_it_answers():
    cache = FailoverRedisCache(settings.REDIS_URL, {"OPTIONS": {"retry_seconds": 60}})
    key = f"zjtx-test-{uuid.uuid4().hex}"
    cache.set(key, "v", 30)
    assert cache.available and redis.Redis.from_url(settings.REDIS_URL).exists(cache.make_and_validate_key(key))
    cache.delete(key)


def test_throttling_goes_on_in_memory_while_redis_is_down(users, api, monkeypatch):
    """Lists answer, and the login rate still counts (per process), with the throttle's Redis unreachable."""
    down = FailoverRedisCache(f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"retry_seconds": 60}})
    monkeypatch.setattr(SimpleRateThrottle, "cache", down)
    assert api(users.staff_a).get("/api/v1/enterprises/").status_code == 200
    anonymous = api()
    answers = [
        anonymous.post("/api/v1/auth/token/", {"username": "nobody", "password": "wrong"}).status_code
        for _ in range(11)
    ]
    assert answers[:10].count(429) == 0 and answers[10] == 429
    assert not down.available


def test_readyz_is_degraded_not_unready_when_the_queue_is_down(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"):
        answer = client.get("/readyz")
    body = answer.json()
    assert answer.status_code == 200 and body["status"] == "degraded", body
    assert body["checks"]["database"]["ok"] and not body["checks"]["task_queue"]["ok"]
    assert "unavailable" in body["checks"]["task_queue"]["error"]


def test_a_database_error_answers_503_json_in_the_api_and_a_page_elsewhere():
    factory = RequestFactory()
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        api_answer = server_error(factory.get("/api/v1/enterprises/"))
        page = server_error(factory.get("/enterprises/"))
    assert api_answer.status_code == 503 and api_answer["Retry-After"]
    assert b"database_unavailable" in api_answer.content
    assert page.status_code == 503 and "数据库暂时不可用" in page.content.decode()
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(factory.get("/api/v1/enterprises/")).status_code == 500


@pytest.mark.redis
def test_a_nightly_job_missed_while_the_broker_was_down_is_sent_once(db, purge_queue):
    from reference.models import JobRun
    from reference.services.catch_up import send_missed_jobs

    now = timezone.now()
    for job, days_ago in (("enterprises.assess_eligibility", 2), ("reporting.daily_snapshot", 0)):
        run = JobRun.objects.create(job=job, key="x", status="done")
        JobRun.objects.filter(pk=run.pk).update(started_at=now - dt.timedelta(days=days_ago, minutes=1))
    # Last night's assessment never started (the snapshot ran today); jobs that never ran here are not guessed at.
    assert send_missed_jobs(now) == {"enterprises.assess_eligibility": 1}
    assert send_missed_jobs(now) == {}  # marked: not again
    marker = JobRun.objects.get(job="enterprises.assess_eligibility", key="catch-up")
    assert marker.result["sent_again"] and marker.status == "done"
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).llen(purge_queue) == 1
