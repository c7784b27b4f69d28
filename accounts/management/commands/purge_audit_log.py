"""Remove audit entries older than the retention period (ZJTX_AUDIT_RETENTION_DAYS, at least 180 days)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services.audit_retention import audit_log_purge
from zjtx.audit_context import audit_context
from zjtx.errors import DomainError


class Command(BaseCommand):
    help = "Delete audit entries older than the retention period (never younger than 180 days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--keep-days", type=int, default=None, help="default: ZJTX_AUDIT_RETENTION_DAYS")

    def handle(self, *args: Any, keep_days: int | None, **options: Any) -> None:
        try:
            with audit_context(source="command"):
                removed = audit_log_purge(keep_days=keep_days)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"removed {removed} audit entries")
