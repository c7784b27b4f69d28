"""A PostgreSQL connection dropped in the middle of an import: nothing is written, the run says it failed,
and running the same file again completes."""

import io
import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from accounts.models import AuditEntry
from enterprises.models import Enterprise, EnterpriseYearFact
from enterprises.models.registry import ImportRun, ImportStatus
from enterprises.services import importing
from tests.enterprises.test_import import csv_bytes, good_row

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHUNK = 200
ROWS = 3 * CHUNK  # three chunks: the drop comes after the first is written


def test_connection_drop_mid_import_rolls_back_and_a_rerun_completes(users, ref, monkeypatch):
    data = csv_bytes([good_row(n) for n in range(1, ROWS + 1)])
    first_chunk_written, dropped = threading.Event(), threading.Event()
    backend: dict[str, int] = {}
    outcome: dict[str, object] = {}
    write = importing._Importer._write

    def write_then_wait(self, chunk):
        write(self, chunk)
        if not first_chunk_written.is_set():
            # The server's own pid, asked inside the import's transaction (through pgbouncer the client
            # connection's pid is pgbouncer's, and the transaction is what pins a server session).
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend["pid"] = cursor.fetchone()[0]
            first_chunk_written.set()
            dropped.wait(30)

    monkeypatch.setattr(importing._Importer, "_write", write_then_wait)
    monkeypatch.setattr(importing, "CHUNK", CHUNK)

    def run():
        try:
            with translation.override("en"):
                importing.enterprises_import(actor=users.staff_a, stream=io.BytesIO(data), file_name="渝北名单.csv")
        except Exception as exc:  # the import re-raises what broke it
            outcome["error"] = exc
        finally:
            connections.close_all()

    importer = threading.Thread(target=run)
    importer.start()
    assert first_chunk_written.wait(60)
    with connection.cursor() as cursor:  # the test's own connection ends the importer's backend
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend["pid"]])
        assert cursor.fetchone()[0] is True
    dropped.set()
    importer.join(60)

    assert "terminat" in str(outcome.get("error", "")).lower() or "closed" in str(outcome.get("error", "")).lower()
    run_row = ImportRun.objects.get()
    assert run_row.status == ImportStatus.FAILED and run_row.finished_at is not None
    assert "nothing was written" in run_row.message
    assert (run_row.rows_created, run_row.facts_written) == (0, 0)
    assert Enterprise.objects.count() == 0 and EnterpriseYearFact.objects.count() == 0
    assert not AuditEntry.objects.filter(action="import").exists()

    monkeypatch.setattr(importing._Importer, "_write", write)
    again = importing.enterprises_import(actor=users.staff_a, stream=io.BytesIO(data), file_name="渝北名单.csv")
    assert again.status == ImportStatus.DONE
    assert (again.rows_created, again.facts_written, again.rows_rejected) == (ROWS, ROWS, 0)
    assert Enterprise.objects.count() == ROWS
    assert AuditEntry.objects.filter(action="import").count() == 2 * ROWS
