"""Rendering report data as an .xlsx workbook with the same figures as the PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill

from reporting.reports.data import Line, ReportData, demand_headings, demand_values

RED = Font(color="B42318")
HEAD = PatternFill("solid", fgColor="F2F4F7")


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
    sheet.append(head)
    for cell in sheet[1]:
        cell.fill = HEAD
    for line in lines:
        sheet.append(
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
            ]
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
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("Completion of targets (%)")
        chart.add_data(Reference(sheet, min_col=4, min_row=1, max_row=len(lines) + 1), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(lines) + 1))
        sheet.add_chart(chart, "M2")


DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def render(data: ReportData, path: Path) -> None:
    book = Workbook()
    info = book.active
    info.title = _("Report")
    info.append([data.title])
    info["A1"].font = Font(bold=True, size=13)
    info.append([_("Place"), data.place])
    info.append([_("Period"), data.period])
    info.append([_("Figures as of"), data.as_of])
    info.append([_("Generated"), data.generated_at.replace(tzinfo=None)])
    # Dates read as on the pages (2026年11月26日); numbers with thousands separators.
    info["B4"].number_format = DATE_FORMAT
    info["B5"].number_format = DATE_FORMAT + " hh:mm"
    _lines_sheet(book, _("Targets"), data.lines)
    if data.series:
        trend = book.create_sheet(_("Trend"))
        trend.append([_("Metric"), _("Day"), _("Value")])
        for name, points in data.series.items():
            for day, value in points:
                trend.append([name, day, value])
    desk = book.create_sheet(_("Service desk"))
    desk.append([_("District"), *demand_headings()])
    for name, c in [(d.name, d.demands) for d in data.districts] + [(data.place, data.demands)]:
        desk.append([name, *demand_values(c)])
    if data.districts:
        sheet = book.create_sheet(_("Districts"))
        sheet.append(
            [
                _("District"),
                _("Code"),
                *[f"{m} {_('Current')}" for m in data.metrics],
                *[f"{m} {_('Done %')}" for m in data.metrics],
                *[f"{m} {_('Rank')}" for m in data.metrics],
            ]
        )
        for d in data.districts:
            sheet.append(
                [
                    d.name,
                    d.code,
                    *[c.value for c in d.cells],
                    *[_num(c.percent) for c in d.cells],
                    *[c.rank for c in d.cells],
                ]
            )
            if any(c.off_track for c in d.cells):
                sheet.cell(row=sheet.max_row, column=1).font = RED
        sheet.column_dimensions["A"].width = 22
    book.save(path)
