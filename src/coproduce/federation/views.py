"""Pages between time banks: the coordinator's partner banks (propose, accept, pause, resume,
stop, limits, positions) and a partner bank's offer or request, from which a member proposes
an exchange. Thin: look up with permission, validate, call one service, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.community.permissions import is_coordinator
from coproduce.core.errors import NotFound
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_membership, current_person, current_timebank
from coproduce.exchanges.selectors.search import Kind
from coproduce.federation import forms, services
from coproduce.federation.models import Partnership
from coproduce.federation.selectors import (
    banks_to_propose_to,
    partner_listing_get_for,
    partnership_get_for,
    partnerships_of,
    position_of,
    recent_crossings,
)


def _require_coordinator(request: HttpRequest) -> None:
    if not is_coordinator(person=current_person(request), timebank=current_timebank(request)):
        raise NotFound(_("Page not found."))


@login_required
def partnerships(request: HttpRequest) -> HttpResponse:
    _require_coordinator(request)
    timebank = current_timebank(request)
    form = forms.PartnershipProposeForm(
        request.POST if request.method == "POST" else None,
        banks=banks_to_propose_to(timebank),
    )
    if request.method == "POST" and form.is_valid():
        partnership = service_on_form(
            form,
            services.partnership_propose,
            timebank=timebank,
            partner=form.cleaned_data["partner"],
            acting=current_person(request),
            limit_minutes=form.cleaned_data["limit"],
            message=form.cleaned_data["message"],
        )
        if partnership is not None:
            messages.success(request, _("Your proposal has been sent to their coordinators."))
            return redirect("federation:partnership", public_id=partnership.public_id)
    rows = [(p, position_of(p, timebank)) for p in partnerships_of(timebank)]
    return render(
        request,
        "federation/partnerships.html",
        {"rows": rows, "form": form, "timebank": timebank},
        status=400 if form.errors else 200,
    )


def _detail_context(request: HttpRequest, partnership: Partnership, **bound: Any) -> dict[str, Any]:
    timebank = current_timebank(request)
    ours = partnership.proposer_id == timebank.pk
    other = partnership.partner if ours else partnership.proposer
    position = position_of(partnership, timebank)
    steps = set()
    if partnership.is_proposed:
        steps.add("decline")
        if not ours:
            steps.add("accept")
    if partnership.is_active:
        steps |= {"pause", "stop"}
    if partnership.is_paused:
        steps.add("stop")
        if partnership.paused_by_id == timebank.pk:
            steps.add("resume")
    if position is not None:
        steps.add("limit")
    context: dict[str, Any] = {
        "partnership": partnership,
        "other": other,
        "we_proposed": ours,
        "position": position,
        "crossings": recent_crossings(partnership, timebank),
        "steps": steps,
    }
    makers: dict[str, Callable[[], Any]] = {
        "accept": lambda: forms.PartnershipAcceptForm(prefix="accept"),
        "limit": lambda: forms.PartnershipLimitForm(
            prefix="limit",
            initial={"limit": f"{position.they_may_owe / 60:g}" if position else "10"},
        ),
    }
    for step, make in makers.items():
        context[f"{step}_form"] = bound.get(step) or (make() if step in steps else None)
    return context


@login_required
def partnership(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = partnership_get_for(
        person=current_person(request), timebank=current_timebank(request), public_id=public_id
    )
    return render(request, "federation/partnership.html", _detail_context(request, found))


STEPS: dict[str, tuple[type[forms.AccessibleForm], Callable[..., object], str]] = {
    "accept": (
        forms.PartnershipAcceptForm,
        services.partnership_accept,
        _("Accepted. Your members and theirs can now help each other."),
    ),
    "decline": (forms.PartnershipStepForm, services.partnership_decline, _("Declined.")),
    "pause": (
        forms.PartnershipStepForm,
        services.partnership_pause,
        _("Paused. No new exchanges until you resume it."),
    ),
    "resume": (forms.PartnershipStepForm, services.partnership_resume, _("Resumed.")),
    "stop": (
        forms.PartnershipStepForm,
        services.partnership_stop,
        _("Stopped. Exchanges already arranged can still finish."),
    ),
    "limit": (forms.PartnershipLimitForm, services.partnership_limit_set, _("Limit saved.")),
}


@login_required
@require_POST
def partnership_step(request: HttpRequest, public_id: UUID, step: str) -> HttpResponse:
    found = partnership_get_for(
        person=current_person(request), timebank=current_timebank(request), public_id=public_id
    )
    form_class, service, success = STEPS[step]
    form = form_class(request.POST, prefix=step)
    if form.is_valid():
        extra = {"limit_minutes": form.cleaned_data["limit"]} if "limit" in form.fields else {}
        service_on_form(
            form,
            service,
            partnership=found,
            timebank=current_timebank(request),
            acting=current_person(request),
            **extra,
        )
        if not form.errors:
            messages.success(request, success)
            return redirect("federation:partnership", public_id=found.public_id)
    context = _detail_context(request, found, **{step: form})
    context["step_errors"] = form.non_field_errors() if step not in ("accept", "limit") else None
    return render(request, "federation/partnership.html", context, status=400)


# --- members ---------------------------------------------------------------------------------


@login_required
def partner_listing(request: HttpRequest, kind: Kind, public_id: UUID) -> HttpResponse:
    timebank = current_timebank(request)
    person = current_person(request)
    listing = partner_listing_get_for(
        person=person, timebank=timebank, kind=kind, public_id=public_id
    )
    membership = current_membership(request)
    can_propose = membership is not None and membership.can_trade
    form = forms.CrossingProposeForm(
        request.POST if request.method == "POST" and can_propose else None,
        max_minutes=listing.timebank.max_exchange_minutes,
    )
    if request.method == "POST" and can_propose and form.is_valid():
        exchange = service_on_form(
            form,
            services.crossing_propose,
            timebank=timebank,
            acting=person,
            listing=listing,
            expected_minutes=form.cleaned_data["hours"],
            notes=form.cleaned_data["notes"],
        )
        if exchange is not None:
            messages.success(
                request, _("Your proposal has been sent. You will hear when they agree.")
            )
            return redirect("exchanges:exchange", public_id=exchange.public_id)
    status = 200
    if request.method == "POST":
        status = 400 if can_propose else 403
    return render(
        request,
        "federation/partner_listing.html",
        {"kind": kind, "listing": listing, "form": form, "can_propose": can_propose},
        status=status,
    )
