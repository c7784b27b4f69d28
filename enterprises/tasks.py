"""Celery tasks of the registry: thin, idempotent wrappers over services."""

from __future__ import annotations

from celery import shared_task

from enterprises.services import importing


@shared_task(acks_late=True, name="enterprises.run_import")
def run_import(run_id: int) -> str | None:
    run = importing.import_execute(run_id)
    return run.status if run else None
