"""The insights pages: the coordinator's report, the funder's printable report, and exports.

Only an active coordinator or administrator of the time bank sees them; anyone else is told
there is no such page (a 404). The funder page and the PDF never name a member.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from coproduce.core.db_router import replica_reads
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.requests import current_person, current_timebank
from coproduce.insights.charts import chart_data, network_picture
from coproduce.insights.forms import ReportForm
from coproduce.insights.method import method_notes
from coproduce.insights.outcomes import SMALL_GROUP
from coproduce.insights.pdf import report_pdf
from coproduce.insights.report import report_build
from coproduce.insights.selectors import (
    Report,
    insights_timebank_for,
    insights_timebanks_for,
)
from coproduce.insights.services import report_export_record
from coproduce.insights.tables import (
    AUDIENCES,
    COORDINATOR,
    FUNDER,
    figures,
    outcomes_shown,
    report_csv,
    report_json,
    table_csv,
    table_get,
    tables,
)


def _form(request: HttpRequest) -> ReportForm:
    """The period form, bound to the query string over its defaults, so a bare link works."""
    current = current_timebank(request)
    # Only coordinators of the current time bank get in, whatever they coordinate elsewhere.
    insights_timebank_for(current_person(request), current.slug)
    timebanks = insights_timebanks_for(current_person(request))
    asked = request.GET.get("timebank")
    if asked and asked not in {tb.slug for tb in timebanks}:
        # Another community's reports: as if they did not exist.
        raise NotFound(_("There is no such page."))
    unbound = ReportForm(timebanks=timebanks, current=current)
    data = {name: unbound[name].value() for name in unbound.fields}
    data.update(request.GET.dict())
    return ReportForm(data, timebanks=timebanks, current=current)


def _report(form: ReportForm, audience: str = COORDINATOR) -> Report | None:
    """The report for the form's choices; the funder's (no names) leaves out what only the
    coordinator's named views use (`report_build`'s `named`)."""
    if not form.is_valid():
        return None
    return report_build(
        timebank=form.chosen_timebank,
        period=form.cleaned_data["period"],
        isolation_days=form.cleaned_data["isolation_days"],
        hourly_value_pence=form.hourly_value_pence,
        named=audience == COORDINATOR,
    )


def _report_or_404(request: HttpRequest, audience: str = COORDINATOR) -> Report:
    form = _form(request)
    report = _report(form, audience)
    if report is None:
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        raise ApplicationError(
            _("That report cannot be made: %(errors)s") % {"errors": errors}, "bad_report"
        )
    return report


def _profile_url(public_id: str) -> str:
    return reverse("community:profile", args=[public_id])


def _context(
    request: HttpRequest, form: ReportForm, report: Report | None, audience: str
) -> dict[str, Any]:
    context: dict[str, Any] = {"form": form, "report": report, "audience": audience, "query": ""}
    if report is None:
        return context
    query = request.GET.copy()
    query["timebank"] = report.timebank.slug
    context.update(
        query=query.urlencode(),
        figures=figures(report),
        tables={t.key: t for t in tables(report, audience)},
        charts=chart_data(report),
        method=method_notes(report),
        outcomes=outcomes_shown(report, audience),
        small_group=SMALL_GROUP,
    )
    if audience == COORDINATOR:
        context["network_picture"] = network_picture(report, names=True)
        context["at_risk"] = [
            {"row": row, "url": _profile_url(row.party.public_id)} for row in report.network.at_risk
        ]
    return context


@login_required
@replica_reads()
def report_page(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    report = _report(form)
    return render(
        request,
        "insights/report.html",
        _context(request, form, report, COORDINATOR),
        status=200 if report is not None else 400,
    )


@login_required
@replica_reads()
def funder_page(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    report = _report(form, FUNDER)
    return render(
        request,
        "insights/funder.html",
        _context(request, form, report, FUNDER),
        status=200 if report is not None else 400,
    )


def _audience(value: str) -> str:
    if value not in AUDIENCES:
        raise NotFound(_("There is no such report."))
    return value


def _download(body: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stem(report: Report, audience: str) -> str:
    return f"{report.timebank.slug}-{audience}-{report.period.start}-{report.period.end}"


def _audit_export(request: HttpRequest, report: Report, audience: str, what: str) -> None:
    report_export_record(report=report, audience=audience, what=what, actor=current_person(request))


@login_required
@replica_reads()
def export_table_csv(request: HttpRequest, audience: str, key: str) -> HttpResponse:
    audience = _audience(audience)
    report = _report_or_404(request, audience)
    table = table_get(report, audience, key)
    _audit_export(request, report, audience, f"table:{key}")
    return _download(
        table_csv(table), "text/csv; charset=utf-8", f"{_stem(report, audience)}-{key}.csv"
    )


@login_required
@replica_reads()
def export_csv(request: HttpRequest, audience: str) -> HttpResponse:
    audience = _audience(audience)
    report = _report_or_404(request, audience)
    _audit_export(request, report, audience, "csv")
    return _download(
        report_csv(report, audience), "text/csv; charset=utf-8", f"{_stem(report, audience)}.csv"
    )


@login_required
@replica_reads()
def export_json(request: HttpRequest, audience: str) -> HttpResponse:
    audience = _audience(audience)
    report = _report_or_404(request, audience)
    _audit_export(request, report, audience, "json")
    return _download(
        report_json(report, audience), "application/json", f"{_stem(report, audience)}.json"
    )


@login_required
@replica_reads()
def export_pdf(request: HttpRequest) -> HttpResponse:
    report = _report_or_404(request, FUNDER)
    return _download(report_pdf(report), "application/pdf", f"{_stem(report, FUNDER)}.pdf")
