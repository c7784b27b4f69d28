"""Reading one cell of an import file as text, a code, a date, an amount or a count — or saying why not.

Shared by every importer (the registry and the published tier lists).  Cells
come as the file gave them (import_files.py): text from a .csv; text, numbers,
dates or booleans from an .xlsx.  The rules that spreadsheets make necessary:
- a code (credit code, phone, postal code) must be a text cell: a number cell
  holds at most 15 significant digits, so an 18-digit code in it has already
  lost its end, and "9.15E+17" in a .csv is the same number written out; such
  cells are refused with what to do, never turned back into digits;
- codes and figures are NFKC-normalised first (full-width ＡＢＣ１２３ → ABC123);
- thousands separators are accepted only in groups of three ("1,234,567.89"),
  so "1,5" is refused instead of read as 15; zero is never negative;
- a NUL character (which PostgreSQL cannot store) rejects the cell, not the file.
Errors are ValueError with a translated reason; `shown` renders the raw cell
for the error report.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from zjtx.spreadsheet import restore

_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d*)?[eE][+-]?\d+")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_SHOWN = 80


def shown(cell: Any) -> str:
    """The raw cell as the error report echoes it (a number as the spreadsheet would show it)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e15 else f"{cell:.15G}"
    if isinstance(cell, (dt.date, dt.time)):
        return cell.isoformat()
    text = str(cell).replace("\x00", "\\0")
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def text_cell(cell: Any) -> str:
    """A cell as text: numbers that are whole (Excel stores 2024 as 2024.0) without their ".0"."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        # Our exports prefix formula-like text with an apostrophe (zjtx.spreadsheet): read it back without.
        return restore(cell.strip())
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def free_text(cell: Any) -> str:
    """Text that is stored as it is (names, products): a NUL character, which PostgreSQL cannot store and
    no one types, rejects the cell (codes, dates and figures refuse it by their own checks)."""
    text = text_cell(cell)
    if "\x00" in text:
        raise ValueError(_("contains a NUL character (an invisible control character); remove it"))
    return text


def _is_number(cell: Any) -> bool:
    return isinstance(cell, (int, float, Decimal)) and not isinstance(cell, bool)


def code_cell(cell: Any, *, digits: int | None = None) -> str:
    """A code from a text cell, NFKC-normalised; numbers and scientific notation are refused with what to do.

    `digits` is the code's usual length, named in the reason (an 18-digit credit code, an 11-digit phone)."""
    if cell is None:
        return ""
    if _is_number(cell):
        if digits:
            raise ValueError(
                _(
                    "the cell is a number, so a code of %(digits)s digits in it has lost its precision; format "
                    "this column as text (文本) and export the file again"
                )
                % {"digits": digits}
            )
        raise ValueError(_("the cell is a number, not text; format this column as text (文本) and export again"))
    if not isinstance(cell, str):
        raise ValueError(_("the cell is not text; format this column as text (文本) and export again"))
    text = restore(unicodedata.normalize("NFKC", cell).strip())
    if "\x00" in text:
        raise ValueError(_("contains a NUL character (an invisible control character); remove it"))
    if _SCIENTIFIC.fullmatch(text):
        raise ValueError(
            _(
                "looks like a number in scientific notation, as a spreadsheet writes a code it has turned into a "
                "number (its last digits are lost); format the column as text (文本) in the source and export again"
            )
        )
    return text


def date_cell(cell: Any) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = unicodedata.normalize("NFKC", text_cell(cell)) if isinstance(cell, str) else text_cell(cell)
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
        # The common YYYY-MM-DD, without strptime's cost; other spellings fall through to the formats.
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("not a date (use YYYY-MM-DD)"))


def decimal_cell(cell: Any) -> Decimal:
    """A number from a number cell or text; thousands separators only in groups of three; never -0."""
    if isinstance(cell, bool):
        raise ValueError(_("not a number"))
    if isinstance(cell, str):
        text = unicodedata.normalize("NFKC", cell).strip()
        if "," in text:
            if not _GROUPED.fullmatch(text):
                raise ValueError(_("thousands separators must group three digits, as in 1,234,567.89"))
            text = text.replace(",", "")
    else:
        text = text_cell(cell)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("not a number")) from None
    if not value.is_finite():
        raise ValueError(_("not a number"))
    return value + 0 if value.is_zero() else value  # -0 + 0 is +0


def count_cell(cell: Any) -> int:
    value = decimal_cell(cell)
    if value != value.to_integral_value():
        raise ValueError(_("must be a whole number"))
    if value < 0:
        raise ValueError(_("cannot be negative"))
    if value > 2_000_000_000:
        raise ValueError(_("is implausibly large"))
    return int(value)


def nonnegative_zero(amount: Decimal) -> Decimal:
    """Rounding can make a tiny negative amount -0.00: answer 0.00."""
    return abs(amount) if amount.is_zero() else amount
