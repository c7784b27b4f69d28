"""Rendering report data as an .xlsx workbook with the same figures as the PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill

from reporting.reports.closing import ClosingData, FinalLine
from reporting.reports.data import Line, ReportData, demand_headings, demand_values
from zjtx.spreadsheet import neutralise

RED = Font(color="B42318")
HEAD = PatternFill("solid", fgColor="F2F4F7")


def _append(sheet: Any, values: list[Any]) -> None:
    """One row; text that a spreadsheet would run as a formula is written as text (zjtx.spreadsheet)."""
    sheet.append([neutralise(v) for v in values])


DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def _num(value: Any) -> Any:
    return float(value) if value is not None and not isinstance(value, int) else value


def _lines_sheet(book: Workbook, title: str, lines: list[Line]) -> None:
    sheet = book.create_sheet(title)
    head = [
        _("Metric"),
        _("Target"),
        _("Current"),
        _("Done %"),
        _("Gap"),
        _("Needed / month"),
        _("Trend / month"),
        _("Projected"),
        _("Rank"),
        _("Status"),
        _("Deadline"),
    ]
    _append(sheet, head)
    for cell in sheet[1]:
        cell.fill = HEAD
    for line in lines:
        _append(
            sheet,
            [
                line.metric,
                line.target,
                line.value,
                _num(line.percent),
                line.gap,
                _num(line.pace_needed),
                _num(line.trend),
                _num(line.projected),
                line.rank,
                line.status,
                line.deadline,
            ],
        )
        row = sheet[sheet.max_row]
        for cell in row[1:8]:
            cell.number_format = "#,##0.##" if isinstance(cell.value, float) else "#,##0"
        row[10].number_format = DATE_FORMAT
        if line.off_track:
            for cell in row:
                cell.font = RED
    sheet.column_dimensions["A"].width = 28
    if any(line.percent is not None for line in lines):
        _completion_chart(sheet, 4, len(lines), _("Completion of targets (%)"), "M2")


def _completion_chart(sheet: Any, column: int, rows: int, title: str, anchor: str) -> None:
    """A bar per row (names in column A) of the percentages in `column`, beside the table."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.add_data(Reference(sheet, min_col=column, min_row=1, max_row=rows + 1), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    sheet.add_chart(chart, anchor)


def _info_sheet(book: Workbook, title: str, rows: list[tuple[str, Any]]) -> None:
    info = book.active
    info.title = _("Report")
    _append(info, [title])
    info["A1"].font = Font(bold=True, size=13)
    for label, value in rows:
        _append(info, [label, value])
        # Dates read as on the pages (2026年11月26日).
        if isinstance(value, dt.datetime):
            info.cell(row=info.max_row, column=2).number_format = DATE_FORMAT + " hh:mm"
        elif isinstance(value, dt.date):
            info.cell(row=info.max_row, column=2).number_format = DATE_FORMAT


def render(data: ReportData, path: Path) -> None:
    book = Workbook()
    _info_sheet(
        book,
        data.title,
        [
            (_("Place"), data.place),
            (_("Period"), data.period),
            (_("Figures as of"), data.as_of),
            (_("Generated"), data.generated_at.replace(tzinfo=None)),
        ],
    )
    _lines_sheet(book, _("Targets"), data.lines)
    if data.series:
        trend = book.create_sheet(_("Trend"))
        _append(trend, [_("Metric"), _("Day"), _("Value")])
        for name, points in data.series.items():
            for day, value in points:
                _append(trend, [name, day, value])
    desk = book.create_sheet(_("Service desk"))
    _append(desk, [_("District"), *demand_headings()])
    for name, c in [(d.name, d.demands) for d in data.districts] + [(data.place, data.demands)]:
        _append(desk, [name, *demand_values(c)])
    if data.districts:
        sheet = book.create_sheet(_("Districts"))
        _append(
            sheet,
            [
                _("District"),
                _("Code"),
                *[f"{m} {_('Current')}" for m in data.metrics],
                *[f"{m} {_('Done %')}" for m in data.metrics],
                *[f"{m} {_('Rank')}" for m in data.metrics],
            ],
        )
        for d in data.districts:
            _append(
                sheet,
                [
                    d.name,
                    d.code,
                    *[c.value for c in d.cells],
                    *[_num(c.percent) for c in d.cells],
                    *[c.rank for c in d.cells],
                ],
            )
            if any(c.off_track for c in d.cells):
                sheet.cell(row=sheet.max_row, column=1).font = RED
        sheet.column_dimensions["A"].width = 22
    book.save(path)


def _final_head() -> list[str]:
    return [_("Target"), _("At the deadline"), _("Done %"), _("Met"), _("Difference"), _("Result"), _("Final rank"),
            _("Share of the city's result"), _("Today"), _("Change since the deadline")]  # fmt: skip


def _final_cells(line: FinalLine) -> list[Any]:
    met = None if line.met is None else (_("yes") if line.met else _("no"))
    return [line.target, line.at_deadline, _num(line.percent), met, line.difference, line.result, line.rank or None,
            _num(line.share_of_city), line.today, line.change]  # fmt: skip


def _head(sheet: Any, head: list[str]) -> None:
    _append(sheet, head)
    for cell in sheet[sheet.max_row]:
        cell.fill = HEAD


def render_closing(data: ClosingData, path: Path) -> None:
    """The closing evaluation as a workbook: the same figures as its PDF, one sheet per kind of row."""
    book = Workbook()
    _info_sheet(
        book,
        data.title,
        [
            (_("Place"), data.place),
            (_("Plan"), data.plan),
            (_("Plan period"), data.period),
            (_("Today"), data.as_of),
            (_("Generated"), data.generated_at.replace(tzinfo=None)),
        ],
    )
    final = book.create_sheet(_("Final results"))
    _head(final, [_("Metric"), _("Deadline"), *_final_head()])
    for line in data.lines:
        _append(final, [line.metric, line.deadline, *_final_cells(line)])
        if line.missed:
            for cell in final[final.max_row]:
                cell.font = RED
    final.column_dimensions["A"].width = 28
    if data.lines:
        _completion_chart(final, 5, len(data.lines), _("Completion at the deadline (%)"), "N2")
    districts = book.create_sheet(_("Districts"))
    _head(districts, [_("Metric"), _("Deadline"), _("District"), _("Code"), *_final_head()])
    for section in data.sections:
        for d in section.districts:
            _append(districts, [section.city.metric, section.city.deadline, d.name, d.code, *_final_cells(d.line)])
            if d.line.missed:
                districts.cell(row=districts.max_row, column=3).font = RED
    districts.column_dimensions["A"].width = 28
    desk = book.create_sheet(_("Service desk"))
    _head(desk, [_("District"), _("Visits"), _("Demands raised"), _("Demands closed"), _("Overdue at the end")])
    for name, w in [*data.desk, (_("Total"), data.desk_total)]:
        _append(desk, [name, w.visits, w.raised, w.closed, w.overdue_at_end])
    if data.series:
        trend = book.create_sheet(_("Trend"))
        _head(trend, [_("Metric"), _("Day"), _("Value")])
        for name, points in data.series.items():
            for point_day, point in points:
                _append(trend, [name, point_day, point])
    book.save(path)
