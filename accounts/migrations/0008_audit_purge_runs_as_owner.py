"""The audit purge runs with its owner's rights, so the application's database role needs no DELETE on the log.

With `manage.py create_app_role`, the application connects as a role that may only SELECT and INSERT
audit entries; the monthly purge still removes the entries past retention through this function (which
keeps its own checks: at least 180 days).  Nobody but the owner and the roles it grants may call it.
"""

from django.db import migrations

FORWARD = """
ALTER FUNCTION zjtx_audit_purge(integer) SECURITY DEFINER;
ALTER FUNCTION zjtx_audit_purge(integer) SET search_path = public, pg_temp;
REVOKE EXECUTE ON FUNCTION zjtx_audit_purge(integer) FROM PUBLIC;
"""

BACKWARD = """
ALTER FUNCTION zjtx_audit_purge(integer) SECURITY INVOKER;
ALTER FUNCTION zjtx_audit_purge(integer) RESET search_path;
GRANT EXECUTE ON FUNCTION zjtx_audit_purge(integer) TO PUBLIC;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_login_lock_pairs")]

    operations = [migrations.RunPython(forward, backward)]
