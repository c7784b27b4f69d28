"""The production stack on loopback ports: two nodes, each nginx (TLS) → gunicorn, with a Celery worker,
beat on the first; PostgreSQL through pgbouncer in transaction pooling; no disk shared between the nodes.

Each node is `scripts/serve.sh` as an operator runs it (started as root, its processes run as the
unprivileged user zjtx), with MEDIA_ROOT and STATIC_ROOT of its own; the files the nodes exchange
(uploaded imports, generated reports) travel through the database (filestore).
"""

from __future__ import annotations

import http.client
import io
import json
import re
import secrets
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import AuditEntry
from enterprises.models import Enterprise
from enterprises.models.registry import ImportRun
from reference.models import JobRun
from reporting.models import ReportRun
from tests.conftest import _direct
from tests.e2e.conftest import ARTIFACTS, browser, chromium_available  # noqa: F401 (fixtures)
from tests.enterprises.test_import import csv_bytes, good_row
from tests.production.services import Certificate, Nginx, Node, PgBouncer, insecure_tls

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),  # the self-signed certificate
]


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker):
    if not settings.USES_POSTGRES:
        pytest.skip("the production stack needs PostgreSQL")
    d = {**connection.settings_dict, **_direct}
    bouncer = PgBouncer(d["HOST"] or "127.0.0.1", int(d["PORT"] or 5432), d["USER"] or "postgres")
    env = {
        "ZJTX_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": bouncer.url(d["NAME"]),
        "DATABASE_POOLING": "transaction",
        "CONN_MAX_AGE": "60",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "CELERY_QUEUE": f"zjtx-stack-{uuid.uuid4().hex[:8]}",  # this stack's workers only
        "ZJTX_TRUSTED_PROXIES": "127.0.0.1",
        "ZJTX_ACCEL_REDIRECT": "/_protected/",
        "ZJTX_WORKER_HEARTBEAT_SECONDS": "2",
        "THROTTLE_ANON": "1000/min",
    }
    nodes, proxies = [], []
    cert = None
    try:
        nodes = [Node("a", ["web", "worker", "beat"], env), Node("b", ["web", "worker"], env)]
        cert = Certificate(nodes[0].state)
        proxies = [Nginx(f"127.0.0.1:{n.web_port}", n.media_root, n.state / "static", cert) for n in nodes]
        yield SimpleNamespace(a=nodes[0], b=nodes[1], nginx_a=proxies[0], nginx_b=proxies[1], bouncer=bouncer, env=env)
    finally:
        for proxy in proxies:
            proxy.stop()
        for node in nodes:
            node.stop()
        bouncer.stop()
        for node in nodes:
            node.remove()


def api(base: str, user, method: str = "GET", path: str = "", **kw) -> requests.Response:
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"Authorization": f"Token {token.key}", "Accept-Language": "en", **kw.pop("headers", {})}
    return requests.request(method, base + path, headers=headers, verify=False, timeout=60, **kw)


def with_production_password(user, password: str = "correct-horse-battery") -> None:
    """The tests hash passwords with MD5 for speed; the stack's processes know only the production hashers."""
    user.password = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])


def wait_for(condition, timeout=120.0, step=0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return None


@pytest.mark.browser
def test_a_browser_logs_in_through_nginx(stack, browser, users):  # noqa: F811
    with_production_password(users.staff_a)
    browser.get(f"{stack.nginx_a.url}/login/")
    browser.find_element(By.NAME, "username").send_keys("staff_a")
    browser.find_element(By.NAME, "password").send_keys("correct-horse-battery")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(browser, 30).until(ec.url_contains("/work/"))  # district staff land on their work queue
    # The page's stylesheet came from nginx (DEBUG is off: Django serves no static files).
    assert browser.execute_script("return getComputedStyle(document.body).margin") == "0px"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "production-stack-district-home.png"))
    login = AuditEntry.objects.get(action="login", actor=users.staff_a)
    assert login.remote_addr == "127.0.0.1"


def test_nginx_serves_static_files_and_hides_the_download_cache(stack):
    static = requests.get(f"{stack.nginx_a.url}/static/css/site.css", verify=False, timeout=30)
    assert static.status_code == 200 and "--accent" in static.text
    assert "X-Request-ID" not in static.headers  # answered by nginx, not by the application
    assert "max-age=604800" in static.headers["Cache-Control"]
    page = requests.get(f"{stack.nginx_a.url}/login/", verify=False, timeout=30)
    assert page.status_code == 200 and re.fullmatch(r"[0-9a-f]{32}", page.headers["X-Request-ID"])
    for path in ("/_protected/", "/_protected/download-cache/", "/media/", "/static/../deploy/Procfile"):
        assert requests.get(stack.nginx_a.url + path, verify=False, timeout=30).status_code == 404, path


def test_the_application_sees_the_clients_address_not_the_proxys(stack, users):
    # A client on 127.0.0.3 (not the proxy's 127.0.0.1) fails a login; its own X-Real-IP is overwritten by nginx.
    conn = http.client.HTTPSConnection(
        "127.0.0.1", stack.nginx_b.port, timeout=30, context=insecure_tls(), source_address=("127.0.0.3", 0)
    )
    body = json.dumps({"username": "staff_a", "password": "wrong-password-1"})
    conn.request("POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json", "X-Real-IP": "10.1.2.3"})
    response = conn.getresponse()
    assert response.status == 400, response.read()
    conn.close()
    failed = AuditEntry.objects.get(action="login_failed")
    assert failed.remote_addr == "127.0.0.3"


def test_a_report_asked_of_one_node_is_made_by_a_worker_and_downloaded_from_the_other(stack, users, ref):
    asked = api(stack.nginx_a.url, users.official, "POST", "/api/v1/reports/",
                json={"kind": "district", "period": "2024-05", "district": "500112"})  # fmt: skip
    assert asked.status_code == 202, asked.text
    run_id, request_id = asked.json()["id"], asked.headers["X-Request-ID"]
    done = wait_for(lambda: ReportRun.objects.filter(pk=run_id, status="done").first())
    assert done, ReportRun.objects.filter(pk=run_id).values("status", "error").first()

    status = api(stack.nginx_b.url, users.official, path=f"/api/v1/reports/{run_id}/").json()
    assert status["status"] == "done" and status["pdf_url"] == f"/api/v1/reports/{run_id}/download/pdf/"
    pdf = api(stack.nginx_b.url, users.official, path=status["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with default_storage.open(done.pdf.name) as stored:
        assert pdf.content == stored.read()
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="district-500112-2024-05.pdf"'
    assert pdf.headers["Cache-Control"] == "private, no-store"  # the internal location's header: nginx sent it
    cached = list((stack.b.media_root / "download-cache").rglob("*.pdf"))
    assert len(cached) == 1 and cached[0].read_bytes() == pdf.content  # node B's own copy
    assert not (stack.a.media_root / "download-cache").exists()  # node A never served it
    # Out of scope: staff of another district get a 404, not the file.
    assert api(stack.nginx_b.url, users.staff_b, path=status["pdf_url"]).status_code == 404

    # The request's id followed it into the task, in a worker's JSON log lines.
    def task_lines():
        lines = [json.loads(x) for n in (stack.a, stack.b) for x in n.log_text().splitlines() if x.startswith("{")]
        return [x for x in lines if x.get("request_id") == request_id and x.get("task_name")]

    lines = wait_for(task_lines, timeout=30)
    assert lines and {x["task_name"] for x in lines} == {"reporting.generate_report"}


def test_an_import_uploaded_to_one_node_is_run_by_a_worker_and_read_from_the_other(stack, users, ref):
    data = csv_bytes([good_row(n) for n in range(1, 41)])
    upload = api(stack.nginx_b.url, users.staff_a, "POST", "/api/v1/enterprises/import/",
                 files={"file": ("渝北名单.csv", io.BytesIO(data), "text/csv")})  # fmt: skip
    assert upload.status_code == 202, upload.text
    run_id = upload.json()["id"]
    assert wait_for(lambda: ImportRun.objects.filter(pk=run_id, status="done").exists())
    result = api(stack.nginx_a.url, users.staff_a, path=f"/api/v1/imports/{run_id}/").json()
    assert (result["rows_total"], result["rows_created"], result["rows_rejected"]) == (40, 40, 0)
    assert Enterprise.objects.filter(district__code="500112").count() == 40
    original = api(stack.nginx_a.url, users.staff_a, path=f"/api/v1/imports/{run_id}/file/")
    assert original.status_code == 200 and original.content == data
    assert api(stack.nginx_a.url, users.staff_b, path=f"/api/v1/imports/{run_id}/file/").status_code == 404


def test_health_readiness_and_metrics_through_nginx(stack, users):
    assert requests.get(f"{stack.nginx_a.url}/healthz", verify=False, timeout=30).json() == {"status": "ok"}
    ready = wait_for(lambda: requests.get(f"{stack.nginx_b.url}/readyz", verify=False, timeout=30))
    body = ready.json()
    assert ready.status_code == 200, body
    assert set(body["checks"]) >= {"database", "cache", "task_queue", "migrations", "worker", "nightly_jobs"}

    # A failed nightly job is reported (the node is "degraded"), without taking the node out of service.
    JobRun.objects.create(job="reporting.daily_snapshot", key="2026-01-01", status="failed", error="boom")
    failing = requests.get(f"{stack.nginx_a.url}/readyz", verify=False, timeout=30)
    assert failing.status_code == 200 and failing.json()["status"] == "degraded"
    assert "reporting.daily_snapshot" in failing.json()["checks"]["nightly_jobs"]["error"]
    JobRun.objects.create(job="reporting.daily_snapshot", key="2026-01-02", status="done", finished_at=timezone.now())
    assert requests.get(f"{stack.nginx_a.url}/readyz", verify=False, timeout=30).json()["status"] == "ready"

    api(stack.nginx_a.url, users.staff_a, path="/api/v1/enterprises/")
    metrics = requests.get(f"{stack.nginx_a.url}/metrics", verify=False, timeout=30).text
    assert re.search(
        r'django_http_requests_latency_seconds_by_view_method_count\{method="GET",view="enterprise-list"\} [1-9]',
        metrics,
    )
    assert re.search(r"django_db_execute_total\{.*\} [1-9]", metrics)
    queue = stack.env["CELERY_QUEUE"]
    assert f'zjtx_celery_queue_length{{queue="{queue}"}}' in metrics
    assert re.search(r'zjtx_job_last_success_timestamp_seconds\{job="reporting.daily_snapshot"\} 1\.\d+e\+09', metrics)
    assert 'zjtx_job_last_success_timestamp_seconds{job="reporting.monthly_reports"} 0.0' in metrics
    assert "zjtx_celery_worker_heartbeat_age_seconds{worker=" in metrics
    # Only from the allowed addresses.
    outsider = http.client.HTTPSConnection(
        "127.0.0.1", stack.nginx_a.port, timeout=30, context=insecure_tls(), source_address=("127.0.0.3", 0)
    )
    outsider.request("GET", "/metrics")
    assert outsider.getresponse().status == 403


def _processes_under(ancestors: set[int]) -> dict[int, tuple[int, str]]:
    """pid → (uid, command line) of every process descended from one of `ancestors`."""
    table: dict[int, tuple[int, int, str]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                status = (proc / "status").read_text()
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            ppid = int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1))
            uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
            table[int(proc.name)] = (ppid, uid, cmdline)

    def descends(pid: int) -> bool:
        while pid > 1:
            if pid in ancestors:
                return True
            pid = table.get(pid, (0,))[0]
        return False

    return {pid: (uid, cmd) for pid, (_ppid, uid, cmd) in table.items() if pid not in ancestors and descends(pid)}


def test_processes_run_unprivileged_and_beat_keeps_its_schedule_outside_the_repository(stack):
    if stack.a.env["ZJTX_RUN_USER"] == "root":
        pytest.skip(f"the unprivileged user zjtx cannot read {settings.BASE_DIR}: the nodes run as root here")
    users_of = {
        pid: (uid, cmd)
        for pid, (uid, cmd) in _processes_under({stack.a.proc.pid, stack.b.proc.pid}).items()
        if ("celery" in cmd or "gunicorn" in cmd) and not cmd.startswith(("/bin/sh", "sh "))  # not honcho's shells
    }
    celery = [uid for uid, cmd in users_of.values() if "celery" in cmd]
    assert len(celery) >= 3 and 0 not in celery, users_of  # two workers (and their pools) and beat
    if Path("/proc/self").stat().st_uid == 0:
        # Started as root: gunicorn's master keeps root (as nginx's does) to bind and manage; its workers do not.
        gunicorn = [uid for uid, cmd in users_of.values() if "gunicorn" in cmd]
        assert gunicorn.count(0) == 2 and len(gunicorn) >= 6, users_of
    assert wait_for(lambda: list(stack.a.state.glob("celerybeat-schedule*")), timeout=30)
    repo = Path(settings.BASE_DIR)
    assert not list(repo.glob("celerybeat-schedule*"))
