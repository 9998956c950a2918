"""Conversations: mine, one of them with its messages, writing in one, starting one about an
offer or request, writing about an exchange, reporting a message, blocking and unblocking.

Who may read a conversation is `conversations.selectors.conversation_get_for` (its members; a
coordinator only an exchange's thread while it is disputed, and that read is recorded); to
anyone else it does not exist. Reading its messages marks it read, as opening it on the web
does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Schema, Status

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.pagination import CursorPage, CursorParams, Key, page_of_rows
from coproduce.api.schemas import MultiLine, PersonOut, person_out, responses
from coproduce.community.blocks import block_create, block_remove, blocks_by
from coproduce.community.models import Person
from coproduce.conversations import selectors, services
from coproduce.conversations.models import MESSAGE_MAX_LENGTH, Conversation, Message
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.exchanges.models import Offer
from coproduce.exchanges.selectors.exchanges import exchange_get_for
from coproduce.exchanges.selectors.listings import listing_get_for

router = Router(tags=["conversations"])

# Latest message first; a conversation without one yet by when it began.
LATEST_FIRST = (Key("sort_at", "datetime"), Key("pk", "int"))
OLDEST_FIRST = (Key("created_at", "datetime", descending=False), Key("pk", "int", descending=False))


class ConversationOut(Schema):
    public_id: UUID
    subject: str = F(description="The offer's, request's or exchange's title.")
    about: Literal["offer", "request", "exchange"]
    about_id: UUID = F(description="The public id of that offer, request or exchange.")
    people: list[PersonOut] = F(description="Everyone in it but you.")
    unread: int = F(description="Messages from others since you last read it.")
    last_message_at: datetime | None
    created_at: datetime


class ConversationPage(CursorPage):
    items: list[ConversationOut]


class MessageOut(Schema):
    public_id: UUID
    author: PersonOut
    body: str = F(description="Empty when its author's data was erased.")
    erased: bool
    mine: bool
    created_at: datetime


class MessagePage(CursorPage):
    conversation: ConversationOut
    items: list[MessageOut] = F(description="Oldest first, as the thread reads.")


class MessageIn(Schema):
    body: MultiLine = F(min_length=1, max_length=MESSAGE_MAX_LENGTH)


class StartIn(MessageIn):
    offer: UUID | None = F(None, description="Write to the person who offers this.")
    request: UUID | None = F(None, description="Write to the person who asks for this.")


class ReportIn(Schema):
    reason: MultiLine = F(
        min_length=1, max_length=1000, description="What is wrong, for the coordinators."
    )


class ReportOut(Schema):
    public_id: UUID
    message: UUID
    created_at: datetime


def _conversation_out(conversation: Conversation, me: Person, unread: int) -> ConversationOut:
    listing = conversation.listing
    if listing is not None:
        about = "offer" if isinstance(listing, Offer) else "request"
        about_id, subject = listing.public_id, listing.title
    else:
        exchange = conversation.exchange
        assert exchange is not None
        about, about_id, subject = "exchange", exchange.public_id, exchange.title
    return ConversationOut(
        public_id=conversation.public_id,
        subject=subject,
        about=about,  # type: ignore[arg-type]
        about_id=about_id,
        people=[person_out(m.person) for m in conversation.members.all() if m.person_id != me.pk],
        unread=unread,
        last_message_at=conversation.last_message_at,
        created_at=conversation.created_at,
    )


def _message_out(message: Message, me: Person) -> MessageOut:
    erased = message.erased_at is not None
    return MessageOut(
        public_id=message.public_id,
        author=person_out(message.author),
        body="" if erased else message.body,
        erased=erased,
        mine=message.author_id == me.pk,
        created_at=message.created_at,
    )


@router.get(
    "/conversations",
    response=responses({200: ConversationPage}, 400, 422),
    summary="My conversations, the latest message first",
)
def conversations(request: HttpRequest, page: Query[CursorParams]) -> ConversationPage:
    who = caller(request)
    found = selectors.conversations_for(person=who.person, timebank=who.timebank)
    for conversation in found:
        conversation.sort_at = conversation.last_message_at or conversation.created_at  # type: ignore[attr-defined]
    found.sort(key=lambda c: (c.sort_at, c.pk), reverse=True)  # type: ignore[attr-defined]
    rows, next_cursor = page_of_rows(found, LATEST_FIRST, page)
    return ConversationPage(
        items=[_conversation_out(c, who.person, c.unread) for c in rows],  # type: ignore[attr-defined]
        limit=page.limit,
        next_cursor=next_cursor,
    )


@router.get(
    "/conversations/{public_id}/messages",
    response=responses({200: MessagePage}, 400, 404, 422),
    summary="A conversation and its messages, oldest first (marks it read)",
)
def messages(request: HttpRequest, public_id: UUID, page: Query[CursorParams]) -> MessagePage:
    who = caller(request)
    access = selectors.conversation_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    thread = selectors.conversation_messages(access.conversation)
    unread = selectors.conversation_unread_since(thread, access.member)
    rows, next_cursor = page_of_rows(thread, OLDEST_FIRST, page)
    if access.for_dispute:
        services.conversation_read_for_dispute(access=access, acting=who.person)
    elif next_cursor is None:
        services.conversation_mark_read(access=access)
    return MessagePage(
        conversation=_conversation_out(access.conversation, who.person, unread),
        items=[_message_out(m, who.person) for m in rows],
        limit=page.limit,
        next_cursor=next_cursor,
    )


@write_operation(
    router,
    "/conversations/{public_id}/messages",
    response=responses({201: MessageOut}, 404),
    summary="Write in a conversation",
)
def message_send(request: HttpRequest, public_id: UUID, payload: MessageIn) -> Status[MessageOut]:
    who = caller(request)
    access = selectors.conversation_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    if access.for_dispute:
        raise NotFound(_("No such conversation."))
    sent = services.message_send(
        conversation=access.conversation, acting=who.person, body=payload.body
    )
    return Status(201, _message_out(sent, who.person))


@write_operation(
    router,
    "/conversations",
    response=responses({201: ConversationOut}, 404),
    summary="Write to the person behind an offer or request (continues the conversation "
    "already begun about it, if any)",
)
def conversation_start(request: HttpRequest, payload: StartIn) -> Status[ConversationOut]:
    who = caller(request)
    if (payload.offer is None) == (payload.request is None):
        raise ApplicationError(
            _('Name an offer or a request to write about ("offer" or "request").'),
            "offer_or_request",
        )
    kind, public_id = ("offer", payload.offer) if payload.offer else ("request", payload.request)
    listing = listing_get_for(who.person, who.timebank, kind, public_id)  # type: ignore[arg-type]
    conversation = services.conversation_start(
        timebank=who.timebank, acting=who.person, listing=listing, body=payload.body
    )
    access = selectors.conversation_get_for(
        person=who.person, timebank=who.timebank, public_id=conversation.public_id
    )
    return Status(201, _conversation_out(access.conversation, who.person, 0))


@write_operation(
    router,
    "/exchanges/{public_id}/messages",
    response=responses({201: MessageOut}, 404),
    summary="Write in an exchange's thread (to everyone taking part)",
)
def exchange_message(
    request: HttpRequest, public_id: UUID, payload: MessageIn
) -> Status[MessageOut]:
    who = caller(request)
    exchange = exchange_get_for(person=who.person, timebank=who.timebank, public_id=public_id)
    sent = services.exchange_message_send(exchange=exchange, acting=who.person, body=payload.body)
    return Status(201, _message_out(sent, who.person))


@write_operation(
    router,
    "/conversations/{public_id}/messages/{message_id}/report",
    response=responses({201: ReportOut}, 404),
    summary="Tell the coordinators a message is not right",
)
def message_report(
    request: HttpRequest, public_id: UUID, message_id: UUID, payload: ReportIn
) -> Status[ReportOut]:
    who = caller(request)
    access = selectors.conversation_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    message = selectors.message_get_for(access=access, public_id=message_id)
    report = services.message_report(
        access=access, message=message, acting=who.person, reason=payload.reason
    )
    return Status(
        201,
        ReportOut(
            public_id=report.public_id, message=message.public_id, created_at=report.created_at
        ),
    )


class PeoplePage(CursorPage):
    items: list[PersonOut]


BY_USERNAME = (Key("username", "str", descending=False),)


@router.get(
    "/blocks",
    response=responses({200: PeoplePage}, 400, 422),
    summary="The people I have blocked, by username",
)
def blocks(request: HttpRequest, page: Query[CursorParams]) -> PeoplePage:
    found = sorted(blocks_by(caller(request).person), key=lambda p: p.username)
    rows, next_cursor = page_of_rows(found, BY_USERNAME, page)
    return PeoplePage(
        items=[person_out(p) for p in rows], limit=page.limit, next_cursor=next_cursor
    )


@write_operation(
    router,
    "/people/{public_id}/block",
    response=responses({200: PersonOut}, 404),
    summary="Block someone I share a conversation with (they are not told)",
)
def block(request: HttpRequest, public_id: UUID) -> PersonOut:
    who = caller(request)
    other = selectors.conversation_partner_get(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    block_create(blocker=who.person, blocked=other)
    return person_out(other)


@write_operation(
    router,
    "/people/{public_id}/unblock",
    response=responses({200: PersonOut}, 404),
    summary="Lift my block on someone",
)
def unblock(request: HttpRequest, public_id: UUID) -> PersonOut:
    who = caller(request)
    other = next((p for p in blocks_by(who.person) if p.public_id == public_id), None)
    if other is None or not block_remove(blocker=who.person, blocked=other):
        raise NotFound(_("No such person."))
    return person_out(other)
