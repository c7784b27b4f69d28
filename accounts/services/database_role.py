"""The application's own PostgreSQL role: no superuser, no replication, owning nothing, granted what the
application needs and no more.

The database owner (who runs the migrations) creates or updates it with `manage.py create_app_role`; the
web servers and Celery workers then connect as that role.  It reads and writes the application's tables,
but on the audit log it may only read and insert: UPDATE, DELETE and TRUNCATE are not granted, it owns no
table, trigger or function (so it cannot ALTER TABLE … DISABLE TRIGGER, DROP TRIGGER or replace the
guard), and `session_replication_role` is a superuser's setting.  The retention purge deletes through
`zjtx_audit_purge`, which runs with its owner's rights (migration accounts/0008) and keeps its own checks.
Tables added by later migrations are granted by default privileges of the owner.
"""

from __future__ import annotations

import re

from django.db import connection

from zjtx.errors import DomainError

AUDIT_TABLE = "accounts_auditentry"
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def app_role_statements(name: str, database: str, password: str | None) -> list[tuple[str, list[str]]]:
    """The statements (with their parameters) that create or update the role; safe to run again."""
    if not _NAME.fullmatch(name):
        raise DomainError("A role name is lower-case letters, digits and _, at most 63 characters.", field="name")
    role = connection.ops.quote_name(name)
    db = connection.ops.quote_name(database)
    statements: list[tuple[str, list[str]]] = [
        (
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
            f"CREATE ROLE {role} LOGIN; END IF; END $$",
            [],
        ),
        (f"ALTER ROLE {role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT", []),
        # TEMPORARY: the importer copies rows into temporary tables.
        (f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}", []),
        (f"GRANT USAGE ON SCHEMA public TO {role}", []),
        (f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}", []),
        (f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}", []),
        (f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}", []),
        (f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}", []),
        # The audit log: read and append only.
        (f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {role}", []),
        (f"GRANT EXECUTE ON FUNCTION zjtx_audit_purge(integer) TO {role}", []),
    ]
    if password:
        statements.append((f"ALTER ROLE {role} WITH PASSWORD %s", [password]))
    return statements


def app_role_create(*, name: str, password: str | None = None) -> None:
    """Create or update the role in the database the current connection is to (run as its owner)."""
    if connection.vendor != "postgresql":
        raise DomainError("The application role is a PostgreSQL role; this database is not PostgreSQL.")
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        for sql, params in app_role_statements(name, database, password):
            cursor.execute(sql, params or None)
