"""The SVG is well-formed XML, labelled for assistive technology, tells every value in text, and never draws a bar
for a suppressed cell; the CSV says the same as the table."""

import csv
import io
import xml.etree.ElementTree as ET  # our own output, not untrusted input

from reports.charts import Chart, Row
from reports.suppression import cell

SVG = "{http://www.w3.org/2000/svg}"


def _chart(kind="bars") -> Chart:
    return Chart(
        key="test.chart",
        title="Events & <things>",
        description="What is counted.",
        kind=kind,
        label_heading="Kind",
        columns=("Events", "People"),
        rows=[
            Row('Community & "friends" <b>', (cell(12), cell(300))),
            Row("Training", (cell(3, 0), cell(40))),
            Row('=HYPERLINK("x")', (cell(0), cell(0))),
        ],
    )


def test_bars_are_valid_svg_with_title_desc_and_a_bar_per_counted_row():
    root = ET.fromstring(  # noqa: S314
        str(_chart().svg())
    )
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Events & <things>"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert desc is not None
    assert "Training: fewer than 5." in (desc.text or "")
    rects = root.findall(f".//{SVG}rect")
    assert len(rects) == 1  # 12 drawn; the suppressed 3 and the 0 draw nothing
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "12" in texts
    assert "fewer than 5" in texts
    assert "0" in texts
    assert 'Community & "friends" <b>' in texts  # escaped in the source, read back as written
    assert "style" not in str(_chart().svg())  # no inline style: CSP forbids it


def test_a_trend_is_valid_svg_with_a_column_per_month():
    chart = _chart("trend")
    root = ET.fromstring(  # noqa: S314
        str(chart.svg())
    )
    assert len(root.findall(f".//{SVG}rect")) == 1
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<5" in texts
    assert "Training" in texts


def test_the_csv_has_the_tables_cells_and_defuses_formulas():
    rows = list(csv.reader(io.StringIO(_chart().csv())))
    assert rows == [
        ["Kind", "Events", "People"],
        ['Community & "friends" <b>', "12", "300"],
        ["Training", "fewer than 5", "40"],
        ['\'=HYPERLINK("x")', "0", "0"],
    ]


def test_a_long_trends_desc_names_every_month_though_the_axis_names_fewer():
    months = [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(24)]
    chart = Chart(
        "t.trend", "T", "D", "trend", "Month", ("Events",), [Row(m, (cell(n + 10),)) for n, m in enumerate(months)]
    )
    root = ET.fromstring(  # noqa: S314
        str(chart.svg())
    )
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    for n, month in enumerate(months):
        assert f"{month}: {n + 10}." in (desc.text or "")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "2025-01" in texts
    assert "2025-02" not in texts  # every other month under the axis


def test_a_withheld_figure_is_explained_under_its_table():
    from django.template.loader import render_to_string

    from reports.suppression import not_shown

    chart = Chart("t.rates", "T", "D", "bars", "Provider", ("Sent", "Mean days"), [Row("P", (cell(9), not_shown()))])
    html = render_to_string("reports/chart.html", {"chart": chart})
    assert ">not shown</td>" in html
    assert "Not shown: a rate or mean" in html
    assert "Not shown:" not in render_to_string("reports/chart.html", {"chart": _chart()})
