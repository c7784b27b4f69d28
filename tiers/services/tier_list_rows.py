"""One row of a published tier list (名单) as officials receive it, checked — or the reasons it is rejected.

Columns (Chinese headers, in any order): 序号 (ignored), 企业名称, 统一社会信用代码 (may be empty on a
row: the enterprise is then matched by its exact name within the district), 所属区县 or 地区, and
optionally 批次, 公示日期, 认定日期, 有效期 (the last day, or a range such as 2023-07-01至2026-06-30),
备注, 行业门类 (for enterprises the list creates).  A row needs a date: 认定日期, else the start of
有效期, else 公示日期.  Cells are read by import_cells.py, with its rules for numeric codes,
full-width characters and NUL characters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from enterprises.rule_messages import credit_code_message
from enterprises.rules import credit_code
from enterprises.services.import_cells import code_cell, date_cell, free_text, shown, text_cell
from enterprises.services.import_rows import normalise_header

HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号", "number"),
    "name": ("企业名称", "名称", "单位名称", "name"),
    "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
    "district": ("所属区县", "所属区县/地区", "区县", "地区", "所属地区", "所在区县", "district"),
    "batch": ("批次", "batch"),
    "notice_date": ("公示日期", "notice_date"),
    "date": ("认定日期", "复核日期", "撤销日期", "date"),
    "validity": ("有效期", "有效期至", "validity"),
    "note": ("备注", "note"),
    "industry": ("行业门类", "所属行业", "industry"),
}
LABELS = {
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "district": "所属区县",
    "batch": "批次",
    "notice_date": "公示日期",
    "date": "认定日期",
    "validity": "有效期",
    "note": "备注",
}
_DATE_TOKEN = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?|\d{8}")


@dataclass(frozen=True)
class ListColumns:
    index: dict[str, int]
    labels: dict[str, str]


def map_list_headers(cells: Sequence[Any]) -> tuple[ListColumns | None, list[str]]:
    lookup = {normalise_header(n): f for f, names in HEADERS.items() for n in names}
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    problems: list[str] = []
    for i, raw in enumerate(cells):
        fname = lookup.get(normalise_header(raw))
        if fname is None:
            continue
        if fname in index:
            problems.append(_("Column %(name)s appears twice.") % {"name": raw})
            continue
        index[fname] = i
        labels[fname] = str(raw).strip()
    missing = [LABELS[f] for f in ("name", "credit_code", "district") if f not in index]
    if missing:
        problems.append(_("Required columns are missing: %(columns)s.") % {"columns": "、".join(missing)})
    if not {"date", "validity", "notice_date"} & index.keys():
        problems.append(_("The list needs a date column: 认定日期, 有效期 or 公示日期."))
    if problems:
        return None, problems
    return ListColumns(index, labels), []


@dataclass(slots=True)
class ListRow:
    number: int
    code: str = ""
    raw_code: str = ""
    name: str = ""
    district_id: int | None = None
    industry_id: int | None = None
    batch: str = ""
    day: dt.date | None = None  # the certification's (or the re-review's, the revocation's) date
    until: dt.date | None = None  # the end of the listed period, exclusive
    notice_date: dt.date | None = None
    note: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validity(cell: Any) -> tuple[dt.date | None, dt.date]:
    """有效期 as (start or None, end exclusive): a date is the last valid day, a range gives both ends."""
    if isinstance(cell, (dt.date, dt.datetime)) or not isinstance(cell, str):
        return None, date_cell(cell) + dt.timedelta(days=1)
    tokens = _DATE_TOKEN.findall(cell)
    if len(tokens) == 1:
        return None, date_cell(_plain_date(tokens[0])) + dt.timedelta(days=1)
    if len(tokens) == 2:
        start, last = date_cell(_plain_date(tokens[0])), date_cell(_plain_date(tokens[1]))
        if last < start:
            raise ValueError(_("the period ends before it starts"))
        return start, last + dt.timedelta(days=1)
    raise ValueError(_("not a date or a period (use 2026-06-30, or 2023-07-01至2026-06-30)"))


def _plain_date(token: str) -> str:
    # "2023 年 7 月 1 日", "2023.7.1" → 2023-07-01 for date_cell's formats.
    parts = re.findall(r"\d+", token)
    if len(parts) == 1:
        return parts[0]
    return f"{int(parts[0]):04d}-{int(parts[1]):02d}-{int(parts[2]):02d}"


def parse_list_row(
    number: int,
    cells: Sequence[Any],
    columns: ListColumns,
    districts: Mapping[str, int],
    industries: Mapping[str, int],
) -> ListRow:
    row = ListRow(number)
    width = len(cells)
    raw = {f: cells[i] if i < width else None for f, i in columns.index.items()}

    def fail(fname: str, reason: str) -> None:
        value = shown(raw.get(fname))
        label = columns.labels.get(fname, fname)
        row.errors.append(f"{label} “{value}”: {reason}" if value else f"{label}: {reason}")

    row.raw_code = shown(raw.get("credit_code"))
    try:
        code = code_cell(raw.get("credit_code"), digits=credit_code.LENGTH)
        if code:
            row.code = credit_code.validate(code)
    except ValueError as exc:
        fail("credit_code", str(exc))
    except credit_code.CreditCodeError as exc:
        fail("credit_code", credit_code_message(exc))

    for fname, limit in (("name", 200), ("batch", 100), ("note", 500)):
        try:
            text = free_text(raw.get(fname))
        except ValueError as exc:
            fail(fname, str(exc))
            continue
        if len(text) > limit:
            fail(fname, _("is longer than %(limit)s characters") % {"limit": limit})
        elif fname == "name" and not text:
            fail(fname, _("is required"))
        setattr(row, fname, text)

    district = text_cell(raw.get("district"))
    if not district:
        fail("district", _("is required"))
    elif district not in districts:
        fail("district", _("unknown district, or outside your jurisdiction"))
    else:
        row.district_id = districts[district]

    industry = text_cell(raw.get("industry"))
    if industry:
        row.industry_id = industries.get(industry.upper(), industries.get(industry))
        if row.industry_id is None:
            fail("industry", _("unknown GB/T 4754 section"))

    start = None
    for fname in ("date", "notice_date"):
        if text_cell(raw.get(fname)):
            try:
                value = date_cell(raw.get(fname))
            except ValueError as exc:
                fail(fname, str(exc))
                continue
            if fname == "date":
                row.day = value
            else:
                row.notice_date = value
    if text_cell(raw.get("validity")):
        try:
            start, row.until = validity(raw.get("validity"))
        except ValueError as exc:
            fail("validity", str(exc))
    row.day = row.day or start or row.notice_date
    if row.day is None and not row.errors:
        fail("date", _("the row has no date: give 认定日期, 有效期 or 公示日期"))
    elif row.day is not None and not 1990 <= row.day.year <= 2100:
        fail("date", _("date is out of range"))
    return row
