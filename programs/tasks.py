"""Celery tasks of the programs: the nightly policy matching (a thin wrapper over its service)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from programs.services import matching
from zjtx.audit_context import audit_context

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(name=matching.JOB, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=5, max_retries=5)
def match_benefits(day: str | None = None) -> dict[str, Any]:
    """Nightly: every enterprise against every measure in force. A rerun for the same day writes nothing."""
    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    with audit_context(source="nightly"):
        return matching.benefit_matching_run(when)
