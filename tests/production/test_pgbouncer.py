"""PostgreSQL through pgbouncer in transaction pooling: the flows that hold state across statements.

CI runs the whole suite through a private pgbouncer (ZJTX_TEST_PGBOUNCER=1 in .ci/run); this module
runs the riskiest flows through one in any case: the importer (COPY into temporary tables over
several chunks), the streamed CSV export (QuerySet.iterator), files read a chunk per query from the
database storage, row-locked transitions, and a report made by a worker process. The pgbouncer
rotates its server sessions (tests/production/services.py), so anything that relied on session
state would fail here.
"""

from __future__ import annotations

import io
import time

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from enterprises.models import Enterprise
from enterprises.services import importing
from reporting.models import ReportRun
from reporting.tasks import generate_report
from tests import conftest
from tests.enterprises.test_import import csv_bytes, good_row
from tests.production.services import PgBouncer
from tiers.services import lifecycle

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def through_pgbouncer(django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("pgbouncer is for PostgreSQL")
    if conftest.THROUGH_PGBOUNCER:
        yield  # the whole session already is
        return
    bouncer = conftest._switch_to_pgbouncer()
    try:
        yield
    finally:
        conftest._switch_back(bouncer)


def test_consecutive_transactions_run_on_different_server_sessions():
    d = {**connection.settings_dict, **conftest._direct}
    bouncer = PgBouncer(d["HOST"] or "127.0.0.1", int(d["PORT"] or 5432), d["USER"] or "postgres")
    try:
        with psycopg.connect(bouncer.url(d["NAME"]), autocommit=True, prepare_threshold=None) as conn:
            pids: set[int] = set()
            deadline = time.monotonic() + 15  # pgbouncer opens min_pool_size server sessions within seconds
            while len(pids) < 2 and time.monotonic() < deadline:
                pids.add(conn.execute("SELECT pg_backend_pid()").fetchone()[0])
                time.sleep(0.05)
            conn.execute("SET zjtx.probe = 'session-state'")
            seen = {conn.execute("SELECT current_setting('zjtx.probe', true)").fetchone()[0] for _ in range(6)}
        with psycopg.connect(bouncer.url("pgbouncer"), autocommit=True, prepare_threshold=None) as admin:
            config = {row[0]: row[1] for row in admin.cursor().execute("SHOW CONFIG").fetchall()}
    finally:
        bouncer.stop()
    assert len(pids) >= 2  # one client, several server sessions
    assert "session-state" in seen and len(seen) >= 2  # a session-level SET does not follow the client
    assert config["pool_mode"] == "transaction"


def test_the_connection_goes_through_pgbouncer(through_pgbouncer, db):
    settings_dict = connection.settings_dict
    assert settings_dict["PORT"] != conftest._direct["PORT"]
    assert settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert settings_dict["OPTIONS"]["prepare_threshold"] is None
    with connection.cursor() as cursor:
        cursor.execute("SHOW port")
        assert str(cursor.fetchone()[0]) == str(conftest._direct["PORT"] or 5432)  # the server behind it


def test_import_export_and_stored_files_through_pgbouncer(through_pgbouncer, users, ref, api, monkeypatch):
    monkeypatch.setattr(importing, "COPY_CHUNK", 100)  # several chunks: the temporary tables live across them
    data = csv_bytes([good_row(n) for n in range(1, 351)])
    run = importing.enterprises_import(actor=users.staff_a, stream=io.BytesIO(data), file_name="渝北.csv")
    assert (run.status, run.rows_created, run.facts_written) == ("done", 350, 350)
    again = importing.enterprises_import(actor=users.staff_a, stream=io.BytesIO(data), file_name="渝北.csv")
    assert (again.rows_unchanged, again.rows_created) == (350, 0)

    response = api(users.staff_a).get("/api/v1/enterprises/export/?district=500112")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 351  # header + every row, read by an iterator in chunks

    content = bytes(range(256)) * 9000  # 2.3 MB: three chunks, each read by a query of its own
    name = default_storage.save("probe/pgbouncer.bin", ContentFile(content))
    with default_storage.open(name) as stored:
        stored.seek(1024 * 1024 + 5)
        assert stored.read(10) == content[1024 * 1024 + 5 : 1024 * 1024 + 15]
        stored.seek(0)
        assert stored.read() == content


def test_row_locked_transitions_through_pgbouncer(through_pgbouncer, users, ref, make_enterprise):
    firm = make_enterprise("500112")
    application = lifecycle.application_submit(
        actor=users.staff_a, enterprise=firm, tier=ref.tiers["innovative_sme"], batch_year=2025
    )
    application = lifecycle.application_transition(
        actor=users.staff_a, application_id=application.pk, action="recommend", reason="ok"
    )
    assert application.status == "recommended"
    assert Enterprise.objects.count() == 1


@pytest.mark.celery_worker
def test_a_report_made_by_a_worker_through_pgbouncer(through_pgbouncer, celery_worker, ref):
    run = ReportRun.objects.create(
        kind="district", jurisdiction=ref.jurisdictions["500000"], district=ref.districts["500105"], period="2024-06"
    )
    assert generate_report.delay(run.pk).get(timeout=120) == "done"
    done = ReportRun.objects.get(pk=run.pk)
    with done.xlsx.open("rb") as fh:
        assert fh.read(2) == b"PK"
