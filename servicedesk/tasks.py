"""Celery tasks of the service desk: the daily check (a thin wrapper over the service)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task

from servicedesk import notifications
from servicedesk import services as servicedesk
from zjtx.audit_context import audit_context

# Task names are persisted (beat schedule, queued messages, JobRun.job) and keep the prefix they had
# before the tiers moved out of the registry app.


@shared_task(acks_late=True, name="enterprises.servicedesk_daily_check")
def servicedesk_daily_check(day: str | None = None) -> dict[str, Any]:
    """Daily: overdue demands and enterprises due for a visit, per district. A second run for the day replaces it."""
    with audit_context(source="nightly"):
        run = servicedesk.daily_check_run(day=dt.date.fromisoformat(day) if day else None)
    return {"run": run.pk, "day": run.key, **run.result}


@shared_task(acks_late=True, name="servicedesk.daily_notifications")
def daily_notifications(day: str | None = None) -> dict[str, Any]:
    """Daily: notify what became due or overdue (site list, e-mail digest, group robot). Safe to run twice."""
    with audit_context(source="nightly"):
        run = notifications.notifications_run(day=dt.date.fromisoformat(day) if day else None)
    return {"run": run.pk, "day": run.key, **run.result}
