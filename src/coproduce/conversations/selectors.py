"""Reading conversations: who may open one, a person's list with unread counts, a thread's
messages, and the coordinators' list of reported messages.

`conversation_get_for` is the one door: members of the conversation read it; a coordinator of
its time bank reads an exchange's thread only while that exchange is disputed (the caller
records the read, `services.conversation_read_for_dispute`); everyone else, site administrators
included, is told it does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from coproduce.community.models import Person, TimeBank
from coproduce.community.permissions import is_coordinator
from coproduce.conversations.models import (
    Conversation,
    ConversationMember,
    Message,
    MessageReport,
)
from coproduce.core.errors import NotFound
from coproduce.exchanges.models import Exchange, ExchangeStatus, Offer, Request

# The notice a new message leaves (one per conversation while it is unread); the menu's
# "Messages (n)" counts these, so the count costs no query of its own.
MESSAGE_NOTICE = "conversation.message"
REPORT_NOTICE = "conversation.report"


@dataclass(frozen=True)
class Access:
    """How a person reaches a conversation: as one of its members, or as a coordinator
    resolving a dispute on its exchange (read only, audited)."""

    conversation: Conversation
    member: ConversationMember | None

    @property
    def for_dispute(self) -> bool:
        return self.member is None


def _conversations() -> QuerySet[Conversation]:
    return Conversation.objects.select_related(
        "offer__person", "request__person", "exchange", "timebank"
    ).prefetch_related(
        Prefetch("members", queryset=ConversationMember.objects.select_related("person"))
    )


def conversation_get_for(*, person: Person, timebank: TimeBank, public_id: uuid.UUID) -> Access:
    conversation = _conversations().filter(timebank=timebank, public_id=public_id).first()
    if conversation is None:
        raise NotFound(_("No such conversation."))
    access = conversation_access(conversation=conversation, person=person)
    if access is None:
        raise NotFound(_("No such conversation."))
    return access


def conversation_access(*, conversation: Conversation, person: Person) -> Access | None:
    """How `person` may read `conversation`, or None. An exchange's thread is open to the
    people taking part in the exchange (even before they first wrote in it)."""
    member = next((m for m in conversation.members.all() if m.person_id == person.pk), None)
    if member is not None:
        return Access(conversation, member)
    exchange = conversation.exchange
    if exchange is None:
        return None
    if exchange.participants.filter(person=person).exists():
        return Access(conversation, ConversationMember(conversation=conversation, person=person))
    if exchange.status == ExchangeStatus.DISPUTED and is_coordinator(
        person=person, timebank=conversation.timebank_id
    ):
        return Access(conversation, None)
    return None


def conversation_messages(conversation: Conversation) -> list[Message]:
    """Every message of the thread, oldest first, with its author (one query)."""
    return list(
        Message.objects.filter(conversation=conversation)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def conversation_unread_since(messages: list[Message], member: ConversationMember | None) -> int:
    """How many of `messages` arrived after the member last read (their own never count)."""
    if member is None:
        return 0
    return sum(
        1
        for m in messages
        if m.author_id != member.person_id
        and (member.last_read_at is None or m.created_at > member.last_read_at)
    )


def conversations_for(*, person: Person, timebank: TimeBank) -> list[Conversation]:
    """A person's conversations in the time bank, latest first, each with `unread` (messages
    from others since they last read) and its members (two queries, however many)."""
    read = ConversationMember.objects.filter(conversation=OuterRef("pk"), person=person).values(
        "last_read_at"
    )[:1]
    return list(
        _conversations()
        .filter(timebank=timebank, members__person=person)
        .annotate(my_last_read=Subquery(read))
        .annotate(
            unread=Count(
                "messages",
                filter=~Q(messages__author=person)
                & (Q(my_last_read__isnull=True) | Q(messages__created_at__gt=F("my_last_read"))),
            )
        )
        .order_by(F("last_message_at").desc(nulls_last=True), "-pk")
    )


def conversation_for_listing(*, listing: Offer | Request, person: Person) -> Conversation | None:
    """The private conversation `person` started about `listing`, if any."""
    about: dict[str, Offer | Request] = (
        {"offer": listing} if isinstance(listing, Offer) else {"request": listing}
    )
    return Conversation.objects.filter(started_by=person, **about).first()


def exchange_thread(exchange: Exchange) -> Conversation | None:
    return _conversations().filter(exchange=exchange).first()


def message_get_for(*, access: Access, public_id: uuid.UUID) -> Message:
    """A message of a conversation the person reads as a member."""
    message = Message.objects.filter(conversation=access.conversation, public_id=public_id).first()
    if message is None or access.for_dispute:
        raise NotFound(_("No such message."))
    return message


def conversation_partner_get(*, person: Person, timebank: TimeBank, public_id: uuid.UUID) -> Person:
    """Someone `person` shares a conversation with in this time bank (whom they may block)."""
    shared = ConversationMember.objects.filter(
        person=OuterRef("pk"),
        conversation__timebank=timebank,
        conversation__members__person=person,
    )
    other = (
        Person.objects.filter(public_id=public_id)
        .exclude(pk=person.pk)
        .filter(Exists(shared))
        .first()
    )
    if other is None:
        raise NotFound(_("No such person."))
    return other


def reports_for(*, timebank: TimeBank) -> list[MessageReport]:
    """Reported messages of the time bank, newest first, for its coordinators (one query)."""
    return list(
        MessageReport.objects.filter(timebank=timebank)
        .select_related("message__author", "reported_by")
        .order_by("-created_at", "-pk")
    )


def messages_written_by(person: Person) -> QuerySet[Message]:
    """Everything a person wrote (their data download)."""
    return (
        Message.objects.filter(author=person)
        .select_related("conversation__timebank")
        .order_by("created_at", "pk")
    )
