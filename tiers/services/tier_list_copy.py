"""The new certifications of a confirmed tier list, written set-based on PostgreSQL.

A list of 100,000 new certifications written through the ORM (bulk_create of the certifications,
their transitions and their audit entries) spent most of its time building model instances and
quoting parameters: 10.7× a COPY of the same rows.  Here the planned rows are copied into a
temporary table in one round trip, and one statement inserts the certifications, their
`list_import` transitions and their audit entries (the same entries `record_many` writes: see
`accounts.audit.sql_insert`).  Other databases (SQLite for the demo) keep the ORM writer in
tier_lists.py; tests/tiers/test_tier_lists.py holds both to the same rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from accounts.audit import sql_insert
from accounts.models import AuditAction
from enterprises.models import Enterprise
from tiers.models import Certification, CertificationTransition
from zjtx.pgcopy import copy_into_stage, copy_text

STAGE = "tier_list_new_certifications"
STAGE_COLUMNS = ["row_no", "enterprise_id", "status", "valid_from", "valid_until", "ended_on", "reason"]

# (row number, enterprise id, status, valid from, valid until, ended on, reason)
NewCertification = tuple[int, int, str, dt.date, dt.date, dt.date | None, str]


def insert_certifications(*, tier_id: int, rows: list[NewCertification], actor_id: int | None, now: Any) -> int:
    """Insert the certifications with their transition and audit entry each; returns how many."""
    if not rows:
        return 0
    # Dropped at the end of the import's transaction (which also keeps it on one server session behind
    # pgbouncer's transaction pooling).
    copy_into_stage(
        STAGE,
        "(row_no integer, enterprise_id bigint, status text, valid_from date, valid_until date, ended_on date,"
        " reason text)",
        STAGE_COLUMNS,
        "".join("\t".join(map(copy_text, row)) + "\n" for row in rows),
    )
    certifications = Certification._meta.db_table
    transitions = CertificationTransition._meta.db_table
    enterprises = Enterprise._meta.db_table
    # The entry names the certification as str(Certification) does and lists the fields as created.
    audit, params = sql_insert(
        AuditAction.IMPORT,
        Certification,
        "(SELECT i.id AS object_id,"
        " i.enterprise_id || ' ' || i.tier_id || ' [' || i.valid_from::text || ', ' || i.valid_until::text || ')'"
        " AS object_repr, e.district_id,"
        " jsonb_build_object('tier_id', jsonb_build_array(NULL, i.tier_id),"
        " 'status', jsonb_build_array(NULL, i.status),"
        " 'valid_from', jsonb_build_array(NULL, i.valid_from::text),"
        " 'valid_until', jsonb_build_array(NULL, i.valid_until::text), 'reason', jsonb_build_array(NULL, i.reason))"
        f" AS changes FROM inserted i JOIN {enterprises} e ON e.id = i.enterprise_id) AS rows",
    )
    sql = f"""
        WITH inserted AS (
            INSERT INTO {certifications}
                   (enterprise_id, tier_id, status, valid_from, valid_until, ended_on, reason, created_at, updated_at)
            SELECT s.enterprise_id, %(tier)s, s.status, s.valid_from, s.valid_until, s.ended_on, s.reason,
                   %(now)s, %(now)s
              FROM {STAGE} s
             ORDER BY s.row_no
            RETURNING id, enterprise_id, tier_id, status, valid_from, valid_until, reason
        ), transitions AS (
            INSERT INTO {transitions} (certification_id, action, from_status, to_status, actor_id, at, reason)
            SELECT i.id, 'list_import', '', i.status, %(actor)s, %(now)s, i.reason FROM inserted i
        ), audited AS ({audit})
        SELECT count(*) FROM inserted
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "tier": tier_id, "actor": actor_id, "now": now})
        return int(cursor.fetchone()[0])
