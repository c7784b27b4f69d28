"""The uptake of the measures as an .xlsx workbook: one sheet per measure, one per measure and district."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from programs.selectors import Uptake

HEAD = PatternFill("solid", fgColor="F2F4F7")
RED = Font(color="B42318")


def _money(value: Decimal | None) -> Any:
    return float(value) if value is not None else None


def _columns() -> list[str]:
    return [
        _("Policy"),
        _("Clause"),
        _("Measure"),
        _("District"),
        _("Firms qualifying"),
        _("Qualifying, not claimed"),
        _("Firms applied"),
        _("Firms approved"),
        _("Firms paid"),
        _("Budget (yuan)"),
        _("Paid (yuan)"),
        _("Committed: approved or paid (yuan)"),
        _("Pending decision (yuan)"),
        _("Unclaimed, amount known (yuan)"),
        _("Unclaimed firms with a known amount"),
        _("Unclaimed firms that could not be estimated"),
        _("If every qualifying firm claimed (yuan)"),
    ]


def _sheet(book: Workbook, title: str, rows: list[Uptake], first: bool) -> None:
    sheet = book.active if first else book.create_sheet()
    assert sheet is not None
    sheet.title = title
    sheet.append(_columns())
    for cell in sheet[1]:
        cell.fill = HEAD
        cell.font = Font(bold=True)
    for u in rows:
        sheet.append(
            [
                u.measure.policy.code,
                u.measure.clause,
                u.measure.display_name,
                u.district.display_name if u.district else _("All"),
                u.qualifying,
                u.unclaimed,
                u.applied,
                u.approved,
                u.paid,
                _money(u.budget),
                _money(u.paid_amount),
                _money(u.committed_amount),
                _money(u.pending_amount),
                _money(u.potential),
                u.estimable,
                u.not_estimable,
                _money(u.projected),
            ]
        )
        if u.over_budget:
            for cell in sheet[sheet.max_row]:
                cell.font = RED
    for column in "JKLMNQ":
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.00"
    sheet.column_dimensions["C"].width = 36
    sheet.freeze_panes = "E2"


def uptake_workbook(measures: list[Uptake], districts: list[Uptake], matched_on: date | None) -> bytes:
    book = Workbook()
    _sheet(book, _("By measure"), measures, first=True)
    _sheet(book, _("By district"), districts, first=False)
    about = book.create_sheet(_("About"))
    about.append([_("Policy matching as of"), matched_on.isoformat() if matched_on else "—"])
    about.append([_("Rows in red would exceed the measure's budget if every qualifying firm claimed.")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
