"""Health endpoints for load balancers: /healthz (the process answers) and /readyz (it can do its work).

/readyz runs every registered readiness check and answers 200 when all pass, 503 otherwise, with
each check's outcome as JSON. Checks are a small registry: an app adds one with

    @readiness_check("name")
    def name() -> str | None:   # None when fine, else what is wrong (an exception counts as a failure)

(ops/readiness.py registers the database, Redis, migrations, worker heartbeat and nightly-job checks).
Both endpoints are answered by the first middleware, before host validation, HTTPS redirects,
sessions and the request log, so a probe by address over plain HTTP works and costs little.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

Check = Callable[[], str | None]
CHECKS: dict[str, Check] = {}


def readiness_check(name: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        CHECKS[name] = check
        return check

    return register


def run_checks() -> tuple[bool, dict[str, dict[str, object]]]:
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            problem = check()
        except Exception as exc:  # a check that cannot run is a failed check, with its reason
            problem = f"{type(exc).__name__}: {exc}"
        results[name] = {"ok": problem is None, "ms": round((time.perf_counter() - started) * 1000, 1)}
        if problem is not None:
            results[name]["error"] = problem
    return all(r["ok"] for r in results.values()), results


def _json(body: dict[str, object], status: int) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return _json({"status": "ok"}, 200)
        if request.path == "/readyz":
            ready, checks = run_checks()
            return _json({"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503)
        return self.get_response(request)
