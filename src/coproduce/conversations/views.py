"""Pages for conversations (mounted at /messages/): my conversations, one conversation with a
form to write, writing to a listing's author, writing in an exchange's thread, reporting a
message, blocking and unblocking, and the coordinators' list of reported messages.

Each view is thin: find the conversation through `conversation_get_for` (scoped to the person
and the current time bank: anyone who may not read it gets the same 404 as for one that does not
exist), validate a form, call one service, redirect.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coproduce.community.blocks import block_create, block_remove, blocks_by, is_blocked_between
from coproduce.community.models import Person
from coproduce.community.permissions import membership_is_coordinator, require_coordinator
from coproduce.conversations import selectors, services
from coproduce.conversations.forms import MessageForm, ReportForm
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_membership, current_person, current_timebank
from coproduce.exchanges.models import Offer
from coproduce.exchanges.selectors.exchanges import exchange_get_for
from coproduce.exchanges.selectors.listings import listing_get_for

T = "conversations/"


@login_required
@require_GET
def conversation_list(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    timebank = current_timebank(request)
    return render(
        request,
        T + "list.html",
        {
            "conversations": selectors.conversations_for(person=person, timebank=timebank),
            "blocked": blocks_by(person),
            "is_coordinator": membership_is_coordinator(current_membership(request)),
        },
    )


def _conversation_page(
    request: HttpRequest,
    access: selectors.Access,
    form: MessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    person = current_person(request)
    conversation = access.conversation
    thread = selectors.conversation_messages(conversation)
    unread = selectors.conversation_unread_since(thread, access.member)
    if access.for_dispute:
        services.conversation_read_for_dispute(access=access, acting=person)
    elif request.method == "GET":
        services.conversation_mark_read(access=access)
    others = [m.person for m in conversation.members.all() if m.person_id != person.pk]
    listing = conversation.listing
    # The person who wrote to the listing's author may turn the conversation into a proposal.
    may_propose = (
        listing is not None
        and conversation.started_by_id == person.pk
        and listing.person_id != person.pk
        and not any(is_blocked_between(person, other) for other in others)
    )
    return render(
        request,
        T + "conversation.html",
        {
            "conversation": conversation,
            "listing": listing,
            "kind": "offer" if isinstance(listing, Offer) else "request",
            "thread_messages": thread,
            "unread": unread,
            "others": others,
            "for_dispute": access.for_dispute,
            "may_report": not access.for_dispute,
            "form": form if form is not None else MessageForm(prefix="message"),
            "may_propose": may_propose,
        },
        status=status,
    )


@login_required
def conversation_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    person, timebank = current_person(request), current_timebank(request)
    access = selectors.conversation_get_for(person=person, timebank=timebank, public_id=public_id)
    if request.method != "POST":
        return _conversation_page(request, access)
    if access.for_dispute:
        raise NotFound(_("No such conversation."))
    form = MessageForm(request.POST, prefix="message")
    if form.is_valid():
        sent = service_on_form(
            form,
            services.message_send,
            conversation=access.conversation,
            acting=person,
            body=form.cleaned_data["body"],
        )
        if sent is not None:
            return redirect(reverse("conversations:conversation", args=[public_id]) + "#latest")
    return _conversation_page(request, access, form, status=400)


@login_required
def conversation_start(request: HttpRequest, kind: str, public_id: UUID) -> HttpResponse:
    """ "Send a message" on an offer or request: the form for a first message, or the
    conversation already begun about it."""
    person, timebank = current_person(request), current_timebank(request)
    listing = listing_get_for(person, timebank, kind, public_id)  # type: ignore[arg-type]
    membership = current_membership(request)
    if membership is None or not membership.can_trade:  # as for proposing: active people only
        raise NotFound(_("No such listing."))
    if listing.person_id is None or listing.person_id == person.pk:
        raise NotFound(_("No such listing."))
    existing = selectors.conversation_for_listing(listing=listing, person=person)
    if existing is not None and request.method != "POST":
        return redirect("conversations:conversation", public_id=existing.public_id)
    form = MessageForm(request.POST if request.method == "POST" else None, prefix="message")
    if request.method == "POST" and form.is_valid():
        conversation = service_on_form(
            form,
            services.conversation_start,
            timebank=timebank,
            acting=person,
            listing=listing,
            body=form.cleaned_data["body"],
        )
        if conversation is not None:
            messages.success(request, _("Your message has been sent."))
            return redirect("conversations:conversation", public_id=conversation.public_id)
    return render(
        request,
        T + "start.html",
        {"form": form, "listing": listing, "kind": kind},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def exchange_write(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The form on an exchange's page: a message in its thread."""
    person, timebank = current_person(request), current_timebank(request)
    exchange = exchange_get_for(person=person, timebank=timebank, public_id=public_id)
    if not any(p.person_id == person.pk for p in exchange.participants.all()):
        raise NotFound(_("No such exchange."))  # a coordinator taking no part does not write
    form = MessageForm(request.POST, prefix="message")
    exchange_url = reverse("exchanges:exchange", args=[exchange.public_id])
    if form.is_valid():
        sent = service_on_form(
            form,
            services.exchange_message_send,
            exchange=exchange,
            acting=person,
            body=form.cleaned_data["body"],
        )
        if sent is not None:
            return redirect(exchange_url + "#latest")
    return render(
        request,
        T + "exchange_write.html",
        {"form": form, "exchange": exchange, "exchange_url": exchange_url},
        status=400,
    )


@login_required
def message_report(request: HttpRequest, public_id: UUID, message_id: UUID) -> HttpResponse:
    person, timebank = current_person(request), current_timebank(request)
    access = selectors.conversation_get_for(person=person, timebank=timebank, public_id=public_id)
    message = selectors.message_get_for(access=access, public_id=message_id)
    if message.author_id == person.pk:
        raise NotFound(_("No such message."))
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        report = service_on_form(
            form,
            services.message_report,
            access=access,
            message=message,
            acting=person,
            reason=form.cleaned_data["reason"],
        )
        if report is not None:
            messages.success(
                request, _("Thank you. The coordinators will look at the message you reported.")
            )
            return redirect("conversations:conversation", public_id=public_id)
    return render(
        request,
        T + "report.html",
        {"form": form, "message": message, "conversation": access.conversation},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    person, timebank = current_person(request), current_timebank(request)
    require_coordinator(person=person, timebank=timebank)
    found = selectors.reports_for(timebank=timebank)
    services.reports_viewed(timebank=timebank, acting=person, count=len(found))
    return render(request, T + "reports.html", {"reports": found})


@login_required
@require_POST
def block(request: HttpRequest, public_id: UUID) -> HttpResponse:
    person = current_person(request)
    other = selectors.conversation_partner_get(
        person=person, timebank=current_timebank(request), public_id=public_id
    )
    try:
        block_create(blocker=person, blocked=other)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "You have blocked %(name)s. You cannot message, propose to or be suggested to "
                "each other. They are not told."
            )
            % {"name": other.display_name},
        )
    return redirect("conversations:list")


@login_required
@require_POST
def unblock(request: HttpRequest, public_id: UUID) -> HttpResponse:
    person = current_person(request)
    other = Person.objects.filter(public_id=public_id).first()
    if other is None or not block_remove(blocker=person, blocked=other):
        raise NotFound(_("No such person."))
    messages.success(request, _("You have unblocked %(name)s.") % {"name": other.display_name})
    return redirect("conversations:list")
