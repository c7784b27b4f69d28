"""PostgreSQL's COPY for set-based writes: values as COPY text, and a COPY of that text into a table.

Used by the importer (enterprises/services/import_copy.py), the tier-list import, the nightly eligibility
assessment and the nightly policy matching
(programs/services/matching.py): rows are formatted in Python, copied into a temporary table in
one round trip, and merged into the real table by one SQL statement.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

# COPY's text format: backslash escapes for the characters that delimit fields and rows, \N for NULL.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)  # int, Decimal


def copy_into(table: str, columns: list[str], text: str) -> None:
    """COPY the rows in `text` (tab-separated COPY text, one row a line) into `table`'s `columns`."""
    raw: Any = connection.connection
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        copy.write(text)


def copy_into_stage(table: str, definition: str, columns: list[str], text: str) -> None:
    """A fresh temporary table `table`, dropped at commit, filled with the COPY text. `definition` is its
    column list `(…)` or `AS SELECT … WITH NO DATA` (PostgreSQL wants ON COMMIT DROP after the one,
    before the other).

    Dropped first as well: inside an outer transaction (tests, a caller's atomic block) ON COMMIT DROP
    only happens at its end, and an earlier chunk of the same transaction may have left it.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        if definition.startswith("("):
            cursor.execute(f"CREATE TEMPORARY TABLE {table} {definition} ON COMMIT DROP")
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP {definition}")
    copy_into(table, columns, text)
