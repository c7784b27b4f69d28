"""What the web nodes and workers share through Redis for operations: worker heartbeats, task failures."""

from __future__ import annotations

import functools
import time
from typing import Any

import redis
from django.conf import settings

HEARTBEATS = "zjtx:ops:worker-heartbeats"  # sorted set: worker name → time of its last beat
FAILURES = "zjtx:ops:task-failures"  # hash: task name → failures counted since the key was made


@functools.cache
def client() -> redis.Redis:
    url = settings.CELERY_BROKER_URL or settings.REDIS_URL
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def beat(worker: str) -> None:
    now = time.time()
    pipe = client().pipeline()
    pipe.zadd(HEARTBEATS, {worker: now})
    pipe.zremrangebyscore(HEARTBEATS, "-inf", now - 24 * 3600)  # workers gone for a day are forgotten
    pipe.execute()


def heartbeats() -> dict[str, float]:
    """Worker name → seconds since its last heartbeat."""
    now = time.time()
    entries: Any = client().zrange(HEARTBEATS, 0, -1, withscores=True)
    return {name.decode(): now - float(score) for name, score in entries}


def count_failure(task: str) -> None:
    client().hincrby(FAILURES, task, 1)


def failures() -> dict[str, int]:
    counts: Any = client().hgetall(FAILURES)
    return {key.decode(): int(value) for key, value in counts.items()}


def queue_depth(queue: str) -> int:
    return int(client().llen(queue))
