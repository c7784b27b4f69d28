"""Processes the fault tests start, stop and restart: a private Redis, a private PostgreSQL cluster,
the web server, Celery beat; and a timed HTTP client.

Every server listens on a free loopback port chosen at run time and keeps its files in the
test's temporary folder; nothing shared (the machine's PostgreSQL on 5432, its Redis) is touched.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

import redis
import requests
from django.conf import settings

from tests.conftest import ROOT, _database_url, stop_process


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # not up yet
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {timeout} s")


class PrivateRedis:
    """A redis-server of this test only, restarted at will; its data survives restarts (AOF, fsync always)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (scripts/setup.sh dev)"
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        _wait(lambda: redis.Redis(port=self.port).ping(), 20, "private redis-server")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: Redis flushes its append-only file and exits
            self.proc.wait(timeout=20)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()
        self.restarts += 1


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    assert found, f"{name} is not installed (Debian's postgresql package; scripts/setup.sh dev)"
    return found[-1]


class PrivatePostgres:
    """A PostgreSQL cluster of this test only (initdb into the test's folder, a free port), stopped
    and started at will; loaded with a copy of the test database (pg_dump | psql)."""

    def __init__(self) -> None:
        # A folder of its own, not the test's (pytest's folders are private to the user running the test,
        # and PostgreSQL refuses to run as root: when the test is root, the cluster belongs to postgres).
        self.data = Path(tempfile.mkdtemp(prefix="zjtx-test-pg-"))
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.data, "postgres", "postgres")
        self.port = free_port()
        self.name = "zjtx_fault"

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stdout}{done.stderr}")

    def init(self) -> None:
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")  # fmt: skip
        self.start()
        self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", self.name)

    def start(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.data / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}", "start")  # fmt: skip

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def copy_of(self, source_url: str) -> None:
        """Load a copy (schema and rows) of another database, e.g. the test database."""
        dump = subprocess.Popen(["pg_dump", "--no-owner", "--no-privileges", source_url], stdout=subprocess.PIPE)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", self.url], stdin=dump.stdout, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
        assert dump.wait(timeout=60) == 0

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.name}"

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.data, ignore_errors=True)


def process_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a web, worker or beat process bound to the test database."""
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "zjtx.settings",
        "DEBUG": "0",  # as in production: errors answer the site's pages, never a stack trace
        **extra,
    }


class _Process:
    proc: subprocess.Popen[bytes]
    log: IO[str]

    def _spawn(self, args: list[str], env: dict[str, str], log_name: str) -> None:
        (ROOT / "var").mkdir(exist_ok=True)
        self.log = open(ROOT / "var" / log_name, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self) -> None:
        stop_process(self.proc, self.log)


class WebServer(_Process):
    """Django's server in a process of its own (threaded, no reloader), with the given environment."""

    def __init__(self, extra_env: dict[str, str], name: str = "web") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload", "--skip-checks"]
        self._spawn(args, process_env(extra_env), f"{name}-{self.port}.log")
        _wait(lambda: requests.get(self.url + "/healthz", timeout=1).ok, 60, "the web server")


class Beat(_Process):
    """Celery beat with a schedule file in the test's folder."""

    def __init__(self, folder: Path, extra_env: dict[str, str]) -> None:
        args = [sys.executable, "-m", "celery", "-A", "zjtx", "beat", "--loglevel", "INFO",
                "--schedule", str(folder / "beat-schedule")]  # fmt: skip
        self._spawn(args, process_env(extra_env), f"beat-{folder.name}.log")


class TimedClient:
    """HTTP requests that note how long each took."""

    def __init__(self, base: str, language: str = "zh-hans") -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = language
        self.timings: list[tuple[str, float, int]] = []

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        started = time.monotonic()
        response = self.session.request(method, self.base + path, timeout=30, allow_redirects=False, **kwargs)
        self.timings.append((f"{method} {path}", time.monotonic() - started, response.status_code))
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def token(self, username: str, password: str) -> str:
        response = self.post("/api/v1/auth/token/", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    @property
    def slowest(self) -> tuple[str, float, int]:
        return max(self.timings, key=lambda t: t[1])
