"""The documented backup and restore (scripts/backup_restore_check.sh) run against the test database:
pg_dump, pg_restore into a scratch database, every table's row count compared."""

import os
import subprocess

import pytest
from django.db import connection

from tests.conftest import ROOT, _database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_backup_restores_every_row(users, make_enterprise, capsys):
    for district in ("500112", "500105", "110108"):
        make_enterprise(district)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        tables = cursor.fetchone()[0]
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "backup_restore_check.sh")],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": _database_url(direct=True)},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"backup-restore check OK: {tables} tables" in out.stdout
    rows = int(out.stdout.split(" tables, ")[1].split(" rows")[0])
    assert rows > 500  # reference data, users, enterprises, their audit entries
    with capsys.disabled():
        print("\n" + out.stdout.strip())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname LIKE %s",
            [connection.settings_dict["NAME"] + "_restore_check_%"],
        )
        assert cursor.fetchone()[0] == 0  # the scratch database is gone
