"""The Credit Commons pages: a member paying someone in another network, and the coordinator's
page of links (positions, recent and pending transfers, last hash, pause)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.core.errors import PermissionDenied
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_membership, current_person, current_timebank
from coproduce.core.units import format_hmm
from coproduce.creditcommons.forms import PauseForm, PayForm
from coproduce.creditcommons.selectors import (
    federation_for,
    my_remote_payments,
    node_for,
    peer_get_for,
)
from coproduce.creditcommons.sending import payment_send
from coproduce.creditcommons.services import peer_pause


@login_required
def pay(request: HttpRequest) -> HttpResponse:
    timebank, person = current_timebank(request), current_person(request)
    membership = current_membership(request)
    if membership is None or not membership.is_active:
        raise PermissionDenied(_("Only an active member can pay someone in another network."))
    node = node_for(timebank)
    form = PayForm(request.POST or None) if node is not None else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sent = service_on_form(
            form,
            payment_send,
            timebank=timebank,
            payer=person,
            address=data["address"].strip(),
            minutes=data["minutes"],
            description=data["description"],
            acting=person,
            tx_uuid=data["idempotency_key"],
        )
        if sent is not None:
            hours = {"hours": format_hmm(sent.minutes), "address": sent.remote_address}
            if sent.is_completed:
                messages.success(request, _("You paid %(hours)s hours to %(address)s.") % hours)
            elif sent.is_pending:
                messages.warning(
                    request,
                    _(
                        "Your %(hours)s hours to %(address)s are waiting for the other network "
                        "to answer. They are set aside; the coordinator will complete or return "
                        "them."
                    )
                    % hours,
                )
            else:
                messages.error(
                    request,
                    _("The other network refused the payment, and your hours are back: %(why)s")
                    % {"why": sent.error},
                )
            return redirect("creditcommons:pay")
    context = {
        "form": form,
        "node": node,
        "payments": my_remote_payments(person=person, timebank=timebank),
    }
    return render(request, "creditcommons/pay.html", context)


@login_required
def federation(request: HttpRequest) -> HttpResponse:
    view = federation_for(person=current_person(request), timebank=current_timebank(request))
    return render(request, "creditcommons/federation.html", {"view": view})


@login_required
@require_POST
def pause(request: HttpRequest, public_id: str) -> HttpResponse:
    person, timebank = current_person(request), current_timebank(request)
    peer = peer_get_for(person=person, timebank=timebank, public_id=public_id)
    form = PauseForm(request.POST)
    form.is_valid()
    paused = bool(form.cleaned_data.get("paused"))
    peer_pause(peer=peer, acting=person, paused=paused, reason=form.cleaned_data.get("reason", ""))
    if paused:
        messages.success(
            request,
            _("Nothing crosses the link to %(path)s until you resume it.") % {"path": peer.path},
        )
    else:
        messages.success(request, _("The link to %(path)s is open again.") % {"path": peer.path})
    return redirect("creditcommons:federation")
