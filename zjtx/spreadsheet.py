"""Cells handed to spreadsheet programs: never a formula (CSV / formula injection), and back again on import.

Excel and LibreOffice run a cell that starts with =, +, - or @ as a formula, and also one that starts with
a tab or a carriage return followed by one of those.  Every text cell of an export that starts with any of
these characters is prefixed with an apostrophe, which spreadsheets show as text; the importer takes the
apostrophe off again (`restore`), so an exported file imports unchanged.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value to write into a cell: text that a spreadsheet would run is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The inverse of `neutralise` for a cell read back from a file."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text
