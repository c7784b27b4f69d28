"""The platform's checks for /readyz (zjtx/health.py registers them): the database, the cache and the task queue.

Each returns None when fine, else what is wrong.
"""

from __future__ import annotations

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from zjtx import outbox


def database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def cache_check() -> str | None:
    cache.get("readyz")
    if not getattr(cache, "available", True):
        return "Redis unavailable: throttling and import progress are kept in each process's memory"
    return None


def task_queue() -> str | None:
    waiting = outbox.waiting_counts()
    note = f"; recorded and waiting to be sent: {waiting}" if waiting else ""
    url = settings.CELERY_BROKER_URL
    if not url:
        return None  # the embedded demo runs tasks in-process
    if url.startswith(("redis://", "rediss://", "unix://")):
        client = redis.Redis.from_url(
            url, socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT, socket_timeout=settings.REDIS_SOCKET_TIMEOUT
        )
        try:
            client.ping()
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            return f"the task queue (broker) is unavailable: {exc}{note}"
        finally:
            client.close()
    elif outbox.broker_down():
        return f"the task queue (broker) refused a message in the last {settings.ZJTX_QUEUE_RETRY_SECONDS:.0f} s{note}"
    if waiting:
        return f"the broker answers, but runs wait to be sent{note}"
    return None


# name, check, critical (a failed critical check takes the node out of service)
PLATFORM = [("database", database, True), ("cache", cache_check, False), ("task_queue", task_queue, False)]
