"""Queueing background work once the current transaction commits, by the task's name.

A service names the task it queues instead of importing its app's tasks module: the task calls
the service, so the two never import each other, and the names are the stable identifiers the beat
schedule and the queued messages use anyway.

Work is recorded on its run row first (zjtx/outbox.py): the request that asks for it never waits
on the broker for more than about a second and never fails because the broker is down; the sweeper
sends what could not be sent.
"""

from __future__ import annotations

from typing import Any

from zjtx import outbox
from zjtx.outbox import task_named

__all__ = ["enqueue_on_commit", "task_named"]


def enqueue_on_commit(task_name: str, run: Any) -> None:
    """Queue `task_name` for a run row (a registered kind, see zjtx.outbox): recorded now, sent after commit
    (never for a transaction that rolls back); in-process when no broker is set."""
    outbox.enqueue(task_name, run)
