"""Health endpoints for load balancers and operators: /healthz (the process answers) and /readyz.

/readyz runs every registered check. A check returns None when fine, else what is wrong (an
exception counts as a failure). A failed *critical* check (the database: nothing works without it)
answers 503, so a load balancer stops sending traffic to the node; a failed non-critical check
(the cache, the task queue) answers 200 with status "degraded" and says what is wrong, because the
node still serves every read and records queued work (zjtx/outbox.py) — taking every node out of
rotation because Redis is down would turn a queue outage into a full one.

    @readiness_check("name", critical=False)
    def name() -> str | None: ...

Both endpoints are answered by the first middleware, before host validation, HTTPS redirects and
sessions, so a probe by address over plain HTTP works and costs little.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from zjtx import readiness

Check = Callable[[], str | None]


@dataclass(frozen=True)
class Registered:
    check: Check
    critical: bool


CHECKS: dict[str, Registered] = {}


def readiness_check(name: str, *, critical: bool = True) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        CHECKS[name] = Registered(check, critical)
        return check

    return register


def run_checks() -> tuple[str, dict[str, dict[str, object]]]:
    """("ready" | "degraded" | "not ready", each check's outcome)."""
    results: dict[str, dict[str, object]] = {}
    status = "ready"
    for name, registered in CHECKS.items():
        started = time.perf_counter()
        try:
            problem = registered.check()
        except Exception as exc:  # a check that cannot run is a failed check, with its reason
            problem = f"{type(exc).__name__}: {exc}"
        result: dict[str, object] = {"ok": problem is None, "ms": round((time.perf_counter() - started) * 1000, 1)}
        if problem is not None:
            result["error"] = problem
            result["critical"] = registered.critical
            status = "not ready" if registered.critical else ("degraded" if status == "ready" else status)
        results[name] = result
    return status, results


for _name, _check, _critical in readiness.PLATFORM:
    readiness_check(_name, critical=_critical)(_check)


def _json(body: dict[str, object], status: int) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return _json({"status": "ok"}, 200)
        if request.path == "/readyz":
            status, checks = run_checks()
            return _json({"status": status, "checks": checks}, 503 if status == "not ready" else 200)
        return self.get_response(request)
