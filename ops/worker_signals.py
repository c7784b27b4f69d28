"""On a Celery worker: a heartbeat in Redis every few seconds (read by /readyz and the metrics) and a
count of failed tasks per task name (read by the metrics of any web node)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery.signals import task_failure, worker_ready, worker_shutdown
from django.conf import settings

from ops import broker

log = logging.getLogger(__name__)
_stop = threading.Event()


def _beat_forever(name: str) -> None:
    while not _stop.is_set():
        try:
            broker.beat(name)
        except Exception:  # the broker is down: the worker has its own reconnect; beat again later
            log.warning("worker heartbeat not written", exc_info=True)
        _stop.wait(settings.ZJTX_WORKER_HEARTBEAT_SECONDS)


@worker_ready.connect
def start_heartbeat(sender: Any = None, **kwargs: Any) -> None:
    name = getattr(sender, "hostname", None) or "worker"
    threading.Thread(target=_beat_forever, args=(name,), name="zjtx-heartbeat", daemon=True).start()


@worker_shutdown.connect
def stop_heartbeat(**kwargs: Any) -> None:
    _stop.set()


@task_failure.connect
def count_failure(sender: Any = None, **kwargs: Any) -> None:
    try:
        broker.count_failure(getattr(sender, "name", "unknown"))
    except Exception:
        log.warning("task failure not counted", exc_info=True)
