"""Retention of the audit log: entries are kept ZJTX_AUDIT_RETENTION_DAYS days (never fewer than 180).

`audit_log_purge` removes the entries older than that, and only those: on
PostgreSQL through the database function zjtx_audit_purge (the only DELETE the
log's trigger lets through, and it refuses a retention under 180 days itself);
on SQLite with a plain DELETE of the same rows.  The purge writes an entry of
its own saying how many it removed.  Run monthly by Celery beat
(`accounts.purge_audit_log`) or by `manage.py purge_audit_log`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import AuditAction, AuditEntry
from zjtx.errors import DomainError


def audit_log_purge(*, keep_days: int | None = None) -> int:
    """Delete the audit entries older than `keep_days` (default: the setting); returns how many."""
    keep = settings.ZJTX_AUDIT_RETENTION_DAYS if keep_days is None else keep_days
    if keep < settings.ZJTX_AUDIT_RETENTION_MIN_DAYS:
        raise DomainError(
            _("Audit entries are kept at least %(days)s days.") % {"days": settings.ZJTX_AUDIT_RETENTION_MIN_DAYS},
            code="retention_too_short",
        )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT zjtx_audit_purge(%s)", [keep])
            removed = int(cursor.fetchone()[0])
        else:
            cutoff = timezone.now() - timedelta(days=keep)
            cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE at < %s", [cutoff])
            removed = cursor.rowcount
        record(
            AuditAction.DELETE,
            None,
            object_repr=f"audit log: entries older than {keep} days",
            changes={"removed": removed, "keep_days": keep},
        )
    return removed
