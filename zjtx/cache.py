"""The cache: Redis, or this process's memory while Redis does not answer.

Nothing a reader asks for may depend on Redis (issue 19). The cache holds API throttle counters
and an import's progress, both of which may be approximate for a while, so when Redis refuses,
times out or is still loading its data, every operation goes to a local in-memory cache instead
of raising, and Redis is not asked again for `retry_seconds`, so that a request never waits
for a dead server more than once per interval in each process.

Throttling therefore counts per process during an outage (a limit of 60/min becomes 60/min in
each web process) rather than failing open: the anonymous and login rates guard the token
endpoint against password guessing, and they keep doing so, only less tightly. Counts made
locally are not carried back to Redis; Redis's own counts resume where they were.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# BusyLoadingError (Redis reading its append-only file after a restart) is a ConnectionError.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class FailoverRedisCache(RedisCache):
    """A RedisCache that falls back to a process-local cache while Redis is unavailable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("retry_seconds", 5.0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.local = LocMemCache(f"failover-{uuid.uuid4().hex}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self.down_until = 0.0

    @property
    def available(self) -> bool:
        """False while this process is serving from memory (Redis failed within `retry_seconds`)."""
        return time.monotonic() >= self.down_until

    def _either(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.available:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNAVAILABLE as exc:
                if self.available:  # log once per outage interval, not once per call
                    log.warning("cache: Redis unavailable (%s); using process memory for %ss", exc, self.retry_seconds)
                self.down_until = time.monotonic() + self.retry_seconds
        return getattr(self.local, name)(*args, **kwargs)


def _failover(name: str) -> Callable[..., Any]:
    def method(self: FailoverRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._either(name, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"RedisCache.{name}, or the local cache's while Redis is unavailable."
    return method


for _name in (
    "add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear",
):  # fmt: skip
    setattr(FailoverRedisCache, _name, _failover(_name))
