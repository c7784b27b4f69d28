"""Rendering report data as a PDF with ReportLab, in a CJK font found on the system.

ReportLab was chosen over HTML-to-PDF renderers for speed (≈0.1 s against ≈6 s
for a table report of this size on the reference machine): the city-wide
report must render in seconds.  The font is embedded as a subset with a
ToUnicode map, so the text layer can be searched and extracted.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reporting.reports.closing import ClosingData, FinalLine
from reporting.reports.data import Line, ReportData, demand_headings, demand_values

FONT = "ZJTX-CJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
PALETTE = [colors.HexColor(c) for c in ("#b42318", "#1570ef", "#12b76a", "#f79009", "#7a5af8", "#475467")]


class FontMissing(RuntimeError):
    pass


@cache
def register_font() -> str:
    configured = getattr(settings, "ZJTX_CJK_FONT", "") or ""
    for candidate in (configured, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            pdfmetrics.registerFont(TTFont(FONT, candidate, subfontIndex=0))
            return candidate
    raise FontMissing("no CJK font found; install fonts-wqy-microhei or set ZJTX_CJK_FONT")


def _styles() -> dict[str, ParagraphStyle]:
    register_font()
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=13)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=15, leading=21, spaceAfter=4 * mm),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11, leading=16, spaceBefore=4 * mm, spaceAfter=2 * mm),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=colors.HexColor("#475467")),
    }


def _fmt(value: Any, suffix: str = "") -> str:
    """A figure with thousands separators (12,345; 1,234.5), a dash when there is none."""
    if value is None:
        return "—"
    if isinstance(value, Decimal) and value == value.to_integral():
        value = int(value)
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        return f"{value:,}{suffix}"
    return f"{value}{suffix}"


def _table(data: list[list[str]], widths: list[float], highlight_rows: list[int]) -> Table:
    head = ParagraphStyle("head", fontName=FONT, fontSize=7.5, leading=9)
    rows: list[list[Any]] = [[Paragraph(str(c), head) for c in data[0]], *data[1:]]
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("LEADING", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f4f7")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#d0d5dd")),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    style += [("TEXTCOLOR", (0, r), (-1, r), colors.HexColor("#b42318")) for r in highlight_rows]
    table.setStyle(TableStyle(style))
    return table


def _lines_table(lines: list[Line], width: float) -> Table:
    head = [_("Metric"), _("Target"), _("Current"), _("Done %"), _("Gap"), _("Needed / month"), _("Trend / month"),
            _("Projected"), _("Rank"), _("Status")]  # fmt: skip
    rows = [head]
    for line in lines:
        rows.append([
            line.metric, _fmt(line.target), _fmt(line.value), _fmt(line.percent, "%"), _fmt(line.gap),
            _fmt(line.pace_needed), _fmt(line.trend), _fmt(line.projected), line.rank or "—", line.status,
        ])  # fmt: skip
    first = width * 0.2
    rest = (width - first) / (len(head) - 1)
    highlight = [i for i, line in enumerate(lines, start=1) if line.off_track]
    return _table(rows, [first] + [rest] * (len(head) - 1), highlight)


STATUS_COLOURS = {
    "met": colors.HexColor("#12b76a"),
    "off": colors.HexColor("#b42318"),
    "on": colors.HexColor("#1570ef"),
}


def status_of(line: Line | FinalLine) -> str:
    if line.percent is not None and line.percent >= 100:
        return "met"
    return "off" if getattr(line, "off_track", False) else "on"


def completion_axis_max(longest: float) -> int:
    """100 for bars up to 100 %, else the next multiple of 50 above the longest bar."""
    return 100 if longest <= 100 else int(math.ceil(longest / 50.0) * 50)


def _completion_chart(lines: list[Line] | list[FinalLine], width: float, title: str = "") -> Drawing | None:
    with_target = [line for line in lines if line.percent is not None]
    if not with_target:
        return None
    height = 18 * len(with_target) + 40
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 110, 20
    chart.width, chart.height = width - 140, height - 35
    chart.data = [[float(line.percent or 0) for line in with_target]]
    chart.categoryAxis.categoryNames = [line.metric for line in with_target]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    # The axis reaches past the longest bar (100, 150, 200, … %), so no bar is cut (a 200% bar was at 150).
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, completion_axis_max(max(chart.data[0]))
    chart.valueAxis.valueStep = 50 if chart.valueAxis.valueMax > 100 else 25
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = PALETTE[1]
    for i, line in enumerate(with_target):  # coloured by status, as on the dashboard
        chart.bars[(0, i)].fillColor = STATUS_COLOURS[status_of(line)]
    drawing.add(chart)
    drawing.add(String(110, height - 10, title or _("Completion of targets (%)"), fontName=FONT, fontSize=8))
    return drawing


def _trend_chart(series: dict[str, list[tuple[Any, int]]], width: float) -> Drawing | None:
    shown = {name: points for name, points in series.items() if len(points) >= 2}
    if not shown:
        return None
    drawing = Drawing(width, 200)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 40, 40, width - 170, 140
    origin = min(p[0] for points in shown.values() for p in points)
    plot.data = [[((d - origin).days, v) for d, v in points] for points in shown.values()]
    for i in range(len(plot.data)):
        plot.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
        plot.lines[i].strokeWidth = 1.5
    plot.xValueAxis.labels.fontName = FONT
    plot.xValueAxis.labels.fontSize = 7
    plot.xValueAxis.labelTextFormat = lambda days: f"{origin + dt.timedelta(days=int(days)):%Y-%m}"
    plot.yValueAxis.labels.fontName = FONT
    plot.yValueAxis.labels.fontSize = 7
    drawing.add(plot)
    legend = Legend()
    legend.x, legend.y = width - 120, 170
    legend.fontName, legend.fontSize = FONT, 7
    legend.columnMaximum = 12
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, name in enumerate(shown)]
    drawing.add(legend)
    start = min(p[0] for points in shown.values() for p in points)
    end = max(p[0] for points in shown.values() for p in points)
    drawing.add(
        String(40, 15, _("Trend, %(start)s to %(end)s") % {"start": start, "end": end}, fontName=FONT, fontSize=8)
    )
    return drawing


def _opening(data: ReportData, s: dict[str, ParagraphStyle], heading: str, width: float) -> list[Any]:
    """Title, the day the figures describe, and the table of the place's targets."""
    return [
        Paragraph(data.title, s["title"]),
        Paragraph(
            _("Figures as of %(day)s; generated %(at)s.")
            % {"day": date_format(data.as_of), "at": date_format(data.generated_at, "DATETIME_FORMAT")},
            s["small"],
        ),
        Paragraph(heading, s["h2"]),
        _lines_table(data.lines, width),
    ]


def render_district(data: ReportData, path: Path) -> None:
    s = _styles()
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, title=data.title)
    width = A4[0] - 30 * mm
    story = _opening(data, s, _("Targets and progress"), width)
    for chart in (_completion_chart(data.lines, width), _trend_chart(data.series, width)):
        if chart is not None:
            story += [Spacer(1, 4 * mm), chart]
    story += [Paragraph(_("Service desk: enterprise demands"), s["h2"]), _demands_table([("", data.demands)], width)]
    story += [Spacer(1, 4 * mm), Paragraph(_notes(), s["small"])]
    doc.build(story)


def render_city(data: ReportData, path: Path) -> None:
    s = _styles()
    size = landscape(A4)
    doc = SimpleDocTemplate(str(path), pagesize=size, leftMargin=12 * mm, rightMargin=12 * mm, title=data.title)
    width = size[0] - 24 * mm
    story = _opening(data, s, _("City-wide targets"), width)
    chart = _completion_chart(data.lines, width)
    if chart is not None:
        story += [Spacer(1, 3 * mm), chart]
    story += [Paragraph(_("Districts: current value and completion of their targets"), s["h2"])]
    head = [_("District"), *data.metrics]
    rows = [head]
    off_rows = []
    for i, district in enumerate(data.districts, start=1):
        cells = [district.name]
        for cell in district.cells:
            text = _fmt(cell.value)
            if cell.percent is not None:
                text += f"\n{_fmt(cell.percent, '%')}{' · ' + cell.rank if cell.rank else ''}"
            cells.append(text)
        if any(c.off_track for c in district.cells):
            off_rows.append(i)
        rows.append(cells)
    first = 30 * mm
    rest = (width - first) / max(len(head) - 1, 1)
    story.append(_table(rows, [first] + [rest] * (len(head) - 1), off_rows))
    story += [Paragraph(_("Service desk: enterprise demands"), s["h2"])]
    story.append(_demands_table([(d.name, d.demands) for d in data.districts] + [(_("Total"), data.demands)], width))
    story += [Spacer(1, 4 * mm), Paragraph(_notes(), s["small"])]
    doc.build(story)


def _demands_table(rows: list[tuple[str, Any]], width: float) -> Table:
    head = [_("District"), *demand_headings()]
    data = [head] + [[name, *(_fmt(v) for v in demand_values(c))] for name, c in rows]
    if rows and rows[0][0] == "":
        data = [head[1:]] + [row[1:] for row in data[1:]]
    columns = len(data[0])
    highlight = [i for i, (_name, c) in enumerate(rows, start=1) if c.overdue]
    return _table(data, [width / columns] * columns, highlight)


def render_closing(data: ClosingData, path: Path) -> None:
    """The closing evaluation (终期评估): final results, charts, each target by district, the service desk's work."""
    s = _styles()
    size = landscape(A4)
    doc = SimpleDocTemplate(str(path), pagesize=size, leftMargin=12 * mm, rightMargin=12 * mm, title=data.title)
    width = size[0] - 24 * mm
    story: list[Any] = [
        Paragraph(data.title, s["title"]),
        Paragraph(
            _(
                "Plan period %(period)s. Values at the deadline are those of the deadline day's snapshot; "
                "values today are as of %(day)s; generated %(at)s."
            )
            % {"period": data.period, "day": data.as_of, "at": f"{data.generated_at:%Y-%m-%d %H:%M}"},
            s["small"],
        ),
        Paragraph(_("Final results"), s["h2"]),
        _final_table(data.lines, width, districts=False),
    ]
    chart = _completion_chart(data.lines, width, _("Completion at the deadline (%)"))
    trend = _trend_chart(data.series, width)
    for drawing in (chart, trend):
        if drawing is not None:
            story += [Spacer(1, 4 * mm), drawing]
    for section in data.sections:
        heading = _("%(metric)s, due %(deadline)s: districts") % {
            "metric": section.city.metric,
            "deadline": section.city.deadline,
        }
        story += [Paragraph(heading, s["h2"]), _final_table([d.line for d in section.districts], width, section)]
    story += [Paragraph(_("Service desk over the plan period"), s["h2"])]
    head = [_("District"), _("Visits"), _("Demands raised"), _("Demands closed"), _("Overdue at the end")]
    rows = [head] + [
        [name, _fmt(w.visits), _fmt(w.raised), _fmt(w.closed), _fmt(w.overdue_at_end)]
        for name, w in [*data.desk, (_("Total"), data.desk_total)]
    ]
    overdue = [i for i, (_name, w) in enumerate(data.desk, start=1) if w.overdue_at_end]
    story.append(_table(rows, [width / len(head)] * len(head), overdue))
    story += [Spacer(1, 4 * mm), Paragraph(_closing_notes(), s["small"])]
    doc.build(story)


def _final_table(lines: list[FinalLine], width: float, section: Any = None, districts: bool = True) -> Table:
    """Final results: one row per target (city) or per district of one target."""
    first = [_("District")] if districts else [_("Metric"), _("Deadline")]
    head = [*first, _("Target"), _("At the deadline"), _("Done %"), _("Result"), _("Final rank"),
            _("Share of the city's result"), _("Today"), _("Change since the deadline")]  # fmt: skip
    rows = [head]
    names = [d.name for d in section.districts] if section is not None else []
    for i, line in enumerate(lines):
        start = [names[i]] if districts else [line.metric, str(line.deadline)]
        rows.append([
            *start, _fmt(line.target), _fmt(line.at_deadline), _fmt(line.percent, "%"), line.result,
            line.rank or "—", _fmt(line.share_of_city, "%"), _fmt(line.today), _signed(line.change),
        ])  # fmt: skip
    lead = width * (0.16 if districts else 0.26)
    rest = (width - lead * (1 if districts else 1.4)) / (len(head) - len(first))
    widths = [lead] if districts else [lead, lead * 0.4]
    missed = [i for i, line in enumerate(lines, start=1) if line.missed]
    return _table(rows, widths + [rest] * (len(head) - len(first)), missed)


def _signed(value: int | None) -> str:
    return "—" if value is None else f"{value:+d}"


def _closing_notes() -> str:
    return _(
        "Notes: rows in red missed their target at the deadline. Result: met, or missed by the shortfall; "
        "final rank compares the districts' completion of their share of the same target at the deadline (通报); "
        "share of the city's result is a district's value at the deadline as a part of the city-wide value; "
        "change since the deadline is today's value minus the value at the deadline. Districts without a share "
        "of a target show their values only."
    )


def _notes() -> str:
    return _(
        "Notes: rows in red are behind schedule or missed. Needed / month is the gap divided by the months "
        "left; trend is the least-squares slope of the last 90 days of daily snapshots; projected is the "
        "value at the deadline if the trend continues. Rank compares the districts' completion of their "
        "share of the same target (通报). For a target whose deadline has passed the figures are those at "
        "the deadline (its final result; see the plan's closing evaluation)."
    )
