"""PostgreSQL's COPY for set-based writes: values as COPY text, and a COPY of that text into a table.

Used by the importer (enterprises/services/import_copy.py) and the nightly policy matching
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
