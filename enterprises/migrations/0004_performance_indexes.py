# Indexes for the national-size data set (see README, "Performance").

from django.conf import settings
from django.db import migrations, models

TRIGRAM_INDEX = "enterprise_name_trgm"


def add_trigram_index(apps, schema_editor):
    # The name search (q) is `UPPER(name) LIKE UPPER('%…%')` (Django's icontains): a trigram GIN index on
    # that expression serves it.  PostgreSQL only; SQLite (the demo) keeps scanning its few rows.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON enterprises_enterprise "
        "USING gin ((UPPER(name::text)) gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0003_eligibility"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # A demand's status on a past day is the last event before then: (demand, at, id) with the status
        # included answers it by an index-only scan (replaces the index on (demand, at)).
        migrations.RemoveIndex(
            model_name="demandevent",
            name="demand_event_demand_at",
        ),
        migrations.AddIndex(
            model_name="demandevent",
            index=models.Index(fields=["demand", "at", "id"], include=("to_status",), name="demand_event_state_at"),
        ),
        # The few listed firms, for the new-listings metric.
        migrations.AddIndex(
            model_name="enterprise",
            index=models.Index(
                condition=models.Q(("listing_status", "unlisted"), _negated=True),
                fields=["listed_on"],
                include=("district", "listing_status"),
                name="enterprise_listed_on",
            ),
        ),
        # The lists' order (newest first), so that a page of demands or visits is read off an index.
        migrations.AddIndex(
            model_name="demand",
            index=models.Index(fields=["-raised_on", "-id"], name="demand_list_order"),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["-visited_on", "-id"], name="visit_list_order"),
        ),
        migrations.RunPython(add_trigram_index, drop_trigram_index, elidable=False),
    ]
