"""The move of models out of `enterprises` into reference/, tiers/ and servicedesk/ (issue 21), checked on data.

`fingerprints()` counts and hashes every row of every moved table (and the tables that point at
them); `PRE_LAYOUT` names the last migration of each app before the move.  Used by
tests/test_layout_upgrade.py (a small data set, both directions) and by `check_upgrade.py` (the
national data set).
"""

from __future__ import annotations

from django.db import connection

# The last migration of each app before the models moved; the new apps had none.
PRE_LAYOUT: list[tuple[str, str | None]] = [
    ("reference", None),
    ("tiers", None),
    ("servicedesk", None),
    ("enterprises", "0004_performance_indexes"),
    ("accounts", "0005_auditentry_content_type_no_own_index"),
    ("programs", "0001_initial"),
    ("reporting", "0002_target_commitment"),
]

MOVED_TABLES = [
    "enterprises_jurisdiction",
    "enterprises_district",
    "enterprises_industry",
    "enterprises_tier",
    "enterprises_jobrun",
    "enterprises_application",
    "enterprises_applicationtransition",
    "enterprises_certification",
    "enterprises_certificationtransition",
    "enterprises_eligibilityassessment",
    "enterprises_serviceassignment",
    "enterprises_serviceassignment_policy_measures",
    "enterprises_visit",
    "enterprises_demand",
    "enterprises_demandevent",
    "enterprises_servicedeskdailycheck",
]
# Tables that stayed but point at moved ones, and the audit log that names them by content type.
RELATED_TABLES = ["enterprises_enterprise", "accounts_user", "accounts_auditentry"]


def fingerprints(tables: list[str] | None = None) -> dict[str, tuple[int, str]]:
    """(row count, md5 of every row in id order) per table.

    Generated columns are left out: they are derived from the row (the name's bigrams, added after the
    move, are dropped with their migration and computed again when it is reapplied)."""
    result = {}
    with connection.cursor() as cursor:
        for table in tables or MOVED_TABLES + RELATED_TABLES:
            cursor.execute(
                "SELECT string_agg('t.' || quote_ident(column_name), ', ' ORDER BY ordinal_position)"
                " FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %s AND is_generated = 'NEVER'",
                [table],
            )
            columns = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT count(*), coalesce(md5(string_agg(md5(ROW({columns})::text), '' ORDER BY t.id)), '')"
                f" FROM {table} t"
            )
            count, digest = cursor.fetchone()
            result[table] = (count, digest)
    return result


def content_types() -> dict[str, tuple[int, str]]:
    """model → (id, app label) of the content types of the moved models: the ids must survive the move."""
    models = [t.removeprefix("enterprises_") for t in MOVED_TABLES if not t.endswith("_policy_measures")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT model, id, app_label FROM django_content_type WHERE model = ANY(%s)", [models])
        return {model: (pk, label) for model, pk, label in cursor.fetchall()}
