"""The audit log's guard in the database itself (PostgreSQL; SQLite keeps the model-level guard).

A trigger refuses every UPDATE of accounts_auditentry, every TRUNCATE, and every
DELETE except those of zjtx_audit_purge(keep_days), which removes only entries
older than keep_days (never fewer than 180 days): the log is append-only for
every client of the database, not only for this application's models.  The
database owner can still drop the trigger: it guards against the application
and its users, not against the DBA.

TRUNCATE is allowed where the setting zjtx.audit_truncate is 'on'; only the
test suite sets it on its own test database (pytest-django empties tables with
TRUNCATE between transactional tests).
"""

from django.db import migrations

MIN_DAYS = 180

INSTALL = f"""
CREATE OR REPLACE FUNCTION accounts_auditentry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'the audit log is append-only: UPDATE of accounts_auditentry is refused'
            USING ERRCODE = 'insufficient_privilege';
    ELSIF TG_OP = 'DELETE' THEN
        IF coalesce(current_setting('zjtx.audit_purge', true), '') <> 'on' THEN
            RAISE EXCEPTION 'the audit log is append-only: entries are removed only by zjtx_audit_purge()'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.at >= now() - interval '{MIN_DAYS} days' THEN
            RAISE EXCEPTION 'audit entries are kept at least {MIN_DAYS} days (entry % of %)', OLD.id, OLD.at
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    ELSIF TG_OP = 'TRUNCATE' THEN
        IF coalesce(current_setting('zjtx.audit_truncate', true), '') <> 'on' THEN
            RAISE EXCEPTION 'the audit log is append-only: TRUNCATE of accounts_auditentry is refused'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS accounts_auditentry_append_only ON accounts_auditentry;
CREATE TRIGGER accounts_auditentry_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_guard();
DROP TRIGGER IF EXISTS accounts_auditentry_no_truncate ON accounts_auditentry;
CREATE TRIGGER accounts_auditentry_no_truncate
    BEFORE TRUNCATE ON accounts_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditentry_guard();

CREATE OR REPLACE FUNCTION zjtx_audit_purge(keep_days integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    removed bigint;
BEGIN
    IF keep_days IS NULL OR keep_days < {MIN_DAYS} THEN
        RAISE EXCEPTION 'audit entries are kept at least {MIN_DAYS} days (asked for %)', keep_days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('zjtx.audit_purge', 'on', true);
    DELETE FROM accounts_auditentry WHERE at < now() - make_interval(days => keep_days);
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('zjtx.audit_purge', 'off', true);
    RETURN removed;
END
$$;
"""

REMOVE = """
DROP TRIGGER IF EXISTS accounts_auditentry_append_only ON accounts_auditentry;
DROP TRIGGER IF EXISTS accounts_auditentry_no_truncate ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_guard();
DROP FUNCTION IF EXISTS zjtx_audit_purge(integer);
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_security")]

    operations = [migrations.RunPython(install, remove)]
