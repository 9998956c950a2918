"""The funder report as a PDF (reportlab, pure pip): headline figures, charts drawn with
reportlab.graphics, the anonymous tables, the outcomes note and the method note. No member is
named.

A table too wide for a portrait page (month by month has a column for each kind of help, 19 in
all) gets landscape pages of its own, and is split into parts that repeat its first column
when even a landscape page cannot give every column room for its longest word: a word is never
broken letter by letter. A chart's legend lists every series, in columns under the chart.

The report is written in the requesting person's language, in DejaVu Sans (vendored from npm under
insights/fonts/ by scripts/vendor-assets, embedded in the PDF): reportlab's built-in Helvetica
has no ŵ or ŷ for Welsh. Italic is drawn upright (only regular and bold are vendored)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import registerFont, registerFontFamily, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from coproduce.insights.charts import chart_data
from coproduce.insights.method import method_notes
from coproduce.insights.outcomes import SMALL_GROUP
from coproduce.insights.selectors import Report
from coproduce.insights.tables import FUNDER, OUTCOME_TABLES, figures, outcomes_shown, tables

MARGIN_X, MARGIN_Y = 20 * mm, 18 * mm
WIDTH = A4[0] - 2 * MARGIN_X
LANDSCAPE_WIDTH = landscape(A4)[0] - 2 * MARGIN_X
FONT, BOLD, FONT_SIZE = "CoproduceSans", "CoproduceSans-Bold", 8
FONTS = Path(__file__).resolve().parent / "fonts"


@cache
def fonts_registered() -> None:
    """DejaVu Sans, regular and bold, as reportlab fonts (once per process)."""
    registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))
    registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
    registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    for bold, italic, name in ((0, 0, FONT), (1, 0, BOLD), (0, 1, FONT), (1, 1, BOLD)):
        addMapping(FONT, bold, italic, name)


def _styles() -> StyleSheet1:
    """reportlab's sample styles, in our font."""
    fonts_registered()
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        name = getattr(style, "fontName", "")
        if name:
            style.fontName = BOLD if "Bold" in name else FONT
    return styles


PADDING = 3  # points each side of a cell's text
LEGEND_ROW = 10  # points per legend line


def _bar_chart(title: str, months: list[str], series: list[dict], stacked: bool) -> Drawing:
    """Bars by month, and under them a legend naming every series (in as many columns as fit)."""
    labels = [s["label"] for s in series]
    widest = max((stringWidth(str(label), FONT, 7) for label in labels), default=0) + 20
    columns = max(1, min(len(labels) or 1, int(WIDTH // widest)))
    rows = math.ceil(len(labels) / columns) if labels else 0
    legend_height = rows * LEGEND_ROW
    height = 230 + legend_height
    drawing = Drawing(WIDTH, height)
    drawing.add(String(0, height - 15, title, fontName=BOLD, fontSize=11))
    chart = VerticalBarChart()
    chart.x, chart.y = 30, legend_height + 55
    chart.width, chart.height = WIDTH - 40, 140
    chart.data = [s["data"] or [0] for s in series] or [[0] * max(len(months), 1)]
    chart.categoryAxis.categoryNames = months or [""]
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = FONT, 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = FONT, 7
    if stacked:
        chart.categoryAxis.style = "stacked"
    for i, s in enumerate(series):
        chart.bars[i].fillColor = colors.HexColor(s["color"])
        chart.bars[i].strokeColor = colors.white
    drawing.add(chart)
    if labels:
        legend = Legend()
        legend.boxAnchor = "nw"
        legend.x, legend.y = 0, legend_height
        legend.fontName, legend.fontSize = FONT, 7
        legend.alignment = "right"
        legend.columnMaximum = rows
        legend.deltax = WIDTH / columns
        legend.deltay = LEGEND_ROW
        legend.dy = legend.dx = 6
        legend.colorNamePairs = [(colors.HexColor(s["color"]), s["label"]) for s in series]
        drawing.add(legend, name="legend")
    return drawing


def _pie(title: str, labels: list[str], values: list[int], palette: list[str]) -> Drawing:
    drawing = Drawing(WIDTH, 170)
    drawing.add(String(0, 155, title, fontName=BOLD, fontSize=11))
    if not any(values):
        drawing.add(
            String(0, 120, _("No member gave or received help in this period."), fontName=FONT)
        )
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 20, 10, 130, 130
    pie.data = values
    pie.labels = [str(v) for v in values]
    pie.slices.fontName = FONT
    for i, color in enumerate(palette):
        pie.slices[i].fillColor = colors.HexColor(color)
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = 190, 120
    legend.fontName = FONT
    legend.colorNamePairs = [
        (colors.HexColor(c), f"{label}: {v}")
        for c, label, v in zip(palette, labels, values, strict=True)
    ]
    drawing.add(legend)
    return drawing


def _cell_style(size: float = FONT_SIZE):
    style = _styles()["BodyText"]
    style.fontName, style.fontSize, style.leading = FONT, size, size + 2
    return style


def _table(
    headers: Sequence[object], rows: Sequence[Sequence[object]], widths: list[float] | None = None
) -> PdfTable:
    style = _cell_style()
    data = [[Paragraph(f"<b>{escape(str(h))}</b>", style) for h in headers]]
    data += [[Paragraph(escape(str(cell)), style) for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2ff")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
            ]
        )
    )
    return table


def column_widths(headers: Sequence[object], rows: Sequence[Sequence[object]]) -> list[float]:
    """The narrowest each column can be without breaking a word: its longest word (in bold in the
    header) and padding."""

    def longest(text: object, font: str) -> float:
        return max((stringWidth(w, font, FONT_SIZE) for w in str(text).split()), default=0)

    return [
        max([longest(h, BOLD), *(longest(row[i], FONT) for row in rows)]) + 2 * PADDING + 1
        for i, h in enumerate(headers)
    ]


def table_parts(
    headers: Sequence[object], rows: Sequence[Sequence[object]], width: float
) -> list[tuple[list[int], list[float]]]:
    """The columns of each part of a table `width` points wide, and their widths: one part when
    every column fits, otherwise as many as needed, each repeating the first column. Leftover
    width is shared out, so the parts fill the page."""
    need = column_widths(headers, rows)
    parts: list[list[int]] = [[0]]
    for i in range(1, len(headers)):
        if sum(need[j] for j in parts[-1]) + need[i] > width and len(parts[-1]) > 1:
            parts.append([0])
        parts[-1].append(i)
    out = []
    for columns in parts:
        spare = max(0.0, width - sum(need[j] for j in columns)) / len(columns)
        out.append((columns, [need[j] + spare for j in columns]))
    return out


def _wide_table(title: str, headers: list, rows: list, styles) -> list[Flowable]:
    """A table on portrait pages when it fits, else on landscape pages of its own, in parts."""
    if sum(column_widths(headers, rows)) <= WIDTH:
        widths = table_parts(headers, rows, WIDTH)[0][1]
        heading = Paragraph(escape(title), styles["h3"])
        table = _table(headers, rows, widths)
        return [KeepTogether([heading, table])] if len(rows) < 25 else [heading, table]
    parts = table_parts(headers, rows, LANDSCAPE_WIDTH)
    story: list[Flowable] = [NextPageTemplate("landscape"), PageBreak()]
    for n, (columns, widths) in enumerate(parts, start=1):
        part_title = (
            _("%(title)s (part %(n)d of %(total)d)") % {"title": title, "n": n, "total": len(parts)}
            if len(parts) > 1
            else title
        )
        story += [
            Paragraph(escape(part_title), styles["h3"]),
            _table([headers[i] for i in columns], [[r[i] for i in columns] for r in rows], widths),
            Spacer(1, 6 * mm),
        ]
    return [*story, NextPageTemplate("portrait"), PageBreak()]


def _document(out: io.BytesIO, *, title: str, author: str) -> BaseDocTemplate:
    """Portrait pages, and landscape ones for the widest tables."""
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_Y,
        bottomMargin=MARGIN_Y,
        title=title,
        author=author,
    )
    wide = landscape(A4)
    doc.addPageTemplates(
        [
            PageTemplate(
                id="portrait",
                pagesize=A4,
                frames=[Frame(MARGIN_X, MARGIN_Y, WIDTH, A4[1] - 2 * MARGIN_Y, id="portrait")],
            ),
            PageTemplate(
                id="landscape",
                pagesize=wide,
                frames=[
                    Frame(MARGIN_X, MARGIN_Y, LANDSCAPE_WIDTH, wide[1] - 2 * MARGIN_Y, id="wide")
                ],
            ),
        ]
    )
    return doc


def report_pdf(report: Report) -> bytes:
    styles = _styles()
    out = io.BytesIO()
    doc = _document(
        out,
        title=_("%(name)s: report") % {"name": report.timebank.name},
        author=report.timebank.name,
    )
    period = _("%(start)s to %(end)s") % {
        "start": date_format(report.period.start, "j F Y"),
        "end": date_format(report.period.end, "j F Y"),
    }
    story: list = [
        Paragraph(escape(report.timebank.name), styles["Title"]),
        Paragraph(_("What our time bank did: %(period)s") % {"period": period}, styles["h2"]),
        Spacer(1, 4 * mm),
        _table([_("Figure"), _("Value")], [[f.label, f.text] for f in figures(report)]),
        Spacer(1, 6 * mm),
    ]
    charts = chart_data(report)
    story.append(
        _bar_chart(
            _("Hours of help by month and kind"), charts["months"], charts["hours"], stacked=True
        )
    )
    story.append(
        _bar_chart(
            _("Members active and new members by month"),
            charts["months"],
            charts["members"],
            stacked=False,
        )
    )
    give_take = charts["give_take"]
    story.append(
        _pie(
            _("Give and take among active members"),
            give_take["labels"],
            give_take["data"],
            give_take["colors"],
        )
    )
    funder_tables = tables(report, FUNDER)
    for table in funder_tables:
        if not table.rows or table.key in OUTCOME_TABLES:
            continue
        story += _wide_table(table.title, table.headers, table.rows, styles)
    story.append(Paragraph(_("Outcomes"), styles["h3"]))
    story.append(Paragraph(escape(_outcomes_text(report)), styles["BodyText"]))
    for table in funder_tables:
        if table.key in OUTCOME_TABLES:
            story.append(Spacer(1, 2 * mm))
            story.append(
                KeepTogether(
                    [
                        Paragraph(f"<b>{escape(table.title)}</b>", styles["BodyText"]),
                        _table(table.headers, table.rows),
                    ]
                )
            )
    story.append(Paragraph(_("How each figure is computed"), styles["h2"]))
    for _key, title, note in method_notes(report):
        story.append(Paragraph(f"<b>{escape(title)}.</b> {escape(note)}", styles["BodyText"]))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            _("No member is named in this report. Made by Coproduce on %(when)s.")
            % {"when": date_format(report.generated_at, "j F Y")},
            styles["Italic"],
        )
    )
    doc.build(story)
    return out.getvalue()


def _outcomes_text(report: Report) -> str:
    """What comes before the outcome tables: how many referrals, and what a funder is not shown."""
    outcomes = outcomes_shown(report, FUNDER)
    if outcomes is None:
        return _(
            "No referral data yet: referrals from partner organisations are not recorded in "
            "this time bank, so there are no outcome figures to report."
        )
    if outcomes.referrals:
        received = ngettext(
            "One referral from a partner organisation was received in this period.",
            "%(n)d referrals from partner organisations were received in this period.",
            outcomes.referrals,
        ) % {"n": outcomes.referrals}
    else:
        received = _("No referral from a partner organisation was received in this period.")
    hidden = _(
        "A wellbeing figure behind fewer than %(n)d people is not shown, so that no one can be "
        "recognised from it."
    ) % {"n": SMALL_GROUP}
    return f"{received} {hidden}"
