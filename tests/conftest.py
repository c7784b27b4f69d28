"""Shared test fixtures: services, reference data, users of every role, a real Celery worker.

Service-backed tests are marked `postgres`, `redis` or `celery_worker`.  On a
laptop without the services they are skipped; with ZJTX_REQUIRE_SERVICES=1
(set by CI) a missing service fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlparse

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

REQUIRE_SERVICES = os.environ.get("ZJTX_REQUIRE_SERVICES") == "1"
ROOT = Path(__file__).resolve().parent.parent


def _redis_reachable() -> bool:
    url = settings.REDIS_URL
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing_services(item: pytest.Item) -> list[str]:
    missing = []
    if item.get_closest_marker("postgres") and not settings.USES_POSTGRES:
        missing.append("PostgreSQL (set DATABASE_URL=postgres://...)")
    if (item.get_closest_marker("redis") or item.get_closest_marker("celery_worker")) and not _redis_reachable():
        missing.append("Redis (set REDIS_URL=redis://...)")
    if item.get_closest_marker("libreoffice") and not shutil.which("soffice"):
        missing.append("LibreOffice (soffice; scripts/setup.sh dev installs it)")
    if item.get_closest_marker("celery_worker") and not settings.USES_POSTGRES:
        missing.append("PostgreSQL for the worker process (SQLite test databases live in memory)")
    return missing


def pytest_runtest_setup(item: pytest.Item) -> None:
    missing = _missing_services(item)
    if not missing:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {', '.join(missing)}", pytrace=False)
    pytest.skip(f"service not available: {', '.join(missing)}")


def pytest_configure(config: pytest.Config) -> None:
    # Tests create many users; the production hasher's deliberate slowness buys nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded and generated files of a test run stay out of the demo's var/media.
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="zjtx-test-media-"))


def pytest_report_header(config: pytest.Config) -> str:
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"zjtx: database={db} redis={'yes' if _redis_reachable() else 'no'} require_services={REQUIRE_SERVICES}"


# --- reference data and users --------------------------------------------------------------


# ZJTX_TEST_PGBOUNCER=1 (CI sets it): once the test database exists, the tests and the worker processes
# they start reach it through a private pgbouncer in transaction pooling, as production does.
THROUGH_PGBOUNCER = os.environ.get("ZJTX_TEST_PGBOUNCER") == "1"
_direct: dict[str, Any] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Load the reference data once into the new test database; each test rolls back on top of it."""
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            # pytest-django empties tables with TRUNCATE between transactional tests; the audit log's
            # trigger refuses TRUNCATE unless this setting is on, which only the test database has.
            with connection.cursor() as cursor:
                name = connection.ops.quote_name(connection.settings_dict["NAME"])
                cursor.execute(f"ALTER DATABASE {name} SET zjtx.audit_truncate = 'on'")
                cursor.execute("SET zjtx.audit_truncate = 'on'")
        call_command("load_reference_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    bouncer = _switch_to_pgbouncer() if THROUGH_PGBOUNCER and connection.vendor == "postgresql" else None
    yield
    if bouncer is not None:
        _switch_back(bouncer)


def _switch_to_pgbouncer() -> Any:
    from django.db import connections

    from tests.production.services import PgBouncer

    d = connection.settings_dict
    _direct.update(HOST=d["HOST"], PORT=d["PORT"], OPTIONS=dict(d.get("OPTIONS") or {}))
    bouncer = PgBouncer(d["HOST"] or "127.0.0.1", int(d["PORT"] or 5432), d["USER"] or "postgres")
    connections.close_all()
    d.update(HOST="127.0.0.1", PORT=str(bouncer.port), DISABLE_SERVER_SIDE_CURSORS=True)
    d["OPTIONS"] = {**_direct["OPTIONS"], "prepare_threshold": None}
    settings.DATABASE_POOLING = "transaction"
    return bouncer


def _switch_back(bouncer: Any) -> None:
    from django.db import connections

    connections.close_all()
    connection.settings_dict.update(
        HOST=_direct["HOST"], PORT=_direct["PORT"], OPTIONS=_direct["OPTIONS"], DISABLE_SERVER_SIDE_CURSORS=False
    )
    settings.DATABASE_POOLING = ""
    bouncer.stop()


@pytest.fixture
def ref(db: Any) -> SimpleNamespace:
    """Reference data from fixtures/ (reloaded after transactional tests have flushed it)."""
    from reference.models import District, Industry, Jurisdiction, Tier

    if not Tier.objects.exists():
        call_command("load_reference_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return SimpleNamespace(
        districts={d.code: d for d in District.objects.all()},
        industries={i.code: i for i in Industry.objects.all()},
        tiers={t.code: t for t in Tier.objects.all()},
        jurisdictions={j.code: j for j in Jurisdiction.objects.all()},
    )


@pytest.fixture
def make_user(ref: SimpleNamespace) -> Any:
    from accounts.models import User

    def make(
        username: str, role: str = "", district: str | None = None, jurisdiction: str | None = None, **kw: Any
    ) -> Any:
        user = User(
            username=username,
            role=role,
            district=ref.districts[district] if district else None,
            jurisdiction=ref.jurisdictions[jurisdiction] if jurisdiction else None,
            is_staff=True,
            **kw,
        )
        user.set_password("correct-horse-battery")
        user.save()
        return user

    return make


@pytest.fixture
def users(make_user: Any) -> SimpleNamespace:
    """One user of every role; the two district staff work in Yubei and Jiangbei (Chongqing)."""
    return SimpleNamespace(
        staff_a=make_user("staff_a", "district_staff", district="500112"),
        staff_b=make_user("staff_b", "district_staff", district="500105"),
        staff_bj=make_user("staff_bj", "district_staff", district="110108"),
        official=make_user("official", "municipal_official", jurisdiction="500000"),
        official_bj=make_user("official_bj", "municipal_official", jurisdiction="110000"),
        progadmin=make_user("progadmin", "program_admin"),
        auditor=make_user("auditor", "auditor"),
        norole=make_user("norole"),
        superuser=make_user("root", is_superuser=True),
    )


_serial = iter(range(1, 10**9))


@pytest.fixture
def make_enterprise(ref: SimpleNamespace) -> Any:
    from enterprises.models import Enterprise
    from enterprises.rules import credit_code

    def make(district: str = "500112", industry: str = "C", **kw: Any) -> Enterprise:
        n = next(_serial)
        d = ref.districts[district]
        code = credit_code.make(f"91{d.gb2260_code or '110115'}{n:09d}")
        values = {"name": f"测试企业{n}有限公司", "contact_phone": "13812345678", **kw}
        return Enterprise.objects.create(credit_code=code, district=d, industry=ref.industries[industry], **values)

    return make


@pytest.fixture(autouse=True)
def throttle_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """API throttling counts in a cache of each test's own, not in the Redis shared by every run."""
    from django.core.cache.backends.locmem import LocMemCache
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "cache", LocMemCache(f"throttle-{uuid.uuid4().hex}", {}))


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests read messages in English; tests of the Chinese texts switch language themselves."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api(db: Any) -> Any:
    from rest_framework.test import APIClient

    def client_for(user: Any = None, language: str = "en") -> APIClient:
        client = APIClient()
        client.credentials(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


# --- a real Celery worker ------------------------------------------------------------------


def _database_url(direct: bool = False) -> str:
    """The test database's URL as the tests reach it (through pgbouncer with ZJTX_TEST_PGBOUNCER=1), or
    `direct`ly (pg_dump and other administration tools, which need a session of their own)."""
    d = {**connection.settings_dict, **(_direct if direct else {})}
    auth = quote(d["USER"] or "")
    if d.get("PASSWORD"):
        auth += ":" + quote(d["PASSWORD"])
    host = d["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{d['PORT'] or 5432}/{d['NAME']}"


def celery_app_for(broker_url: str | None) -> Any:
    """The project's Celery app, or for a worker with a broker of its own, a client app of that broker.

    (Control commands and task messages go through an app's own producer pool, so a
    connection to another broker cannot simply be passed to the project's app.)
    """
    from celery import Celery

    from zjtx.celery import app

    if not broker_url:
        return app
    client = Celery("zjtx-client", set_as_current=False)
    client.config_from_object("django.conf:settings", namespace="CELERY")
    client.conf.broker_url = client.conf.result_backend = broker_url
    return client


def stop_process(proc: subprocess.Popen[bytes], log: Any) -> None:
    """SIGTERM, then SIGKILL after 20 s; the log is closed."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log.close()


class WorkerProcess:
    """A `celery worker` subprocess bound to the test database and a queue of its own."""

    def __init__(self, queue: str, extra_env: dict[str, str] | None = None, concurrency: int = 2) -> None:
        self.queue = queue
        self.name = f"{queue}@{socket.gethostname()}"
        self.broker_url = (extra_env or {}).get("CELERY_BROKER_URL") or None
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DATABASE_POOLING": settings.DATABASE_POOLING,
            "CELERY_QUEUE": queue,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DJANGO_SETTINGS_MODULE": "zjtx.settings",
            **(extra_env or {}),
        }
        self.log = open(ROOT / "var" / f"worker-{queue}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "zjtx", "worker", "-Q", queue, "-n", self.name,
             "--concurrency", str(concurrency), "--pool", "prefork", "--without-gossip", "--without-mingle",
             "--max-memory-per-child", str(settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD), "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 60) -> None:
        app = celery_app_for(self.broker_url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited with {self.proc.returncode}; see {self.log.name}")
            if app.control.ping(destination=[self.name], timeout=1.0):
                return
        raise RuntimeError(f"celery worker not ready after {timeout}s; see {self.log.name}")

    def stop(self) -> None:
        stop_process(self.proc, self.log)


@pytest.fixture
def task_queue() -> Iterator[str]:
    """Route tasks sent by this test to a queue nobody else listens on."""
    from zjtx.celery import app

    queue = f"zjtx-test-{uuid.uuid4().hex[:8]}"
    old = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = old


@pytest.fixture
def celery_worker(transactional_db: Any, task_queue: str) -> Iterator[WorkerProcess]:
    """A real worker process consuming this test's queue; the test's data must be committed (transactional_db)."""
    (ROOT / "var").mkdir(exist_ok=True)
    worker = WorkerProcess(task_queue)
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()
