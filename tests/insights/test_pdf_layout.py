"""The funder PDF on paper: the month-by-month table (a column per kind of help, 19 in all)
gets landscape pages, split into parts repeating the month, so no word breaks letter by letter;
the hours-by-kind chart's legend names all 14 kinds inside the drawing (issue 13, defect 6)."""

from __future__ import annotations

import io

from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfbase.pdfmetrics import stringWidth

from coproduce.core.categories import Category
from coproduce.insights.pdf import (
    BOLD,
    FONT,
    FONT_SIZE,
    LANDSCAPE_WIDTH,
    WIDTH,
    _bar_chart,
    _document,
    _wide_table,
    column_widths,
    table_parts,
)
from tests.insights.test_outcomes import _pdf_text

KINDS = [str(c.label) for c in Category] + ["Co-design meetings", "Other help"]
HEADERS = ["Month", *KINDS, "Hours in all", "Exchanges", "Members active", "New members"]
MONTHS = ["January 2026", "February 2026", "September 2026"]
ROWS = [[m, *["12.5"] * len(KINDS), "175", 40, 31, 3] for m in MONTHS]


def _longest_word(text: object, font: str) -> float:
    return max(stringWidth(w, font, FONT_SIZE) for w in str(text).split())


def test_the_monthly_table_has_19_columns_and_does_not_fit_a_portrait_page():
    assert len(HEADERS) >= 19 and len(KINDS) == 14
    assert sum(column_widths(HEADERS, ROWS)) > WIDTH


def test_each_part_fits_a_landscape_page_with_room_for_every_word():
    parts = table_parts(HEADERS, ROWS, LANDSCAPE_WIDTH)
    assert len(parts) >= 2
    seen = []
    for columns, widths in parts:
        assert columns[0] == 0  # the month is repeated in every part
        assert sum(widths) <= LANDSCAPE_WIDTH + 0.01
        for i, width in zip(columns, widths, strict=True):
            room = width - 6  # the cell's padding
            assert room >= _longest_word(HEADERS[i], BOLD)
            assert all(room >= _longest_word(row[i], FONT) for row in ROWS)
        seen += columns[1:]
    assert seen == list(range(1, len(HEADERS)))  # every column once, in order


def test_a_narrow_table_stays_on_the_portrait_page():
    story = _wide_table(
        "Retention", ["Months", "Joined", "Still active"], [[3, 10, 8]], getSampleStyleSheet()
    )
    assert not any(type(f).__name__ in {"NextPageTemplate", "PageBreak"} for f in story)


def test_the_wide_table_is_printed_on_landscape_pages():
    out = io.BytesIO()
    doc = _document(out, title="t", author="a")
    styles = getSampleStyleSheet()
    doc.build(_wide_table("Month by month", HEADERS, ROWS, styles))
    pdf = out.getvalue()
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in pdf  # A4 landscape
    text = _pdf_text(pdf)
    assert "Month by month \\(part 1 of" in text  # parentheses are escaped in a PDF string
    for word in ("Companionship", "Neighbourhood", "Transport"):
        assert word in text  # whole, not one letter per line


def test_the_hours_chart_legend_names_every_kind_inside_the_drawing():
    series = [{"label": label, "color": "#4477AA", "data": [1.0, 2.0, 3.0]} for label in KINDS]
    drawing = _bar_chart("Hours of help by month and kind", MONTHS, series, stacked=True)
    legend = drawing.legend
    assert [name for _colour, name in legend.colorNamePairs] == KINDS
    x1, y1, x2, y2 = legend.getBounds()
    assert x1 >= 0 and y1 >= 0 and x2 <= drawing.width and y2 <= drawing.height
    chart = next(c for c in drawing.contents if type(c).__name__ == "VerticalBarChart")
    assert y2 < chart.y - 30  # under the month labels, not over the bars
