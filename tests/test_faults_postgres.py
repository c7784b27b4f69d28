"""PostgreSQL restarted under a running web server and worker: requests during the restart answer 503
(JSON in the API, the site's own page elsewhere), never a stack trace; afterwards both processes
work again without being restarted.

The test runs a PostgreSQL cluster of its own (initdb and pg_ctl from Debian's postgresql package,
in the test's temporary folder, on a free port), loaded with a copy of the test database; the web
server keeps its connections (CONN_MAX_AGE=60), so a dead kept connection must be noticed
(CONN_HEALTH_CHECKS) rather than reused. The machine's PostgreSQL is not touched.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.conftest import WorkerProcess, _database_url
from tests.processes import PrivatePostgres, TimedClient, WebServer
from tests.reporting.test_jobs_on_worker import wait_for
from tests.test_faults_queue import PASSWORD, login_for_other_processes

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def log_in_to_pages(client: TimedClient, username: str) -> None:
    form = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, form.text[:500]
    answer = client.post(
        "/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    )
    assert answer.status_code == 302, answer.text[:500]


def report_done(client: TimedClient, auth: dict[str, str], period: str) -> Any:
    body = {"kind": "district", "period": period, "district": "500112"}
    asked = client.post("/api/v1/reports/", headers=auth, json=body)
    assert asked.status_code == 202, asked.text
    run_id = asked.json()["id"]
    status = lambda: client.get(f"/api/v1/reports/{run_id}/", headers=auth).json()["status"]  # noqa: E731
    assert wait_for(lambda: status() == "done", timeout=120), status()
    return run_id


def test_postgres_restart_answers_503_and_both_processes_recover(users, ref, task_queue, tmp_path, capsys):
    login_for_other_processes(users.official)
    cluster = PrivatePostgres()
    web = worker = None
    try:
        cluster.init()
        cluster.copy_of(_database_url(direct=True))  # pg_dump sets session state: never through the pool
        env = {"DATABASE_URL": cluster.url, "CONN_MAX_AGE": "60", "CELERY_QUEUE": task_queue}
        web = WebServer(env, name="web-pg")
        worker = WorkerProcess(task_queue, extra_env=env, concurrency=1)
        worker.wait_ready()
        client, pages = TimedClient(web.url), TimedClient(web.url)  # the API by token, the pages by session
        auth = {"Authorization": f"Token {client.token('official', PASSWORD)}"}
        log_in_to_pages(pages, "official")
        assert client.get("/api/v1/enterprises/", headers=auth).status_code == 200
        assert pages.get("/enterprises/").status_code == 200
        report_done(client, auth, "2024-09")

        cluster.stop()
        stopped = time.monotonic()
        client.timings.clear()
        pages.timings.clear()
        api = client.get("/api/v1/enterprises/", headers=auth)
        assert api.status_code == 503 and api.headers["Content-Type"].startswith("application/json"), api.text[:500]
        assert api.json()["code"] == "database_unavailable" and api.headers["Retry-After"]
        chinese = client.get("/api/v1/reports/", headers={**auth, "Accept-Language": "zh-hans"})
        assert chinese.status_code == 503 and "数据库暂时不可用" in chinese.json()["detail"]
        asked = client.post("/api/v1/reports/", headers=auth, json={"kind": "city", "period": "2024-09"})
        assert asked.status_code == 503 and asked.json()["code"] == "database_unavailable"
        page = pages.get("/enterprises/")
        assert page.status_code == 503 and "数据库暂时不可用" in page.text, page.text[:500]
        login_page = pages.get("/login/")
        assert login_page.status_code in (200, 503)
        for body in (api.text, page.text, chinese.text, asked.text):
            assert "Traceback" not in body and "OperationalError" not in body
        ready = client.get("/readyz")
        assert ready.status_code == 503 and not ready.json()["checks"]["database"]["ok"]
        during = client.timings + pages.timings

        cluster.start()
        restarted = time.monotonic()
        # The same processes, not restarted: the web server's kept connections were found dead and replaced,
        # the worker opens one per task.
        assert client.get("/api/v1/enterprises/", headers=auth).status_code == 200
        assert pages.get("/enterprises/").status_code == 200  # the session survived, in the database
        assert client.get("/readyz").json()["checks"]["database"]["ok"]
        report_done(client, auth, "2024-10")
        recovered = time.monotonic() - restarted
    finally:
        if worker is not None:
            worker.stop()
        if web is not None:
            web.stop()
        cluster.close()
    slowest = max(during, key=lambda t: t[1])
    with capsys.disabled():
        print(
            f"\npostgres restart: {len(during)} requests while it was down (503, no stack trace), slowest "
            f"{slowest[1] * 1000:.0f} ms; down {restarted - stopped:.1f} s; web and worker answered again and a report "
            f"was generated {recovered:.1f} s after the restart, neither process restarted"
        )
