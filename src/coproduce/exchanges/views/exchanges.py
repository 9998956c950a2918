"""Pages for exchanges: my exchanges, arranging one, its page with the buttons a person may
press now, and the coordinator's "log a finished exchange" for offline members.

Each view is thin: find the exchange through `exchange_get_for` (scoped to the person and the
current time bank), validate a form, call one service, then redirect with a message. A refusal
from a service is shown on the form it came from, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.community.models import Organisation, Person
from coproduce.community.permissions import is_coordinator, membership_is_coordinator
from coproduce.conversations.exchange_page import exchange_page_context  # issue 13
from coproduce.core.errors import NotFound
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_membership, current_person, current_timebank
from coproduce.exchanges.forms import exchanges as forms
from coproduce.exchanges.models import Exchange, ExchangeStatus, PaidBy, Side
from coproduce.exchanges.selectors.exchanges import (
    exchange_actions_for,
    exchange_crosses_banks,
    exchange_get_for,
    exchange_is_reversed,
    exchange_standing,
    exchanges_grouped_for_person,
    feedback_for_exchange,
)
from coproduce.exchanges.selectors.listings import offer_get_for_exchange, request_get_for_exchange
from coproduce.exchanges.services import disputes, feedback
from coproduce.exchanges.services import exchanges as services

TEMPLATES = "exchanges/exchange/"


@login_required
def exchanges(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    mine = exchanges_grouped_for_person(timebank=timebank, person=current_person(request))
    return render(
        request,
        TEMPLATES + "list.html",
        {"mine": mine, "is_coordinator": membership_is_coordinator(current_membership(request))},
    )


@login_required
def exchange_new(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    person = current_person(request)
    offer = request_ = None
    if request.GET.get("offer"):
        offer = offer_get_for_exchange(timebank=timebank, public_id=request.GET["offer"])
    elif request.GET.get("request"):
        request_ = request_get_for_exchange(timebank=timebank, public_id=request.GET["request"])
    listing = offer or request_
    initial: dict[str, Any] = {"hours": "1:00"}
    if listing is not None:
        initial.update(title=listing.title, category=listing.category)
    form = forms.ProposeForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        timebank=timebank,
        person=person,
        listing_known=listing is not None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Without a listing the form names the others and which side the person is on.
        providers: Sequence[Person | Organisation] = []
        receivers: Sequence[Person | Organisation] = []
        if listing is None:
            giving = data["my_role"] == forms.ProposeForm.GIVING
            providers, receivers = (
                ([person], data["others"]) if giving else (data["others"], [person])
            )
        paid_by = data.get("paid_by") or PaidBy.RECEIVERS
        exchange = service_on_form(
            form,
            services.exchange_propose,
            timebank=timebank,
            acting=person,
            listing=listing,
            providers=providers,
            receivers=receivers,
            title=data["title"],
            category=data["category"],
            expected_minutes=data["hours"],
            scheduled_for=data["scheduled_for"],
            paid_by=paid_by,
            paying_organisation=(
                data.get("paying_organisation") if paid_by == PaidBy.ORGANISATION else None
            ),
            notes=data["notes"],
        )
        if exchange is not None:
            messages.success(
                request, _("Your proposal has been sent. You will hear when they agree.")
            )
            return redirect("exchanges:exchange", public_id=exchange.public_id)
    return render(
        request,
        TEMPLATES + "new.html",
        {
            "form": form,
            "offer": offer,
            "listing_request": request_,
            "owner": (listing.person or listing.organisation) if listing else None,
        },
    )


def _detail_context(request: HttpRequest, exchange: Exchange, **bound: Any) -> dict[str, Any]:
    person = current_person(request)
    me = exchange_standing(exchange=exchange, person=person)
    actions = exchange_actions_for(exchange=exchange, person=person, me=me)
    participants = list(exchange.participants.all())
    context: dict[str, Any] = {
        "exchange": exchange,
        "providers": [p for p in participants if p.side == Side.PROVIDER],
        "receivers": [p for p in participants if p.side == Side.RECEIVER],
        "actions": actions,
        "me": me,
        "reversed": exchange_is_reversed(exchange),
        # With a partner bank (federation): each person is marked with their bank.
        "crosses_banks": exchange_crosses_banks(exchange),
        "feedback": feedback_for_exchange(exchange=exchange, person=person)
        if exchange.status == ExchangeStatus.CONFIRMED
        else [],
    }
    factories: dict[str, Callable[[], Any]] = {
        "agree": lambda: forms.AgreeForm(prefix="agree"),
        "done": lambda: forms.DoneForm(prefix="done", exchange=exchange),
        "confirm": lambda: forms.ConfirmForm(prefix="confirm"),
        "cancel": lambda: forms.CancelForm(prefix="cancel"),
        "dispute": lambda: forms.DisputeForm(prefix="dispute"),
        "resolve": lambda: forms.ResolveForm(prefix="resolve", exchange=exchange),
        "reverse": lambda: forms.ReverseForm(prefix="reverse"),
        "feedback": lambda: forms.FeedbackForm(
            prefix="feedback",
            exchange=exchange,
            author=person,
            may_keep_private=me.on(Side.RECEIVER),
        ),
    }
    for action, make in factories.items():
        if action in bound:
            context[f"{action}_form"] = bound[action]
        elif action in actions:
            context[f"{action}_form"] = make()
    # Conversations (issue 13): the participants' thread and, once agreed, contact details.
    context.update(
        exchange_page_context(
            exchange=exchange,
            person=person,
            membership=getattr(request, "membership", None),
            mark_read=request.method == "GET",  # a refused action's page again writes nothing
        )
    )
    feedback_form = context.get("feedback_form")
    if "feedback" not in bound and feedback_form and not feedback_form.targets:
        del context["feedback_form"]  # everyone has been thanked already
    return context


@login_required
def exchange_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    exchange = exchange_get_for(
        person=current_person(request), timebank=current_timebank(request), public_id=public_id
    )
    return render(request, TEMPLATES + "detail.html", _detail_context(request, exchange))


def _act(
    request: HttpRequest,
    public_id: UUID,
    action: str,
    make_form: Callable[[Exchange], forms.AccessibleForm],
    run: Callable[[Exchange, dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """Validate the action's form, run its service, and go back to the exchange's page; on a
    refusal, show the page again with the message on that form."""
    exchange = exchange_get_for(
        person=current_person(request), timebank=current_timebank(request), public_id=public_id
    )
    form = make_form(exchange)
    if form.is_valid():
        service_on_form(form, run, exchange, form.cleaned_data)
        if not form.errors:
            messages.success(request, success)
            return redirect("exchanges:exchange", public_id=exchange.public_id)
    return render(
        request,
        TEMPLATES + "detail.html",
        _detail_context(request, exchange, **{action: form}),
        status=400,
    )


@login_required
@require_POST
def exchange_agree(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _act(
        request,
        public_id,
        "agree",
        lambda e: forms.AgreeForm(request.POST, prefix="agree"),
        lambda e, d: services.exchange_agree(exchange=e, acting=current_person(request)),
        _("You have agreed. Everyone taking part has been told."),
    )


@login_required
@require_POST
def exchange_done(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _act(
        request,
        public_id,
        "done",
        lambda e: forms.DoneForm(request.POST, prefix="done", exchange=e),
        lambda e, d: services.exchange_mark_done(
            exchange=e, acting=current_person(request), actual_minutes=d["hours"]
        ),
        _("Marked as done. We have asked for it to be confirmed."),
    )


@login_required
@require_POST
def exchange_confirm(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _act(
        request,
        public_id,
        "confirm",
        lambda e: forms.ConfirmForm(request.POST, prefix="confirm"),
        lambda e, d: services.exchange_confirm(exchange=e, acting=current_person(request)),
        _("Thank you for confirming."),
    )


@login_required
@require_POST
def exchange_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _act(
        request,
        public_id,
        "cancel",
        lambda e: forms.CancelForm(request.POST, prefix="cancel"),
        lambda e, d: services.exchange_cancel(
            exchange=e, acting=current_person(request), reason=d["reason"]
        ),
        _("The exchange has been cancelled. Everyone taking part has been told."),
    )


@login_required
@require_POST
def exchange_dispute(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _act(
        request,
        public_id,
        "dispute",
        lambda e: forms.DisputeForm(request.POST, prefix="dispute"),
        lambda e, d: disputes.exchange_dispute(
            exchange=e, acting=current_person(request), reason=d["reason"]
        ),
        _("Thank you for telling us. The coordinator will be in touch."),
    )


@login_required
@require_POST
def exchange_resolve(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _act(
        request,
        public_id,
        "resolve",
        lambda e: forms.ResolveForm(request.POST, prefix="resolve", exchange=e),
        lambda e, d: disputes.exchange_resolve(
            acting=current_person(request),
            exchange=e,
            outcome=d["outcome"],
            note=d["note"],
            minutes=d["hours"],
        ),
        _("The problem has been resolved and both sides have been told."),
    )


@login_required
@require_POST
def exchange_reverse(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _act(
        request,
        public_id,
        "reverse",
        lambda e: forms.ReverseForm(request.POST, prefix="reverse"),
        lambda e, d: disputes.exchange_reverse(
            exchange=e, acting=current_person(request), reason=d["reason"]
        ),
        _("The credits have been reversed."),
    )


@login_required
@require_POST
def exchange_feedback(request: HttpRequest, public_id: UUID) -> HttpResponse:
    def make(exchange: Exchange) -> forms.AccessibleForm:
        me = exchange_standing(exchange=exchange, person=current_person(request))
        return forms.FeedbackForm(
            request.POST,
            prefix="feedback",
            exchange=exchange,
            author=current_person(request),
            may_keep_private=me.on(Side.RECEIVER),
        )

    def run(exchange: Exchange, data: dict[str, Any]) -> object:
        about = data["about"]
        return feedback.feedback_give(
            exchange=exchange,
            author=current_person(request),
            about_person=about if isinstance(about, Person) else None,
            about_organisation=None if isinstance(about, Person) else about,
            message=data["message"],
            private=data.get("private", False),
        )

    return _act(request, public_id, "feedback", make, run, _("Thank you for your thanks."))


@login_required
def exchange_log(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    if not is_coordinator(person=current_person(request), timebank=timebank):
        raise NotFound(_("Page not found."))
    form = forms.LogFinishedForm(
        request.POST if request.method == "POST" else None, timebank=timebank
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        exchange = service_on_form(
            form,
            services.exchange_log_finished,
            timebank=timebank,
            acting=current_person(request),
            provider=data["provider"],
            receiver=data["receiver"],
            title=data["title"],
            category=data["category"],
            minutes=data["hours"],
            done_on=data["done_on"],
            note=data["note"],
        )
        if exchange is not None:
            messages.success(
                request,
                _("The exchange is logged and the credits have moved. Both members will be told."),
            )
            return redirect("exchanges:exchange", public_id=exchange.public_id)
    return render(request, TEMPLATES + "log.html", {"form": form})
