"""Matching pages: the candidates for a request (with a one-click invite; the person who asked
sees them on their request's own page instead, and their "Ask" comes back there), the
coordinators' broker queue, a member's "don't match me for" list, and the time bank's matching
settings.

Every lookup goes through selectors scoped to the person and the current time bank; someone who
may not see a page gets the same 404 as for one that does not exist.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.community.models import TimeBank
from coproduce.community.permissions import membership_is_coordinator
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_membership, current_person, current_timebank
from coproduce.exchanges.models import Request
from coproduce.matching import selectors, services
from coproduce.matching.broker_queue import (
    QUEUE_PAGE_SIZE,
    broker_queue_rows,
    open_requests_by_waiting,
)
from coproduce.matching.forms import PreferenceForm, SettingsForm


def _coordinator_timebank(request: HttpRequest) -> TimeBank:
    timebank = current_timebank(request)
    if not membership_is_coordinator(current_membership(request)):
        raise NotFound(_("No such page."))
    return timebank


def _own_request_section(help_request: Request) -> str:
    return reverse("exchanges:request", args=[help_request.public_id]) + "#who-could-help"


@login_required
def candidates(request: HttpRequest, public_id: UUID) -> HttpResponse:
    timebank = current_timebank(request)
    help_request = selectors.request_get_for(current_person(request), timebank, public_id)
    is_coordinator = membership_is_coordinator(current_membership(request))
    if not is_coordinator:
        # The person who asked sees who could help on their request's own page, with only the
        # reasons safe to show a member (matching.asking), never scores.
        return redirect(_own_request_section(help_request))
    settings = selectors.settings_for(timebank)
    context = {
        "help_request": help_request,
        "candidates": selectors.candidates_for_request(help_request),
        "is_coordinator": is_coordinator,
        "check_needed": (settings.safeguarding or {}).get(help_request.category),
    }
    return render(request, "matching/candidates.html", context)


@login_required
@require_POST
def invite(request: HttpRequest, public_id: UUID, person_id: UUID) -> HttpResponse:
    timebank = current_timebank(request)
    help_request = selectors.request_get_for(current_person(request), timebank, public_id)
    candidate = selectors.candidate_get_for(timebank=timebank, public_id=person_id)
    if membership_is_coordinator(current_membership(request)):
        back = reverse("matching:candidates", args=[help_request.public_id])
    else:
        back = _own_request_section(help_request)
    try:
        services.candidate_invite(
            request=help_request, candidate=candidate, acting=current_person(request)
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(
        request,
        _("%(name)s has been asked to help with “%(title)s”. They will be told now.")
        % {"name": candidate.display_name, "title": help_request.title},
    )
    return redirect(back)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    timebank = _coordinator_timebank(request)
    page = Paginator(open_requests_by_waiting(timebank), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = broker_queue_rows(list(page.object_list))
    return render(request, "matching/queue.html", {"page": page, "rows": rows})


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    current = selectors.preference_for(current_person(request), timebank)
    form = PreferenceForm(
        request.POST or None,
        initial={"excluded_categories": current.excluded_categories if current else []},
    )
    if request.method == "POST" and form.is_valid():
        service_on_form(
            form,
            services.preference_set,
            person=current_person(request),
            timebank=timebank,
            excluded_categories=form.cleaned_data["excluded_categories"],
        )
        if not form.errors:
            messages.success(request, _("Thank you. We will only suggest you for what you chose."))
            return redirect("matching:preferences")
    return render(request, "matching/preferences.html", {"form": form})


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    timebank = _coordinator_timebank(request)
    current = selectors.settings_for(timebank)
    initial = {name: getattr(current, name) for name in services.SETTINGS_WEIGHTS}
    initial["requester_sees_candidates"] = current.requester_sees_candidates
    initial.update({f"check_{c}": k for c, k in (current.safeguarding or {}).items()})
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service_on_form(
            form,
            services.settings_update,
            timebank=timebank,
            acting=current_person(request),
            safeguarding=form.safeguarding(),
            requester_sees_candidates=data["requester_sees_candidates"],
            **{name: data[name] for name in services.SETTINGS_WEIGHTS},
        )
        if not form.errors:
            messages.success(request, _("Matching settings saved."))
            return redirect("matching:settings")
    return render(request, "matching/settings.html", {"form": form})
