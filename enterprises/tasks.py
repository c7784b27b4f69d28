"""Celery tasks of the registry: thin, idempotent wrappers over services."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task

from accounts.audit import audit_context
from enterprises.services import importing, lifecycle, servicedesk


@shared_task(acks_late=True, name="enterprises.run_import")
def run_import(run_id: int) -> str | None:
    run = importing.import_execute(run_id)
    return run.status if run else None


@shared_task(acks_late=True, name="enterprises.expire_certifications")
def expire_certifications() -> int:
    """Nightly: certifications whose period has ended stop counting. Running it twice expires nothing more."""
    with audit_context(source="nightly"):
        return lifecycle.certifications_expire()


@shared_task(acks_late=True, name="enterprises.servicedesk_daily_check")
def servicedesk_daily_check(day: str | None = None) -> dict[str, Any]:
    """Daily: overdue demands and enterprises due for a visit, per district. A second run for the day replaces it."""
    with audit_context(source="nightly"):
        run = servicedesk.daily_check_run(day=date.fromisoformat(day) if day else None)
    return {"run": run.pk, "day": run.key, **run.result}
