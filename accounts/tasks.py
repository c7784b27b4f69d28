"""Celery tasks of accounts: the audit log's retention purge (monthly, idempotent)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accounts.services.audit_retention import audit_log_purge
from reference.services.jobs import job_run
from zjtx.audit_context import audit_context


@shared_task(acks_late=True, name="accounts.purge_audit_log")
def purge_audit_log() -> int:
    """Remove audit entries past the retention period; a second run finds nothing more to remove."""
    with audit_context(source="nightly"), job_run("accounts.purge_audit_log", timezone.localdate().isoformat()) as run:
        removed = audit_log_purge()
        run.result = {"removed": removed}
    return removed
