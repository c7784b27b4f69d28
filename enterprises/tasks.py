"""Celery tasks of the registry: thin, idempotent wrappers over services."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from enterprises.services import importing
from zjtx import outbox


@shared_task(bind=True, acks_late=True, name="enterprises.run_import")
def run_import(self: Any, run_id: int) -> str | None:
    if not outbox.claim(self, run_id):
        return None
    run = importing.import_execute(run_id)
    return run.status if run else None
