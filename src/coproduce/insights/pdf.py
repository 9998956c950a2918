"""The funder report as a PDF (reportlab, pure pip): headline figures, charts drawn with
reportlab.graphics, the anonymous tables, the outcomes note and the method note. No member is
named."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
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

WIDTH = A4[0] - 40 * mm


def _bar_chart(title: str, months: list[str], series: list[dict], stacked: bool) -> Drawing:
    drawing = Drawing(WIDTH, 230)
    drawing.add(String(0, 215, title, fontName="Helvetica-Bold", fontSize=11))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 60, WIDTH - 170, 140
    chart.data = [s["data"] or [0] for s in series] or [[0] * max(len(months), 1)]
    chart.categoryAxis.categoryNames = months or [""]
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    if stacked:
        chart.categoryAxis.style = "stacked"
    for i, s in enumerate(series):
        chart.bars[i].fillColor = colors.HexColor(s["color"])
        chart.bars[i].strokeColor = colors.white
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = WIDTH - 130, 200
    legend.fontSize = 7
    legend.alignment = "right"
    legend.colorNamePairs = [(colors.HexColor(s["color"]), s["label"]) for s in series]
    drawing.add(legend)
    return drawing


def _pie(title: str, labels: list[str], values: list[int], palette: list[str]) -> Drawing:
    drawing = Drawing(WIDTH, 170)
    drawing.add(String(0, 155, title, fontName="Helvetica-Bold", fontSize=11))
    if not any(values):
        drawing.add(String(0, 120, _("No member gave or received help in this period.")))
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 20, 10, 130, 130
    pie.data = values
    pie.labels = [str(v) for v in values]
    for i, color in enumerate(palette):
        pie.slices[i].fillColor = colors.HexColor(color)
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = 190, 120
    legend.colorNamePairs = [
        (colors.HexColor(c), f"{label}: {v}")
        for c, label, v in zip(palette, labels, values, strict=True)
    ]
    drawing.add(legend)
    return drawing


def _table(headers: list[str], rows: list[list]) -> PdfTable:
    style = getSampleStyleSheet()["BodyText"]
    style.fontSize = 8
    style.leading = 10
    data = [[Paragraph(f"<b>{escape(str(h))}</b>", style) for h in headers]]
    data += [[Paragraph(escape(str(cell)), style) for cell in row] for row in rows]
    table = Table(data, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2ff")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def report_pdf(report: Report) -> bytes:
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
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
        story.append(
            KeepTogether(
                [Paragraph(escape(table.title), styles["h3"]), _table(table.headers, table.rows)]
            )
            if len(table.rows) < 25
            else Paragraph(escape(table.title), styles["h3"])
        )
        if len(table.rows) >= 25:
            story.append(_table(table.headers, table.rows))
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
