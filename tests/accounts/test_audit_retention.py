"""The audit log is append-only for every database client and kept at least 180 days; the purge removes only
older entries.  The trigger tests need PostgreSQL; the purge itself also runs on SQLite."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.audit import record
from accounts.models import AuditAction, AuditEntry
from accounts.services.audit_retention import audit_log_purge
from accounts.tasks import purge_audit_log
from reference.models import JobRun
from tests.conftest import ROOT
from zjtx.errors import DomainError

pytestmark = [pytest.mark.django_db]


def entry_aged(days, repr_="old"):
    """An entry written `days` ago (raw INSERT: the model stamps every new row with now)."""
    at = timezone.now() - timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_auditentry (at, actor_name, action, object_id, object_repr, changes, source)"
            " VALUES (%s, 'test', 'update', '', %s, '{}', 'test')",
            [at, repr_],
        )
    return AuditEntry.objects.get(object_repr=repr_)


def refused(sql, params=()):
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(raised.value)


@pytest.mark.postgres
def test_raw_sql_cannot_change_or_delete_entries(users):
    recent = AuditEntry.objects.first()
    old = entry_aged(400)
    assert "append-only" in refused("UPDATE accounts_auditentry SET object_repr = 'x' WHERE id = %s", [recent.pk])
    assert "append-only" in refused("UPDATE accounts_auditentry SET object_repr = 'x' WHERE id = %s", [old.pk])
    assert "append-only" in refused("DELETE FROM accounts_auditentry WHERE id = %s", [old.pk])
    # (The test's transaction first fires its deferred constraint checks, which TRUNCATE would refuse anyway.)
    truncate = "SET CONSTRAINTS ALL IMMEDIATE; SET LOCAL zjtx.audit_truncate = 'off'; TRUNCATE accounts_auditentry"
    assert "append-only" in refused(truncate)
    # Even with the purge's own switch, a young entry stays.
    assert "at least 180 days" in refused(
        "SELECT set_config('zjtx.audit_purge', 'on', true); DELETE FROM accounts_auditentry WHERE id = %s",
        [recent.pk],
    )
    assert "at least 180 days" in refused("SELECT zjtx_audit_purge(30)")
    assert AuditEntry.objects.filter(pk__in=[recent.pk, old.pk]).count() == 2


def test_the_models_refuse_as_well(users):
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(object_repr="x")
    # A user named in the log is deactivated, not deleted (the entry would have to change).
    record(AuditAction.LOGIN, users.staff_a, actor=users.staff_a)
    with pytest.raises(ProtectedError):
        users.staff_a.delete()


def test_the_purge_removes_only_entries_past_the_retention(users, settings):
    settings.ZJTX_AUDIT_RETENTION_DAYS = 365
    very_old, half_year, young = entry_aged(400, "very old"), entry_aged(200, "half year"), entry_aged(10, "young")
    before = AuditEntry.objects.count()
    assert audit_log_purge() == 1
    assert not AuditEntry.objects.filter(pk=very_old.pk).exists()
    assert AuditEntry.objects.filter(pk__in=[half_year.pk, young.pk]).count() == 2
    purge = AuditEntry.objects.get(action="delete", changes__removed=1)
    assert purge.changes["keep_days"] == 365
    assert AuditEntry.objects.count() == before - 1 + 1
    assert audit_log_purge(keep_days=180) == 1 and not AuditEntry.objects.filter(pk=half_year.pk).exists()
    with pytest.raises(DomainError):
        audit_log_purge(keep_days=179)
    assert AuditEntry.objects.filter(pk=young.pk).exists()


def test_the_purge_command_and_the_monthly_task(users, settings, capsys):
    entry_aged(500)
    call_command("purge_audit_log", "--keep-days", "365")
    assert "removed 1 audit entries" in capsys.readouterr().out
    assert purge_audit_log() == 0  # nothing left past the default retention
    assert JobRun.objects.get(job="accounts.purge_audit_log").result == {"removed": 0}


def test_a_retention_under_180_days_is_refused_at_startup():
    env = {**os.environ, "ZJTX_AUDIT_RETENTION_DAYS": "90", "DJANGO_SETTINGS_MODULE": "zjtx.settings"}
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode != 0 and "ZJTX_AUDIT_RETENTION_DAYS must be at least 180" in out.stderr
