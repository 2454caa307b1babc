"""Charts as data, and their accessible server-rendered SVG (no JavaScript, no charting library, nothing fetched).

A ``Chart`` is a table: rows (a category, or a month) by columns (what is counted), each value a suppressed or
exact ``Cell``. The page shows it twice, as a picture and as a real ``<table>`` with a caption, and the CSV gives
the same cells; the SVG is drawn from the first column. The SVG is ``role="img"`` with a ``<title>`` and
``<desc>``, and every bar has its value written beside it as text, so nothing is told by colour or length alone.
A suppressed cell draws no bar: its length would tell its size.

The geometry is computed here; ``reports/templates/reports/chart_*.svg`` only writes it out (escaped by the
template engine, so an agency's name cannot break the XML). CSP allows no inline style: the SVG uses presentation
attributes only.
"""

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Literal

from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from reports.suppression import Cell

# USWDS "primary" (#005ea2) on white: 7.1:1, beyond the 3:1 that WCAG 1.4.11 asks of graphics; the text is "ink".
BAR_COLOUR = "#005ea2"
TEXT_COLOUR = "#1b1b1b"
AXIS_COLOUR = "#565c65"  # base-dark: 6.9:1 on white

Kind = Literal["bars", "trend"]

WITHHELD_NOTE = _("Not shown: a rate or mean of counts shown as fewer than 5 would tell them.")


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: list[tuple[str | Promise, Cell]]


@dataclass
class Chart:
    key: str  # section.chart, unique on the page: the CSV's ``chart=`` and the elements' ids
    title: str | Promise
    description: str | Promise  # what is counted, for the <desc> and under the heading
    kind: Kind
    label_heading: str | Promise  # the first column's heading ("Kind", "Month")
    columns: tuple[str | Promise, ...]
    rows: list[Row] = field(default_factory=list)
    unseen: bool = False  # the viewer's role reads none of the records counted: the page says so, draws nothing

    @property
    def dom_id(self) -> str:
        return "chart-" + self.key.replace(".", "-").replace("_", "-")

    @property
    def table_rows(self) -> list["TableRow"]:
        """The rows with each cell beside its column's heading: a stacked table (on a phone) names each value."""
        return [TableRow(row.label, list(zip(self.columns, row.cells, strict=True))) for row in self.rows]

    @property
    def has_suppressed(self) -> bool:
        return any(cell.suppressed for row in self.rows for cell in row.cells)

    @property
    def has_withheld(self) -> bool:
        """A rate or mean reads "not shown": the table says why beneath it."""
        return any(cell.withheld for row in self.rows for cell in row.cells)

    @property
    def withheld_note(self) -> str | Promise:
        return WITHHELD_NOTE

    def svg(self) -> SafeString:
        return render_svg(self)

    def csv(self) -> str:
        return render_csv(self)


# --- Geometry


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value, as the viewer may read it
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    text_x: float
    text_y: float
    short: str = ""  # the value where room is scarce (a month's column): "<5" for a suppressed cell
    axis_label: str = ""  # the month named under the axis: every one up to a year and a half, fewer beyond


BARS_WIDTH = 560
BARS_LABEL_WIDTH = 210
BARS_VALUE_ROOM = 100  # "fewer than 5" fits
BARS_ROW = 30

TREND_WIDTH = 640
TREND_HEIGHT = 240
TREND_TOP = 24  # room for the value above the tallest column
TREND_BOTTOM = 40  # room for the month under the axis
TREND_MAX_SLOT = 80  # a quarter's three columns stay columns, not walls
TREND_LABELS = 18  # at most this many months named under the axis


def _scale(rows: list[Row]) -> int:
    return max([row.cells[0].plotted for row in rows if row.cells] + [1])


def bars_geometry(chart: Chart) -> tuple[int, int, list[Bar]]:
    """Horizontal bars, one per row: the label on the left, the bar, then its value."""
    top = max(_scale(chart.rows), 1)
    room = BARS_WIDTH - BARS_LABEL_WIDTH - BARS_VALUE_ROOM
    bars = []
    for index, row in enumerate(chart.rows):
        cell = row.cells[0]
        width = room * cell.plotted / top
        y = index * BARS_ROW + 6
        bars.append(
            Bar(
                label=row.label,
                text=cell.text,
                x=BARS_LABEL_WIDTH,
                y=y,
                width=round(width, 1),
                height=BARS_ROW - 12,
                label_x=BARS_LABEL_WIDTH - 8,
                label_y=y + (BARS_ROW - 12) / 2 + 4,
                text_x=round(BARS_LABEL_WIDTH + width + 6, 1),
                text_y=y + (BARS_ROW - 12) / 2 + 4,
            )
        )
    height = max(len(chart.rows), 1) * BARS_ROW + 6
    return BARS_WIDTH, height, bars


def trend_geometry(chart: Chart) -> tuple[int, int, float, list[Bar]]:
    """Columns, one per month, oldest on the left, in a picture of fixed width (a quarter's three months are not
    drawn three times as large as a year's twelve): the value above each column and the month under the axis,
    every month's up to a year and a half, every other one's or fewer beyond (the table beside has them all)."""
    top = max(_scale(chart.rows), 1)
    count = max(len(chart.rows), 1)
    slot = min(TREND_MAX_SLOT, (TREND_WIDTH - 8) / count)
    every = math.ceil(count / TREND_LABELS)
    axis_y = TREND_HEIGHT - TREND_BOTTOM
    room = axis_y - TREND_TOP
    bars = []
    for index, row in enumerate(chart.rows):
        cell = row.cells[0]
        height = room * cell.plotted / top
        x = 4 + index * slot
        shown = index % every == 0
        bars.append(
            Bar(
                label=row.label,  # the <desc> names every month
                axis_label=row.label if shown else "",
                text=cell.text,
                x=round(x + slot * 0.2, 1),
                y=round(axis_y - height, 1),
                width=round(slot * 0.6, 1),
                height=round(height, 1),
                label_x=round(x + slot / 2, 1),
                label_y=axis_y + 18,
                text_x=round(x + slot / 2, 1),
                text_y=round(axis_y - height - 6, 1),
                short=("<5" if cell.suppressed else cell.text) if shown else "",
            )
        )
    return TREND_WIDTH, TREND_HEIGHT, axis_y, bars


def render_svg(chart: Chart) -> SafeString:
    context = {"chart": chart, "bar_colour": BAR_COLOUR, "text_colour": TEXT_COLOUR, "axis_colour": AXIS_COLOUR}
    if chart.kind == "bars":
        width, height, bars = bars_geometry(chart)
        context |= {"width": width, "height": height, "bars": bars}
        return SafeString(render_to_string("reports/chart_bars.svg", context))
    width, height, axis_y, bars = trend_geometry(chart)
    context |= {"width": width, "height": height, "axis_y": axis_y, "bars": bars}
    return SafeString(render_to_string("reports/chart_trend.svg", context))


def render_csv(chart: Chart) -> str:
    """The chart's table as CSV: the same cells the page shows ("fewer than 5" where suppressed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(chart.label_heading), *(str(column) for column in chart.columns)])
    for row in chart.rows:
        writer.writerow([_csv_safe(row.label), *(cell.text for cell in row.cells)])
    if chart.has_withheld:
        writer.writerow([str(WITHHELD_NOTE)])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """A label that a spreadsheet would read as a formula (an agency named "=HYPERLINK(...)") is quoted."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
