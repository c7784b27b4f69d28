"""Throughput and latency through the production stack beside runserver, at the national data set.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/zjtx_bench REDIS_URL=redis://127.0.0.1:6379/7
    .venv/bin/python tests/bench/bench_stack.py [--duration 15] [--web-workers 4] [--clients 20,100]

Two servers on loopback ports, one after the other, against the same database (docs/performance):
- runserver: `manage.py runserver --noreload` (threaded, DEBUG off), connecting to PostgreSQL directly;
- the production stack: nginx (TLS, Debian's) → gunicorn (scripts/serve.sh, WEB_CONCURRENCY sync
  workers, ZJTX_PRODUCTION=1) → pgbouncer (transaction pooling) → PostgreSQL.
For each: the enterprise list API (district + tier, page of 50, as a municipal official, token) and the
officials' dashboard page (session), at each client count, driven by wrk (Debian's) for a bounded time
after a warm-up. Printed: successful (2xx) answers/s, p50 and p95 latency, non-2xx answers. The API's throttle is
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
import urllib.request
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
from django.test import override_settings  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import User  # noqa: E402
from tests.production.services import (  # noqa: E402
    Certificate,
    Nginx,
    Node,
    PgBouncer,
    free_port,
    insecure_tls,
    stop_group,
    wait_port,
)

LIST = "/api/v1/enterprises/?district=500112&tier=srdi_sme&page_size=50"
DASHBOARD = "/dashboard/"
WARM_UP = 10  # seconds of load before each timed case
CASES = (("enterprise list", LIST), ("officials' dashboard", DASHBOARD))
# wrk's script: each request carries the next of the given cookies (one session per simulated official:
# one session shared by every connection would serialise the requests on its row, which the session
# middleware updates on every request), and the figures are printed in one line at the end.
LUA = """
local cookies = {@COOKIES@}
local i = 0
request = function()
  if #cookies > 0 then
    i = i + 1
    wrk.headers["Cookie"] = cookies[(i % #cookies) + 1]
  end
  return wrk.format()
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def lua_script(folder: Path, name: str, cookies: list[str]) -> Path:
    script = folder / f"{name}.lua"
    script.write_text(LUA.replace("@COOKIES@", ", ".join(f'"{c}"' for c in cookies)))
    return script


def wrk(url: str, headers: dict[str, str], clients: int, seconds: int, script: Path) -> dict[str, float]:
    """One bounded wrk run (loopback only) against `url`; `script` picks the cookies and prints the figures."""
    command = ["wrk", "--threads", str(min(2, clients)), "--connections", str(clients), "--duration", f"{seconds}s",
               "--timeout", "10s", "--script", str(script)]  # fmt: skip
    for key, value in headers.items():
        command += ["--header", f"{key}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    requests, duration_us, p50, p95, bad_status, socket_errors = (int(v) for v in line.split()[1:])
    return {
        # Only successful answers count: a server that answers 503s (or resets) at once is not faster.
        "rps": max(requests - bad_status, 0) / (duration_us / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "requests": requests,
        "non2xx": bad_status,
        "errors": socket_errors,
    }


def session_cookie(user: User, secret_key: str) -> str:
    """A logged-in session in the database, valid for a server whose SECRET_KEY is `secret_key`."""
    with override_settings(SECRET_KEY=secret_key):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.set_expiry(3600)
        store.save()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def check_answers(base: str, headers: dict[str, dict[str, str]]) -> None:
    """Each case must answer 200 with its content (not a redirect to the login page) before it is timed."""
    context = insecure_tls()
    for label, path in CASES:
        request = urllib.request.Request(base + path, headers=headers[label])
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect)
        with opener.open(request, timeout=60) as response:
            body = response.read()
            assert response.status == 200 and len(body) > 1000, (label, response.status, body[:200])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def measure(name: str, base: str, headers: dict[str, dict[str, str]], clients: list[int], seconds: int,
            scripts: dict[str, Path]) -> list[tuple[str, str, int, dict[str, float]]]:  # fmt: skip
    check_answers(base, headers)
    rows = []
    for label, path in CASES:
        for n in clients:
            # Warm first: a worker's first dashboard (templates, catalogues, imports) takes seconds.
            wrk(base + path, headers[label], n, WARM_UP, scripts[label])
            result = wrk(base + path, headers[label], n, seconds, scripts[label])
            rows.append((name, label, n, result))
            print(f"  {name:<18} {label:<22} {n:>4} clients: {result['rps']:7.1f} req/s  p50 {result['p50']:7.1f} ms"
                  f"  p95 {result['p95']:7.1f} ms  ({result['requests']} requests, {result['non2xx']} non-2xx,"
                  f" {result['errors']} socket errors)", flush=True)  # fmt: skip
    return rows


Rows = list[tuple[str, str, int, dict[str, float]]]


def run_runserver(work: Path, env: dict[str, str], headers: dict[str, dict[str, str]], clients: list[int],
                  seconds: int, scripts: dict[str, Path]) -> Rows:  # fmt: skip
    port = free_port()
    log = open(work / "runserver.log", "ab")  # noqa: SIM115
    runserver = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_port(port, timeout=60, proc=runserver, what="runserver")
        print("\nrunserver (threaded, DEBUG off, PostgreSQL directly)", flush=True)
        return measure("runserver", f"http://127.0.0.1:{port}", headers, clients, seconds, scripts)
    finally:
        stop_group(runserver)
        log.close()


def run_stack(work: Path, env: dict[str, str], headers: dict[str, dict[str, str]], clients: list[int],
              seconds: int, scripts: dict[str, Path], web_workers: int) -> Rows:  # fmt: skip
    d = connection.settings_dict
    bouncer = PgBouncer(d["HOST"] or "127.0.0.1", int(d["PORT"] or 5432), d["USER"] or "postgres", pool_size=10)
    node = nginx = None
    try:
        env = {**env, "DATABASE_URL": bouncer.url(d["NAME"])}
        node = Node("bench", ["web"], env, web_workers=web_workers)
        nginx = Nginx(f"127.0.0.1:{node.web_port}", node.media_root, node.state / "static", Certificate(work))
        kind = f"× {env['GUNICORN_THREADS']} threads" if env["GUNICORN_THREADS"] != "1" else "sync"
        print(f"\nproduction stack (nginx TLS → gunicorn {web_workers} workers {kind} → pgbouncer → PostgreSQL)",
              flush=True)  # fmt: skip
        return measure("production stack", nginx.url, headers, clients, seconds, scripts)
    finally:
        if nginx:
            nginx.stop()
        if node:
            node.stop()
            node.remove()
        bouncer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per case (after a warm-up)")
    parser.add_argument("--clients", default="20,100", help="comma-separated concurrent client counts")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn worker processes (WEB_CONCURRENCY)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (GUNICORN_THREADS)")
    parser.add_argument("--rounds", type=int, default=2, help="runserver then the stack, this many times")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    if connection.vendor != "postgresql" or not shutil.which("wrk"):
        sys.exit("bench_stack needs PostgreSQL (DATABASE_URL) and wrk (scripts/setup.sh dev)")
    official = User.objects.filter(role="municipal_official", jurisdiction__code="500000").first()
    assert official, "run generate_dataset first"
    from enterprises.models import Enterprise

    print(f"database {connection.settings_dict['NAME']}: {Enterprise.objects.count():,} enterprises; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; {args.duration} s per case after "
          f"{WARM_UP} s of warm-up; {args.rounds} rounds", flush=True)  # fmt: skip
    token, _ = Token.objects.get_or_create(user=official)
    production_key = secrets.token_urlsafe(60)
    sessions = max(clients)
    cookies = {
        "runserver": [session_cookie(official, settings.SECRET_KEY) for _ in range(sessions)],
        "stack": [session_cookie(official, production_key) for _ in range(sessions)],
    }
    list_headers = {"Authorization": f"Token {token.key}", "Accept-Language": "zh-hans"}
    headers = {
        server: {"enterprise list": list_headers, "officials' dashboard": {"Cookie": cookies[server][0]}}
        for server in cookies
    }
    common = {"THROTTLE_USER": "10000000/min", "REDIS_URL": settings.REDIS_URL, "DEBUG": "0"}
    production = {
        **common,
        "ZJTX_PRODUCTION": "1",
        "SECRET_KEY": production_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_POOLING": "transaction",
        "CONN_MAX_AGE": "60",
        "ZJTX_TRUSTED_PROXIES": "127.0.0.1",
        "GUNICORN_THREADS": str(args.threads),
    }
    work = Path(tempfile.mkdtemp(prefix="zjtx-bench-stack-"))
    scripts = {
        server: {"enterprise list": lua_script(work, f"{server}-list", []),
                 "officials' dashboard": lua_script(work, f"{server}-dashboard", cookies[server])}
        for server in cookies
    }  # fmt: skip
    rows = []
    try:
        for round_no in range(1, args.rounds + 1):
            print(f"\n--- round {round_no} (load average {os.getloadavg()[0]:.1f})", flush=True)
            rows += run_runserver(work, common, headers["runserver"], clients, args.duration, scripts["runserver"])
            rows += run_stack(
                work, production, headers["stack"], clients, args.duration, scripts["stack"], args.web_workers
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\nsummary, best round of each (the machine is shared): production stack vs runserver")
    best: dict[tuple[str, str, int], dict[str, float]] = {}
    for name, label, n, result in rows:
        if (name, label, n) not in best or result["rps"] > best[(name, label, n)]["rps"]:
            best[(name, label, n)] = result
    for label, _path in CASES:
        for n in clients:
            prod, dev = best[("production stack", label, n)], best[("runserver", label, n)]
            line = (f"  {label:<22} {n:>4} clients: {prod['rps']:6.1f} vs {dev['rps']:6.1f} req/s "
                    f"= {prod['rps'] / max(dev['rps'], 0.01):4.1f}×;  p50 {prod['p50']:6.0f} vs {dev['p50']:6.0f} ms;"
                    f"  p95 {prod['p95']:6.0f} vs {dev['p95']:6.0f} ms")  # fmt: skip
            if label == "enterprise list" and n == 20:
                line += (f"  [≥ 4×: {'met' if prod['rps'] >= 4 * dev['rps'] else 'not met'};"
                         f" p95 < 150 ms: {'met' if prod['p95'] < 150 else 'not met'}]")  # fmt: skip
            print(line)


if __name__ == "__main__":
    main()
