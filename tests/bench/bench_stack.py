"""Throughput and latency through the production stack beside runserver, at the national data set.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_bench REDIS_URL=redis://127.0.0.1:6379/7
    .venv/bin/python tests/bench/bench_stack.py [--duration 15] [--web-workers 4] [--clients 20,100]

Two servers on loopback ports, one after the other, against the same database (docs/performance):
- runserver: `manage.py runserver --noreload` (threaded, DEBUG off), connecting to PostgreSQL directly;
- the production stack: nginx (TLS, Debian's) → gunicorn (scripts/serve.sh, WEB_CONCURRENCY sync
  workers, ZJTX_PRODUCTION=1) → pgbouncer (transaction pooling) → PostgreSQL.
For each: the enterprise list API (district + tier, page of 50, as a municipal official, token) and the
officials' dashboard page (session), at each client count, driven by wrk (Debian's) for a bounded time
after a warm-up. Printed: requests/s, p50 and p95 latency, non-2xx answers. The API's throttle is
raised for the run (one token makes every request), everything else is as configured.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjtx.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import User  # noqa: E402
from tests.production.services import Certificate, Nginx, Node, PgBouncer, free_port, stop_group, wait_port  # noqa: E402

LIST = "/api/v1/enterprises/?district=500112&tier=srdi_sme&page_size=50"
DASHBOARD = "/dashboard/"
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk(url: str, headers: dict[str, str], clients: int, seconds: int, script: Path) -> dict[str, float]:
    command = ["wrk", "--threads", "2", "--connections", str(clients), "--duration", f"{seconds}s",
               "--timeout", "10s", "--script", str(script)]  # fmt: skip
    for key, value in headers.items():
        command += ["--header", f"{key}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    requests, duration_us, p50, p95, bad_status, socket_errors = (int(v) for v in line.split()[1:])
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "requests": requests,
        "non2xx": bad_status,
        "errors": socket_errors,
    }


def session_cookie(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(3600)
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def measure(name: str, base: str, headers: dict[str, dict[str, str]], clients: list[int], seconds: int,
            script: Path) -> list[tuple[str, str, int, dict[str, float]]]:  # fmt: skip
    rows = []
    for label, path in (("enterprise list", LIST), ("officials' dashboard", DASHBOARD)):
        wrk(base + path, headers[label], 10, 3, script)  # warm-up: connections, caches, workers
        for n in clients:
            result = wrk(base + path, headers[label], n, seconds, script)
            rows.append((name, label, n, result))
            print(f"  {name:<18} {label:<22} {n:>4} clients: {result['rps']:7.1f} req/s  p50 {result['p50']:7.1f} ms"
                  f"  p95 {result['p95']:7.1f} ms  ({result['requests']} requests, {result['non2xx']} non-2xx,"
                  f" {result['errors']} socket errors)", flush=True)  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per case (after a 3 s warm-up)")
    parser.add_argument("--clients", default="20,100", help="comma-separated concurrent client counts")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn worker processes (WEB_CONCURRENCY)")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    if connection.vendor != "postgresql" or not shutil.which("wrk"):
        sys.exit("bench_stack needs PostgreSQL (DATABASE_URL) and wrk (scripts/setup.sh dev)")
    official = User.objects.filter(role="municipal_official", jurisdiction__code="500000").first()
    assert official, "run generate_dataset first"
    from enterprises.models import Enterprise

    print(f"database {connection.settings_dict['NAME']}: {Enterprise.objects.count():,} enterprises; "
          f"{os.cpu_count()} cores; {args.duration} s per case after a 3 s warm-up", flush=True)  # fmt: skip
    token, _ = Token.objects.get_or_create(user=official)
    headers = {
        "enterprise list": {"Authorization": f"Token {token.key}", "Accept-Language": "zh-hans"},
        "officials' dashboard": {"Cookie": session_cookie(official)},
    }
    work = Path(tempfile.mkdtemp(prefix="zjtx-bench-stack-"))
    script = work / "report.lua"
    script.write_text(LUA)
    common = {"THROTTLE_USER": "10000000/min", "REDIS_URL": settings.REDIS_URL, "DEBUG": "0"}
    d = connection.settings_dict
    rows = []

    # --- runserver ---------------------------------------------------------------------------
    port = free_port()
    log = open(work / "runserver.log", "ab")  # noqa: SIM115
    runserver = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env={**os.environ, **common}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_port(port, timeout=60, proc=runserver, what="runserver")
        print("\nrunserver (threaded, DEBUG off, PostgreSQL directly)", flush=True)
        rows += measure("runserver", f"http://127.0.0.1:{port}", headers, clients, args.duration, script)
    finally:
        stop_group(runserver)
        log.close()

    # --- the production stack ----------------------------------------------------------------
    bouncer = PgBouncer(d["HOST"] or "127.0.0.1", int(d["PORT"] or 5432), d["USER"] or "postgres", pool_size=10)
    node = nginx = None
    try:
        env = {
            **common,
            "ZJTX_PRODUCTION": "1",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": bouncer.url(d["NAME"]),
            "DATABASE_POOLING": "transaction",
            "CONN_MAX_AGE": "60",
            "ZJTX_TRUSTED_PROXIES": "127.0.0.1",
        }
        node = Node("bench", ["web"], env, web_workers=args.web_workers)
        nginx = Nginx(f"127.0.0.1:{node.web_port}", node.media_root, node.state / "static", Certificate(work))
        print(f"\nproduction stack (nginx TLS → gunicorn {args.web_workers} sync workers → pgbouncer → PostgreSQL)",
              flush=True)  # fmt: skip
        rows += measure("production stack", nginx.url, headers, clients, args.duration, script)
    finally:
        if nginx:
            nginx.stop()
        if node:
            node.stop()
            node.remove()
        bouncer.stop()
        shutil.rmtree(work, ignore_errors=True)

    print("\nsummary: production stack / runserver")
    by = {(name, label, n): r for name, label, n, r in rows}
    for label in ("enterprise list", "officials' dashboard"):
        for n in clients:
            prod, dev = by[("production stack", label, n)], by[("runserver", label, n)]
            line = (f"  {label:<22} {n:>4} clients: {prod['rps']:.1f} vs {dev['rps']:.1f} req/s "
                    f"= {prod['rps'] / dev['rps']:.1f}×; p95 {prod['p95']:.0f} vs {dev['p95']:.0f} ms")  # fmt: skip
            if label == "enterprise list" and n == 20:
                line += (f"  [goal ≥ 4×: {'met' if prod['rps'] >= 4 * dev['rps'] else 'NOT met'};"
                         f" p95 < 150 ms: {'met' if prod['p95'] < 150 else 'NOT met'}]")  # fmt: skip
            print(line)


if __name__ == "__main__":
    main()
