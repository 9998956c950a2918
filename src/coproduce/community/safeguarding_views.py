"""The coordinator's safeguarding pages about one member: pausing and resuming them, their
pause history and the exchanges still open when they were paused, and confidential incident
records with their follow-ups.

Every page is for the active coordinators of the current time bank; anyone else (the member,
a professional, another time bank's coordinator) is told it does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coproduce.community import incidents, safeguarding, selectors
from coproduce.community.forms import (
    CloseIncidentForm,
    FollowUpForm,
    IncidentForm,
    PauseForm,
    ResumeForm,
)
from coproduce.community.models import Person, Role
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_person, current_timebank

# An exchange still to happen or to be settled (exchanges.models.ExchangeStatus values; this
# app reads them through Person.exchange_parts and may not import exchanges).
OPEN_EXCHANGE_STATUSES = ("proposed", "agreed", "done", "disputed")


def _open_exchanges(person: Person, timebank_id: int) -> list[Any]:
    """The member's exchanges still open, for the coordinator to handle one by one."""
    parts = (
        person.exchange_parts.filter(  # type: ignore[attr-defined]
            timebank_id=timebank_id, exchange__status__in=OPEN_EXCHANGE_STATUSES
        )
        .select_related("exchange")
        .order_by("exchange__created_at", "pk")
    )
    return [part.exchange for part in parts]


@login_required
def member_safeguarding(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = current_timebank(request)
    membership = selectors.member_get_for(current_person(request), timebank, public_id)
    person = membership.person
    action = request.POST.get("action") if request.method == "POST" else None
    pause_form = PauseForm(request.POST if action == "pause" else None)
    resume_form = ResumeForm(request.POST if action == "resume" else None)
    if action == "pause" and pause_form.is_valid():
        service_on_form(
            pause_form,
            safeguarding.safeguarding_pause,
            timebank=timebank,
            person=person,
            acting=current_person(request),
            reason=pause_form.cleaned_data["reason"],
        )
        if not pause_form.errors:
            messages.success(
                request,
                _("%(name)s is paused: they cannot take part in new exchanges.")
                % {"name": person.display_name},
            )
            return redirect("community:safeguarding", public_id=person.public_id)
    if action == "resume" and resume_form.is_valid():
        service_on_form(
            resume_form,
            safeguarding.safeguarding_resume,
            timebank=timebank,
            person=person,
            acting=current_person(request),
            note=resume_form.cleaned_data["note"],
        )
        if not resume_form.errors:
            messages.success(
                request, _("%(name)s's pause has ended.") % {"name": person.display_name}
            )
            return redirect("community:safeguarding", public_id=person.public_id)
    pauses = safeguarding.pauses_for(person=person, timebank=timebank)
    current = next((p for p in pauses if p.ended_at is None), None)
    context = {
        "membership": membership,
        "person": person,
        "current": current,
        "pauses": pauses,
        "pause_form": pause_form,
        "resume_form": resume_form,
        "open_exchanges": _open_exchanges(person, timebank.pk) if current else [],
        "incidents": incidents.incidents_about(
            viewer=current_person(request), timebank=timebank, person=person
        ),
        "can_pause": membership.role not in {Role.COORDINATOR, Role.ADMIN},
    }
    return render(request, "community/safeguarding/member.html", context)


@login_required
def incident_new(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = current_timebank(request)
    membership = selectors.member_get_for(current_person(request), timebank, public_id)
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident = service_on_form(
            form,
            incidents.incident_record,
            timebank=timebank,
            acting=current_person(request),
            person=membership.person,
            **form.cleaned_data,
        )
        if incident is not None:
            messages.success(request, _("The incident is recorded."))
            return redirect("community:incident", public_id=incident.public_id)
    context = {"membership": membership, "form": form}
    return render(request, "community/safeguarding/incident_new.html", context)


@login_required
def incident_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = current_timebank(request)
    action = request.POST.get("action") if request.method == "POST" else None
    # Audited below, whenever the page is shown (a form sent and redirected shows nothing).
    incident = incidents.incident_get_for(
        viewer=current_person(request), timebank=timebank, public_id=public_id, audit=False
    )
    follow_up_form = FollowUpForm(request.POST if action == "follow_up" else None)
    close_form = CloseIncidentForm(request.POST if action == "close" else None)
    if action == "follow_up" and follow_up_form.is_valid():
        service_on_form(
            follow_up_form,
            incidents.incident_follow_up,
            incident=incident,
            acting=current_person(request),
            **follow_up_form.cleaned_data,
        )
        if not follow_up_form.errors:
            messages.success(request, _("The follow-up is added."))
            return redirect("community:incident", public_id=incident.public_id)
    if action == "close" and close_form.is_valid():
        service_on_form(
            close_form,
            incidents.incident_close,
            incident=incident,
            acting=current_person(request),
            **close_form.cleaned_data,
        )
        if not close_form.errors:
            messages.success(request, _("The incident is closed."))
            return redirect("community:incident", public_id=incident.public_id)
    incidents.incident_viewed(viewer=current_person(request), incident=incident)
    context = {
        "incident": incident,
        "follow_ups": incidents.follow_ups_of(incident),
        "follow_up_form": follow_up_form,
        "close_form": close_form,
    }
    return render(request, "community/safeguarding/incident.html", context)
