"""/healthz, /readyz and its registry of checks, /metrics, request ids, JSON logs, the client's address."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from ops import broker
from reference.models import JobRun
from zjtx import health
from zjtx.logformat import JsonFormatter
from zjtx.requestid import RequestIdFilter, request_id


@pytest.fixture
def heartbeat(settings):
    broker.client.cache_clear()
    broker.beat("test-worker@here")
    yield
    broker.client().zrem(broker.HEARTBEATS, "test-worker@here")


def test_healthz_answers_without_the_database_or_a_known_host(settings):
    settings.ALLOWED_HOSTS = ["example.org"]
    response = Client().get("/healthz", HTTP_HOST="10.0.0.5")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_runs_every_registered_check(heartbeat):
    response = Client().get("/readyz", HTTP_HOST="10.0.0.5")
    body = response.json()
    assert response.status_code == 200, body
    assert set(body["checks"]) >= {"database", "cache", "task_queue", "migrations", "worker", "nightly_jobs"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.redis
@pytest.mark.django_db
def test_a_registered_check_that_fails_or_raises_makes_the_node_not_ready(heartbeat, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "queue", health.Registered(lambda: "the queue is down", critical=True))
    monkeypatch.setitem(health.CHECKS, "broken", health.Registered(lambda: 1 / 0, critical=True))
    response = Client().get("/readyz")
    checks = response.json()["checks"]
    assert response.status_code == 503
    assert checks["queue"] == {"ok": False, "ms": checks["queue"]["ms"], "error": "the queue is down", "critical": True}
    assert checks["broken"]["error"].startswith("ZeroDivisionError")
    assert checks["database"]["ok"]


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_wants_a_recent_worker_heartbeat_and_no_failed_nightly_job(settings):
    broker.client.cache_clear()
    broker.client().delete(broker.HEARTBEATS)
    broker.client().zadd(broker.HEARTBEATS, {"old-worker@gone": 1_000_000})
    checks = Client().get("/readyz").json()["checks"]
    assert not checks["worker"]["ok"] and "last seen" in checks["worker"]["error"]
    broker.beat("test-worker@here")
    JobRun.objects.create(job="servicedesk_daily_check", key="2026-01-01", status="failed")
    checks = Client().get("/readyz").json()["checks"]
    assert checks["worker"]["ok"]
    assert checks["nightly_jobs"]["error"] == "last run failed: enterprises.servicedesk_daily_check [2026-01-01]"
    JobRun.objects.create(job="servicedesk_daily_check", key="2026-01-02", status="done")
    assert Client().get("/readyz").json()["checks"]["nightly_jobs"]["ok"]


@pytest.mark.redis
@pytest.mark.django_db
def test_metrics_only_for_allowed_addresses(heartbeat, users, api):
    api(users.staff_a).get("/api/v1/enterprises/")
    broker.count_failure("reporting.generate_report")
    denied = Client(REMOTE_ADDR="10.0.0.9").get("/metrics")
    assert denied.status_code == 403
    text = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    assert 'view="enterprise-list"' in text
    assert "django_db_execute_total" in text
    assert 'zjtx_celery_task_failures_total{task="reporting.generate_report"}' in text
    assert 'zjtx_celery_worker_heartbeat_age_seconds{worker="test-worker@here"}' in text
    assert 'zjtx_job_last_success_timestamp_seconds{job="reporting.daily_snapshot"} 0.0' in text


@pytest.mark.django_db
def test_each_response_carries_its_request_id():
    client = Client()
    made = client.get("/login/")["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/login/")["X-Request-ID"]
    assert client.get("/login/", HTTP_X_REQUEST_ID="abcdef0123456789")["X-Request-ID"] == "abcdef0123456789"
    assert client.get("/login/", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord("zjtx.test", logging.INFO, __file__, 1, "report %s", ("done",), None)
    record.path = "/api/v1/reports/"
    token = request_id.set("0123456789abcdef")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "report done" and line["level"] == "INFO" and line["logger"] == "zjtx.test"
    assert line["request_id"] == "0123456789abcdef" and line["path"] == "/api/v1/reports/"


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_client_address_is_the_proxys_header(settings, users):
    from accounts.models import AuditEntry

    settings.ZJTX_TRUSTED_PROXIES = ["127.0.0.1"]
    body = {"username": "staff_a", "password": "wrong-password-1"}
    Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.2.3.4").post("/api/v1/auth/token/", body)
    Client(REMOTE_ADDR="10.9.9.9", HTTP_X_REAL_IP="10.2.3.4").post("/api/v1/auth/token/", body)
    addresses = list(AuditEntry.objects.filter(action="login_failed").values_list("remote_addr", flat=True))
    assert sorted(addresses) == ["10.2.3.4", "10.9.9.9"]  # an untrusted sender cannot choose its address
