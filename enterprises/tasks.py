"""Celery tasks of the registry: thin, idempotent wrappers over services."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from enterprises.services import importing
from zjtx import outbox

# A database that went away (restarting) fails the task before it wrote anything: it is tried again
# (the same message id, so the run's claim holds) rather than left waiting.
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    acks_late=True,
    name="enterprises.run_import",
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    max_retries=5,
)
def run_import(self: Any, run_id: int) -> str | None:
    if not outbox.claim(self, run_id):
        return None
    run = importing.import_execute(run_id)
    return run.status if run else None
