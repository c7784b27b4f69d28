"""A request id that follows a request through its log lines and into the Celery tasks it queues.

nginx sends its `$request_id` as X-Request-ID (a client's own header is overwritten there); without
a proxy the id is made here. The id is answered in the X-Request-ID response header, added to every
log record (`RequestIdFilter`), put in the headers of every task message published during the
request, and set again around the task's run on the worker (zjtx/celery.py connects the signals).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = logging.getLogger("zjtx.request")


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request's id and logs one line per request (method, path, status, duration)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        token = request_id.set(given if _VALID.match(given) else new_id())
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id.get()
            log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "remote_addr": request.META.get("REMOTE_ADDR", ""),
                },
            )
            return response
        finally:
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (and, on a worker, the running task's id and name) to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(record, "request_id", "") or request_id.get()
        try:
            from celery import current_task

            task: Any = current_task
            if task and task.request.id:
                record.task_id = task.request.id
                record.task_name = task.name
        except ImportError:  # pragma: no cover - celery is a dependency
            pass
        return True
