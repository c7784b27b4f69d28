"""The application's PostgreSQL role cannot change or remove audit entries by any means (issue 12, item 14).

The test suite itself connects as the database owner: it creates the test database, migrates it and
empties tables between transactional tests, which the application's role must never be able to do.
This module creates the application role in the test database with the production command
(`manage.py create_app_role`), connects as that role, shows that the application's work goes through,
and tries every way around the audit log's guard.
"""

from __future__ import annotations

import os
import secrets
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import AuditEntry
from tests.conftest import _direct

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app_role(users, monkeypatch):
    """(name, psycopg connection as the role); the role is dropped again afterwards (roles are cluster-wide)."""
    name = f"zjtx_test_app_{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(16)
    monkeypatch.setenv("ZJTX_APP_DB_PASSWORD", password)
    call_command("create_app_role", name, stdout=open(os.devnull, "w"))  # noqa: SIM115
    # Straight to PostgreSQL, not through the tests' pgbouncer: the bouncer authenticates only the
    # users in its own auth file, and a role created here is not one of them.
    d = {**connection.settings_dict, **_direct}
    conn = psycopg.connect(
        host=d["HOST"] or "127.0.0.1", port=d["PORT"] or 5432, dbname=d["NAME"], user=name, password=password,
        autocommit=True,
    )  # fmt: skip
    try:
        yield name, conn
    finally:
        conn.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE "{name}"')


def refused(conn, sql: str) -> str | None:
    """None when the statement was refused (the error's text otherwise tells what got through)."""
    try:
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.rowcount
    except psycopg.Error:
        return None
    return f"{sql!r} went through ({rows} rows)"


def test_the_role_is_plain_and_owns_nothing(app_role):
    name, conn = app_role
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolreplication, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles"
            " WHERE rolname = %s",
            [name],
        )
        assert cursor.fetchone() == (False, False, False, False, False)
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s)"
            " + (SELECT count(*) FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner WHERE r.rolname = %s)",
            [name, name],
        )
        assert cursor.fetchone() == (0,)


def test_the_application_works_as_the_role(app_role, users, make_enterprise):
    _name, conn = app_role
    ent = make_enterprise("500112")
    with conn.cursor() as cursor:
        cursor.execute("UPDATE enterprises_enterprise SET main_product = %s WHERE id = %s", ["新产品", ent.pk])
        assert cursor.rowcount == 1
        cursor.execute(
            "INSERT INTO accounts_auditentry (at, actor_name, action, object_id, object_repr, changes, source) "
            "VALUES (now(), 'app', 'update', %s, 'x', '{}', 'test') RETURNING id",
            [str(ent.pk)],
        )
        assert cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM accounts_auditentry")
        assert cursor.fetchone()[0] >= 1
        cursor.execute("CREATE TEMPORARY TABLE import_rows (code text)")  # the importer's COPY target
        cursor.execute("SELECT zjtx_audit_purge(180)")  # the sanctioned purge still runs (nothing that old)
        assert cursor.fetchone() == (0,)


def test_the_role_cannot_change_or_remove_audit_entries_by_any_means(app_role, users):
    _name, conn = app_role
    entry = AuditEntry.objects.create(actor_name="x", action="update", object_repr="保留")
    attempts = [
        f"UPDATE accounts_auditentry SET object_repr = 'changed' WHERE id = {entry.pk}",
        f"DELETE FROM accounts_auditentry WHERE id = {entry.pk}",
        "TRUNCATE accounts_auditentry",
        "SET session_replication_role = replica",
        "SET LOCAL session_replication_role = replica",
        "ALTER TABLE accounts_auditentry DISABLE TRIGGER ALL",
        "ALTER TABLE accounts_auditentry DISABLE TRIGGER accounts_auditentry_append_only",
        "DROP TRIGGER accounts_auditentry_append_only ON accounts_auditentry",
        "DROP TRIGGER accounts_auditentry_no_truncate ON accounts_auditentry",
        "CREATE OR REPLACE FUNCTION accounts_auditentry_guard() RETURNS trigger LANGUAGE plpgsql"
        " AS $$ BEGIN RETURN OLD; END $$",
        "DROP FUNCTION accounts_auditentry_guard() CASCADE",
        "ALTER TABLE accounts_auditentry RENAME TO accounts_auditentry_old",
        "DROP TABLE accounts_auditentry",
        "CREATE TABLE public.zjtx_probe (id int)",
        "SELECT zjtx_audit_purge(1)",
        "ALTER ROLE CURRENT_USER SUPERUSER",
        "ALTER ROLE CURRENT_USER BYPASSRLS",
        f"SET zjtx.audit_purge = 'on'; DELETE FROM accounts_auditentry WHERE id = {entry.pk}",
        "SET zjtx.audit_truncate = 'on'; TRUNCATE accounts_auditentry",
        f"WITH gone AS (DELETE FROM accounts_auditentry WHERE id = {entry.pk} RETURNING id) SELECT * FROM gone",
        "COPY accounts_auditentry FROM PROGRAM 'true'",
        "GRANT DELETE ON accounts_auditentry TO CURRENT_USER",  # a warning, not an error: checked below
    ]
    got_through = [problem for sql in attempts[:-1] if (problem := refused(conn, sql))]
    assert not got_through, "\n".join(got_through)
    refused(conn, attempts[-1])
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege('accounts_auditentry', 'UPDATE'), "
            "has_table_privilege('accounts_auditentry', 'DELETE'), "
            "has_table_privilege('accounts_auditentry', 'TRUNCATE'), "
            "has_table_privilege('accounts_auditentry', 'INSERT')"
        )
        assert cursor.fetchone() == (False, False, False, True)
    entry.refresh_from_db()
    assert entry.object_repr == "保留"


def test_the_command_refuses_a_bad_name_and_runs_twice(app_role):
    name, _conn = app_role
    call_command("create_app_role", name, "--no-password", stdout=open(os.devnull, "w"))  # noqa: SIM115
    with pytest.raises(CommandError, match="role name"):
        call_command("create_app_role", 'x"; DROP TABLE y; --')
