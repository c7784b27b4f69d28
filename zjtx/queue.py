"""Queueing background work once the current transaction commits, by the task's name.

A service names the task it queues instead of importing its app's tasks module: the task calls
the service, so the two never import each other, and the names are the stable identifiers the beat
schedule and the queued messages use anyway.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Send the task after commit (never for a transaction that rolls back); in-process when no broker is set."""
    transaction.on_commit(lambda: task_named(task_name).delay(*args))


def task_named(name: str) -> Any:
    """The registered task; the apps' tasks modules are discovered on first use, as a worker does at start."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]
