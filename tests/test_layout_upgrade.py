"""The models that moved out of `enterprises` (issue 21) keep every row, index and audit link across the migration.

The test migrates the test database back to the schema before the move, checks nothing was lost,
and migrates forward again: the same rows (counted and hashed), the same content-type ids under
their new app labels, and the audit history of a moved model still readable through the ORM.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.audit import history
from servicedesk import services as servicedesk
from tests.bench.upgrade import MOVED_TABLES, PRE_LAYOUT, content_types, fingerprints
from tiers.models import Certification
from tiers.services import lifecycle

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _migrate(targets: list[tuple[str, str | None]]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def _latest() -> list[tuple[str, str | None]]:
    executor = MigrationExecutor(connection)
    return list(executor.loader.graph.leaf_nodes())


def test_moving_the_models_keeps_rows_content_types_and_history(ref, users, make_enterprise):
    enterprise = make_enterprise()
    lifecycle.certification_import(
        actor=users.superuser, enterprise=enterprise, tier=ref.tiers["innovative_sme"], valid_from=timezone.localdate()
    )
    servicedesk.visit_log(actor=users.staff_a, enterprise=enterprise, visited_on=timezone.localdate(), mode="on_site")
    cert = Certification.objects.get(enterprise=enterprise)
    assert history(cert).exists()
    before = fingerprints()
    types = content_types()
    assert types["certification"][1] == "tiers" and types["district"][1] == "reference"
    assert all(before[t][0] for t in ("enterprises_certification", "enterprises_visit", "enterprises_district"))

    latest = _latest()
    try:
        _migrate(PRE_LAYOUT)
        assert fingerprints() == before
        assert {m: pk for m, (pk, _label) in content_types().items()} == {m: pk for m, (pk, _l) in types.items()}
        assert {label for _pk, label in content_types().values()} == {"enterprises"}
    finally:
        _migrate(latest)

    assert fingerprints() == before
    assert content_types() == types
    assert history(Certification.objects.get(pk=cert.pk)).count() == history(cert).count() > 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tablename = ANY(%s)", [MOVED_TABLES])
        assert {row[0] for row in cursor.fetchall()} == set(MOVED_TABLES)
