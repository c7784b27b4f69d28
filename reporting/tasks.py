"""Celery tasks of targets and reports: thin, idempotent, recorded in JobRun, retried on transient errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from reference.services.jobs import job_run
from reporting.services import reports, snapshots
from zjtx import outbox

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="reporting.daily_snapshot",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    max_retries=5,
)
def daily_snapshot(day: str | None = None) -> int:
    """Snapshot every target metric for every district and city; a rerun for the same day replaces it.

    Deadline days of closed targets that were never snapshotted are taken too (their final results).
    """
    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    with job_run("reporting.daily_snapshot", when.isoformat()) as run:
        written = snapshots.snapshot_day(when)
        deadlines = snapshots.ensure_deadline_snapshots(when)
        run.result = {"rows": written, "deadline_days": [d.isoformat() for d in deadlines]}
    return written


@shared_task(
    name="reporting.monthly_reports",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    max_retries=5,
)
def monthly_reports(period: str | None = None) -> list[int]:
    """Queue last month's report for every district and city."""
    period = period or reports.previous_period()
    with job_run("reporting.monthly_reports", period) as run:
        ids = reports.monthly_reports(period)
        run.result = {"reports": len(ids)}
    return ids


@shared_task(
    bind=True,
    name="reporting.generate_report",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    max_retries=5,
)
def generate_report(self: Any, run_id: int) -> str | None:
    if not outbox.claim(self, run_id):
        return None
    run = reports.report_generate(run_id)
    return run.status if run else None
