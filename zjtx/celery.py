"""The Celery application. Tasks are thin wrappers over services; see each app's tasks.py."""

import os
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import before_task_publish, task_postrun, task_prerun, worker_ready

from zjtx.requestid import new_id, request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjtx.settings")

app = Celery("zjtx")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="zjtx.send_waiting_runs", ignore_result=True)
def send_waiting_runs() -> dict[str, int]:
    """The outbox's sweep (zjtx/outbox.py): send the runs recorded while the broker was down."""
    from zjtx import outbox

    return outbox.sweep()


@worker_ready.connect
def _sweep_when_a_worker_starts(**_kwargs: Any) -> None:
    # A worker that starts after an outage (of itself, or of Redis) sends what waited, without waiting for beat.
    from zjtx import outbox

    try:
        outbox.sweep()
    finally:
        from django.db import connections

        connections.close_all()  # the prefork children must not inherit the parent's connection


# The static schedule, in Asia/Shanghai time (CELERY_TIMEZONE).
_sweep_every = float(os.environ.get("ZJTX_QUEUE_SWEEP_SECONDS", "30") or 30)
app.conf.beat_schedule = {
    # Runs recorded while Redis was down are sent once it is back (a sweep that finds none costs a query per kind).
    "send-waiting-runs": {
        "task": "zjtx.send_waiting_runs",
        "schedule": _sweep_every,
        "options": {"expires": _sweep_every},  # sweeps that waited for a worker are dropped, not piled up
    },
    "expire-certifications": {
        "task": "enterprises.expire_certifications",
        "schedule": crontab(hour=0, minute=30),
    },
    # After the expiry job, so the day's counts no longer include ended certifications.
    "daily-progress-snapshot": {
        "task": "reporting.daily_snapshot",
        "schedule": crontab(hour=1, minute=0),
    },
    # After the expiry job, so each firm is assessed for the rung above the tier it still holds; after the
    # snapshot, so the two heavier jobs do not compete for the same cores, and the candidate pipeline
    # shows the night's gap (snapshot) beside the night's candidates.
    "assess-eligibility": {
        "task": "enterprises.assess_eligibility",
        "schedule": crontab(hour=1, minute=30),
    },
    # Policy matching (政策找企业): after the expiry job (tiers held on the day) and the eligibility
    # assessment, so the two heavy jobs do not share the cores; before the working day.
    "match-benefits": {
        "task": "programs.match_benefits",
        "schedule": crontab(hour=2, minute=15),
    },
    "monthly-district-reports": {
        "task": "reporting.monthly_reports",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # Before the progress snapshot, so the day's demand figures are ready for the reports.
    "servicedesk-daily-check": {
        "task": "enterprises.servicedesk_daily_check",
        "schedule": crontab(hour=0, minute=45),
    },
    # In the morning, after the night's jobs: what became due or overdue, to the site, e-mail and group robot.
    "servicedesk-daily-notifications": {
        "task": "servicedesk.daily_notifications",
        "schedule": crontab(hour=7, minute=0),
    },
    # The audit log's retention purge (entries past ZJTX_AUDIT_RETENTION_DAYS, never under 180 days).
    "purge-audit-log": {
        "task": "accounts.purge_audit_log",
        "schedule": crontab(day_of_month=1, hour=3, minute=30),
    },
}


# The request id (zjtx/requestid.py) travels in each task message's headers and is set again around
# the task's run, so the worker's log lines of a task carry the id of the request that queued it.
@before_task_publish.connect
def _send_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is not None and request_id.get():
        headers.setdefault("request_id", request_id.get())


_tokens: dict[str, Any] = {}


@task_prerun.connect
def _take_request_id(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    given = getattr(task.request, "request_id", None) if task is not None else None
    _tokens[task_id] = request_id.set(given or request_id.get() or new_id())


@task_postrun.connect
def _drop_request_id(task_id: str = "", **kwargs: Any) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        request_id.reset(token)
