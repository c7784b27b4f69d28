"""Writing the importer's chunks on PostgreSQL: COPY into temporary tables, then set-based SQL.

Per chunk: the chunk's enterprises (formatted as COPY text by the reading
thread, `prepare`) are copied into a temporary table; one INSERT … SELECT
writes the new ones and, when some were stored already, one UPDATE … FROM the
rows that differ, each statement also writing the rows' audit entries (a
data-modifying CTE feeding `accounts.audit.sql_insert`), so the database
compares, writes and logs without the rows coming back to Python.
Yearly facts follow the same way, matched by (credit code, year).  Rows equal
to what is stored are neither written nor logged, as with the ORM writer in
importing.py, which SQLite uses and which this must match in every count and
audit entry (tests run both).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.utils import timezone

from accounts.audit import sql_insert
from accounts.models import AuditAction
from enterprises.models import Enterprise, EnterpriseYearFact
from enterprises.services.import_rows import Chunk, ParsedRow
from zjtx.pgcopy import copy_into, copy_text

STAGE_ENTERPRISES = "zjtx_import_enterprise"
STAGE_FACTS = "zjtx_import_fact"
# Columns the importer never writes: kept by the lifecycle services, or stamped here.
_NOT_IMPORTED = {"id", "current_tier", "current_tier_until", "created_at", "updated_at"}


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _field(model: type[models.Model], attname: str) -> Any:
    return next(f for f in model._meta.concrete_fields if f.attname == attname)


def _json_value(model: type[models.Model], column: str, attname: str) -> str:
    """`column` (holding `attname`'s value) as the audit log writes values (`importing._plain`): dates and
    decimals as text, the rest as they are."""
    if isinstance(_field(model, attname), (models.DateField, models.DecimalField)):
        return f"{column}::text"
    return column


def _created_changes(model: type[models.Model], alias: str, fields: list[str]) -> str:
    """{field: [null, value]} for every field the file carries, as record_many writes it for a new row."""
    pairs = ", ".join(f"'{f}', jsonb_build_array(NULL, {_json_value(model, f'{alias}.{_q(f)}', f)})" for f in fields)
    return f"jsonb_build_object({pairs})"


def _changes_of_update(model: type[models.Model], fields: list[str]) -> str:
    """{field: [old, new]} for the fields that differ, from `c` holding old_<field> and <field>."""
    parts = []
    for f in fields:
        old, new = f"c.{_q('old_' + f)}", f"c.{_q(f)}"
        parts.append(
            f"CASE WHEN {old} IS DISTINCT FROM {new} THEN jsonb_build_object('{f}', jsonb_build_array("
            f"{_json_value(model, old, f)}, {_json_value(model, new, f)})) ELSE '{{}}'::jsonb END"
        )
    return " || ".join(parts) if parts else "'{}'::jsonb"


def _comparison(alias: str, fields: list[str]) -> tuple[str, str, str, str, str]:
    """SQL lists for comparing stored rows (`alias`) with the staged ones (`s`) and copying the changes over:
    the old values (as old_<field>), the new ones, both sides of the comparison, and the SET list (from `c`)."""
    return (
        ", ".join(f"{alias}.{_q(f)} AS {_q('old_' + f)}" for f in fields),
        ", ".join(f"s.{_q(f)}" for f in fields),
        ", ".join(f"{alias}.{_q(f)}" for f in fields),
        ", ".join(f"s.{_q(f)}" for f in fields),
        ", ".join(f"{_q(f)} = c.{_q(f)}" for f in fields),
    )


class CopyWriter:
    """Writes parsed chunks of one import; created once per import, inside its transaction."""

    def __init__(self, enterprise_fields: list[str], fact_fields: list[str] | None) -> None:
        self.fields = enterprise_fields  # the enterprise fields the file carries (credit_code first)
        self.fact_fields = fact_fields  # None when the file has no 年度 column
        self.stage_columns = ["row_no", *self.fields]
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE_ENTERPRISES}, {STAGE_FACTS}")
            cursor.execute(self._stage_sql(STAGE_ENTERPRISES, Enterprise, self.fields))
            if fact_fields is not None:
                cursor.execute(self._stage_sql(STAGE_FACTS, EnterpriseYearFact, ["year", *fact_fields], code=True))

    @staticmethod
    def _stage_sql(table: str, model: type[models.Model], fields: list[str], code: bool = False) -> str:
        columns = ["row_no integer"]
        if code:
            columns.append(f"credit_code {_field(Enterprise, 'credit_code').db_type(connection)}")
        columns += [f"{_q(f)} {_field(model, f).db_type(connection)}" for f in fields]
        return f"CREATE TEMPORARY TABLE {table} ({', '.join(columns)}) ON COMMIT DROP"

    def close(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE_ENTERPRISES}, {STAGE_FACTS}")

    # --- one chunk ---------------------------------------------------------------------------

    def prepare(self, rows: list[ParsedRow]) -> Chunk:
        """The chunk's COPY text (pure Python, no database): run by the reading thread, ahead of `write`."""
        firsts: dict[str, ParsedRow] = {}
        for r in rows:
            firsts.setdefault(r.code, r)
        fields = self.fields
        enterprises = "".join(
            f"{r.number}\t" + "\t".join([copy_text(r.enterprise[f]) for f in fields]) + "\n" for r in firsts.values()
        )
        facts = None
        if self.fact_fields is not None:
            fact_fields = self.fact_fields
            facts = "".join(
                f"{r.number}\t{r.code}\t{r.year}" + "".join([f"\t{copy_text(r.facts[f])}" for f in fact_fields]) + "\n"
                for r in rows
                if r.year is not None
            )
        return Chunk(rows, len(firsts), enterprises, facts)

    def write(self, chunk: Chunk) -> tuple[int, int, int, int]:
        """Write one chunk; returns (created, updated, unchanged, facts written).

        New rows are inserted first; only when some staged codes already existed is the UPDATE run
        (it then finds the rows just inserted equal to the stage, and leaves them).
        """
        now = timezone.now()
        self._copy(STAGE_ENTERPRISES, self.stage_columns, chunk.enterprises)
        created = self._insert_enterprises(now)
        updated = self._update_enterprises(now) if created < chunk.codes else 0
        facts = 0
        if chunk.facts:
            assert self.fact_fields is not None
            self._copy(STAGE_FACTS, ["row_no", "credit_code", "year", *self.fact_fields], chunk.facts)
            staged = chunk.facts.count("\n")
            inserted = self._insert_facts()
            facts = inserted + (self._update_facts() if inserted < staged else 0)
        return created, updated, chunk.codes - created - updated, facts

    def _copy(self, table: str, columns: list[str], text: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table}")
        copy_into(table, columns, text)

    def _count(self, sql: str, params: dict[str, Any]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return int(cursor.fetchone()[0])

    def _update_enterprises(self, now: Any) -> int:
        compared = [f for f in self.fields if f != "credit_code"]
        table = _q(Enterprise._meta.db_table)
        old, new, stored, staged, assign = _comparison("e", compared)
        audit, params = sql_insert(
            AuditAction.IMPORT,
            Enterprise,
            f"(SELECT c.id AS object_id, c.name || ' (' || c.credit_code || ')' AS object_repr, c.district_id, "
            f"{_changes_of_update(Enterprise, compared)} AS changes FROM changed c) AS rows",
        )
        sql = f"""
            WITH changed AS (
                SELECT e.id, e.credit_code, {old}, {new}
                  FROM {STAGE_ENTERPRISES} s JOIN {table} e ON e.credit_code = s.credit_code
                 WHERE ROW({stored}) IS DISTINCT FROM ROW({staged})
                   FOR UPDATE OF e
            ), updated AS (
                UPDATE {table} e SET {assign}, updated_at = %(now)s FROM changed c WHERE e.id = c.id RETURNING e.id
            ), audited AS ({audit})
            SELECT count(*) FROM updated
        """
        return self._count(sql, {**params, "now": now})

    def _insert_enterprises(self, now: Any) -> int:
        table = _q(Enterprise._meta.db_table)
        defaults: dict[str, Any] = {}
        targets, values = [], []
        for f in Enterprise._meta.concrete_fields:
            if f.name in _NOT_IMPORTED:
                continue
            targets.append(_q(f.attname))
            if f.attname in self.fields:
                values.append(f"s.{_q(f.attname)}")
            else:  # a column the file does not carry: the model's default, as bulk_create would write
                defaults[f"default_{f.attname}"] = f.get_default()
                values.append(f"CAST(%(default_{f.attname})s AS {f.db_type(connection)})")
        audit, params = sql_insert(
            AuditAction.IMPORT,
            Enterprise,
            f"(SELECT i.id AS object_id, i.name || ' (' || i.credit_code || ')' AS object_repr, i.district_id, "
            f"{_created_changes(Enterprise, 'i', self.fields)} AS changes FROM inserted i) AS rows",
        )
        sql = f"""
            WITH inserted AS (
                INSERT INTO {table} ({", ".join(targets)}, created_at, updated_at)
                SELECT {", ".join(values)}, %(now)s, %(now)s
                  FROM {STAGE_ENTERPRISES} s
                 WHERE NOT EXISTS (SELECT 1 FROM {table} e WHERE e.credit_code = s.credit_code)
                 ORDER BY s.row_no
                RETURNING *
            ), audited AS ({audit})
            SELECT count(*) FROM inserted
        """
        return self._count(sql, {**params, **defaults, "now": now})

    def _update_facts(self) -> int:
        assert self.fact_fields is not None
        fields = self.fact_fields
        facts, enterprises = _q(EnterpriseYearFact._meta.db_table), _q(Enterprise._meta.db_table)
        if not fields:
            return 0
        old, new, stored, staged, assign = _comparison("y", fields)
        audit, params = sql_insert(
            AuditAction.IMPORT,
            EnterpriseYearFact,
            f"(SELECT c.id AS object_id, c.enterprise_id || ' ' || c.year AS object_repr, c.district_id, "
            f"{_changes_of_update(EnterpriseYearFact, fields)} AS changes FROM changed c) AS rows",
        )
        sql = f"""
            WITH changed AS (
                SELECT y.id, y.enterprise_id, y.year, e.district_id, {old}, {new}
                  FROM {STAGE_FACTS} s
                  JOIN {enterprises} e ON e.credit_code = s.credit_code
                  JOIN {facts} y ON y.enterprise_id = e.id AND y.year = s.year
                 WHERE ROW({stored}) IS DISTINCT FROM ROW({staged})
                   FOR UPDATE OF y
            ), updated AS (
                UPDATE {facts} y SET {assign} FROM changed c WHERE y.id = c.id RETURNING y.id
            ), audited AS ({audit})
            SELECT count(*) FROM updated
        """
        return self._count(sql, params)

    def _insert_facts(self) -> int:
        assert self.fact_fields is not None
        fields = self.fact_fields
        facts, enterprises = _q(EnterpriseYearFact._meta.db_table), _q(Enterprise._meta.db_table)
        columns = ", ".join(_q(f) for f in fields)
        staged = "".join(f", s.{_q(f)}" for f in fields)
        audit, params = sql_insert(
            AuditAction.IMPORT,
            EnterpriseYearFact,
            f"(SELECT i.id AS object_id, i.enterprise_id || ' ' || i.year AS object_repr, e.district_id, "
            f"{_created_changes(EnterpriseYearFact, 'i', fields)} AS changes "
            f"FROM inserted i JOIN {enterprises} e ON e.id = i.enterprise_id) AS rows",
        )
        sql = f"""
            WITH inserted AS (
                INSERT INTO {facts} (enterprise_id, year{", " + columns if fields else ""})
                SELECT e.id, s.year{staged}
                  FROM {STAGE_FACTS} s JOIN {enterprises} e ON e.credit_code = s.credit_code
                 WHERE NOT EXISTS (SELECT 1 FROM {facts} y WHERE y.enterprise_id = e.id AND y.year = s.year)
                 ORDER BY s.row_no
                RETURNING *
            ), audited AS ({audit})
            SELECT count(*) FROM inserted
        """
        return self._count(sql, params)
