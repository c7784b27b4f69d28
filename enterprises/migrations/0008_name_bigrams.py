# Two-character name search (issue 16): a stored generated column of the name's bigrams with a GIN index.
#
# Trigram indexes need three characters, so `q=华宏` scanned all 500,000 names (~250 ms).  The column
# holds the distinct upper-cased two-character substrings of the name; `name_bigrams @> ARRAY['华宏']`
# is then exactly `UPPER(name) LIKE '%华宏%'` and is answered from the GIN index (a few ms).
#
# GENERATED ALWAYS … STORED: PostgreSQL computes it on every INSERT and UPDATE, whoever writes — the
# ORM, the importer's set-based INSERT … SELECT and UPDATE … FROM, COPY, a manual fix in psql — so it
# cannot drift from the name.  A column rather than an expression index: the search ORs other
# conditions, and an expression index would have the function re-run on every row of such a plan.
# The column is not a model field (Django never reads or writes it); enterprises.api.filters uses it.
# PostgreSQL only: on SQLite (the demo) nothing is created and the search keeps using icontains.

from django.db import migrations

FUNCTION = "enterprise_name_bigrams"
COLUMN = "name_bigrams"
INDEX = "enterprise_name_bigrams"


def add_bigrams(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # IMMUTABLE (upper and substr are), as a generated column requires; STRICT, so a NULL name gives NULL.
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}(name text) RETURNS text[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN ARRAY(
            SELECT DISTINCT substr(upper(name), i, 2)
              FROM generate_series(1, char_length(name) - 1) AS i
        )
        """
    )
    schema_editor.execute(
        f"ALTER TABLE enterprises_enterprise ADD COLUMN {COLUMN} text[] "
        f"GENERATED ALWAYS AS ({FUNCTION}(name::text)) STORED"
    )
    schema_editor.execute(f"CREATE INDEX {INDEX} ON enterprises_enterprise USING gin ({COLUMN})")


def drop_bigrams(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE enterprises_enterprise DROP COLUMN IF EXISTS {COLUMN}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0007_year_facts_of_the_2026_criteria"),
    ]

    operations = [migrations.RunPython(add_bigrams, drop_bigrams, elidable=False)]
