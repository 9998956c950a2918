"""Writing in conversations: starting one about a listing, writing a message (in a private
conversation or an exchange's thread), marking a thread read, a coordinator's audited read for a
dispute, and reporting a message.

A new message tells each other member once: one notice (in the app, and by email if they chose
email) while the conversation has something they have not read, never one per message. Messages
are plain text under the typed-text rule, at most `MESSAGE_MAX_LENGTH` characters, and a person
may write at most `MESSAGES_PER_PERSON` within its window (core.throttle), so nobody can flood
another's inbox.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.blocks import is_blocked_between
from coproduce.community.models import Person, TimeBank
from coproduce.community.permissions import coordinators_of
from coproduce.community.selectors import membership_get
from coproduce.conversations.models import (
    MESSAGE_MAX_LENGTH,
    Conversation,
    ConversationMember,
    Message,
    MessageReport,
)
from coproduce.conversations.selectors import (
    MESSAGE_NOTICE,
    REPORT_NOTICE,
    Access,
    conversation_for_listing,
)
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, NotFound, PermissionDenied
from coproduce.core.models import Notification
from coproduce.core.notifications import notify
from coproduce.core.text import validate_multi_line
from coproduce.core.throttle import Limit, throttle_record, throttle_refuses
from coproduce.exchanges.models import Exchange, ListingStatus, Offer, Request

# Thirty messages in ten minutes is a lively conversation; more is a script or a flood.
MESSAGES_PER_PERSON = Limit("message-person", 30, timedelta(minutes=10))
REPORT_MAX_LENGTH = 1000


def conversation_url(conversation: Conversation) -> str:
    return reverse("conversations:conversation", args=[conversation.public_id])


def _clean(body: str, *, max_length: int = MESSAGE_MAX_LENGTH) -> str:
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Write a message first."), "empty")
    if len(body) > max_length:
        raise ApplicationError(
            _("A message can be at most %(max)d characters; this one has %(count)d.")
            % {"max": max_length, "count": len(body)},
            "too_long",
        )
    try:
        validate_multi_line(body)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], "control_character") from None
    return body


def _refuse_blocked(acting: Person, others: list[Person]) -> None:
    if any(is_blocked_between(acting, other) for other in others):
        raise PermissionDenied(_("You cannot send messages to this person."), "blocked")


@transaction.atomic
def conversation_start(
    *, timebank: TimeBank, acting: Person, listing: Offer | Request, body: str
) -> Conversation:
    """`acting` writes to the author of `listing` about it: the first message of a private
    conversation between the two, or the next one if they already have it."""
    existing = conversation_for_listing(listing=listing, person=acting)
    if existing is not None:
        message_send(conversation=existing, acting=acting, body=body)
        return existing
    author = listing.person
    if author is None or listing.timebank_id != timebank.pk:
        raise ApplicationError(_("This listing has no one to write to."), "no_author")
    if author.pk == acting.pk:
        raise ApplicationError(_("This is your own listing."), "own_listing")
    membership = membership_get(person=acting, timebank=timebank)
    if membership is None or not membership.can_trade:
        raise PermissionDenied(
            _("Only active members of the time bank can send messages."), "not_active"
        )
    if listing.status != ListingStatus.ACTIVE:
        raise ApplicationError(_("This listing is no longer open."), "listing_closed")
    _refuse_blocked(acting, [author])
    body = _clean(body)
    about: dict[str, Offer | Request] = (
        {"offer": listing} if isinstance(listing, Offer) else {"request": listing}
    )
    try:
        with transaction.atomic():  # a double click: the second finds the first's conversation
            conversation = Conversation.objects.create(
                timebank=timebank, started_by=acting, **about
            )
    except IntegrityError:
        conversation = Conversation.objects.get(started_by=acting, **about)
    else:
        ConversationMember.objects.bulk_create(
            [
                ConversationMember(conversation=conversation, person=acting),
                ConversationMember(conversation=conversation, person=author),
            ]
        )
    message_send(conversation=conversation, acting=acting, body=body)
    return conversation


@transaction.atomic
def exchange_message_send(*, exchange: Exchange, acting: Person, body: str) -> Message:
    """A message in the thread of `exchange`, from one of the people taking part; the thread
    is made with the first message."""
    people = [p.person for p in exchange.participants.all() if p.person is not None]
    if acting.pk not in {p.pk for p in people}:
        raise PermissionDenied(
            _("Only the people taking part can write about this exchange."), "not_participant"
        )
    conversation = Conversation.objects.filter(exchange=exchange).first()
    if conversation is None:
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    timebank_id=exchange.timebank_id, started_by=acting, exchange=exchange
                )
        except IntegrityError:
            conversation = Conversation.objects.get(exchange=exchange)
    known = set(conversation.members.values_list("person_id", flat=True))
    ConversationMember.objects.bulk_create(
        [
            ConversationMember(conversation=conversation, person=p)
            for p in people
            if p.pk not in known
        ],
        ignore_conflicts=True,
    )
    return message_send(conversation=conversation, acting=acting, body=body)


@transaction.atomic
def message_send(*, conversation: Conversation, acting: Person, body: str) -> Message:
    """`acting`, a member of the conversation, writes in it; each other member who had read
    everything is told (one notice until they read it)."""
    members = list(conversation.members.select_related("person"))
    if acting.pk not in {m.person_id for m in members}:
        raise NotFound(_("No such conversation."))
    others = [m.person for m in members if m.person_id != acting.pk]
    _refuse_blocked(acting, others)
    body = _clean(body)
    key = str(acting.pk)
    if throttle_refuses(MESSAGES_PER_PERSON, key):
        raise ApplicationError(
            _("You have sent many messages in the last few minutes. Wait a little and try again."),
            "too_many",
        )
    throttle_record(MESSAGES_PER_PERSON, key)
    message = Message.objects.create(conversation=conversation, author=acting, body=body)
    now = message.created_at
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    conversation.last_message_at = now
    ConversationMember.objects.filter(conversation=conversation, person=acting).update(
        last_read_at=now
    )
    url = conversation_url(conversation)
    waiting = set(
        Notification.objects.filter(
            person__in=others, kind=MESSAGE_NOTICE, url=url, read_at__isnull=True
        ).values_list("person_id", flat=True)
    )
    subject = _subject(conversation)
    for person in others:
        if person.pk in waiting:
            continue  # they have not read the last one yet: no second notice
        notify(
            person=person,
            kind=MESSAGE_NOTICE,
            message=lambda: (
                _("%(name)s sent you a message about “%(subject)s”.")
                % {"name": acting.display_name, "subject": subject}
            ),
            url=url,
            timebank=conversation.timebank,
            subject=lambda: _("A message from %(name)s") % {"name": acting.display_name},
        )
    return message


def _subject(conversation: Conversation) -> str:
    listing = conversation.listing
    if listing is not None:
        return listing.title
    assert conversation.exchange is not None
    return conversation.exchange.title


@transaction.atomic
def conversation_mark_read(*, access: Access) -> None:
    """The member has seen everything in the conversation: their marker moves to now and the
    notice about it is read. Nothing is written when there was nothing new."""
    member = access.member
    conversation = access.conversation
    if member is None:
        return
    last = conversation.last_message_at
    if member.pk is None:  # someone taking part in the exchange, opening its thread first
        member, _created = ConversationMember.objects.get_or_create(
            conversation=conversation, person_id=member.person_id
        )
    if last is not None and (member.last_read_at is None or member.last_read_at < last):
        now = timezone.now()
        ConversationMember.objects.filter(pk=member.pk).update(last_read_at=now)
        member.last_read_at = now
        Notification.objects.filter(
            person_id=member.person_id,
            kind=MESSAGE_NOTICE,
            url=conversation_url(conversation),
            read_at__isnull=True,
        ).update(read_at=now)


def conversation_read_for_dispute(*, access: Access, acting: Person) -> None:
    """A coordinator reads an exchange's thread to resolve its dispute: always recorded."""
    conversation = access.conversation
    audit_record(
        action="conversation.read_for_dispute",
        actor=acting,
        timebank_id=conversation.timebank_id,
        target=f"conversation:{conversation.public_id}",
        data={"exchange": str(conversation.exchange.public_id) if conversation.exchange else ""},
    )


@transaction.atomic
def message_report(
    *, access: Access, message: Message, acting: Person, reason: str
) -> MessageReport:
    """A member tells the coordinators that a message in their conversation is not right."""
    if access.for_dispute or message.conversation_id != access.conversation.pk:
        raise NotFound(_("No such message."))
    if message.author_id == acting.pk:
        raise ApplicationError(_("You cannot report your own message."), "own_message")
    reason = _clean(reason, max_length=REPORT_MAX_LENGTH)
    existing = MessageReport.objects.filter(message=message, reported_by=acting).first()
    if existing is not None:
        return existing
    conversation = access.conversation
    report = MessageReport.objects.create(
        timebank_id=conversation.timebank_id, message=message, reported_by=acting, reason=reason
    )
    audit_record(
        action="conversation.message_reported",
        actor=acting,
        timebank_id=conversation.timebank_id,
        target=f"message:{message.public_id}",
    )
    for coordinator in coordinators_of(conversation.timebank):
        notify(
            person=coordinator,
            kind=REPORT_NOTICE,
            message=lambda: _("A member reported a message. Please look at it."),
            url=reverse("conversations:reports"),
            timebank=conversation.timebank,
        )
    return report


def reports_viewed(*, timebank: TimeBank, acting: Person, count: int) -> None:
    """Opening the list of reported messages is recorded (it shows members' messages)."""
    audit_record(
        action="conversation.reports_viewed",
        actor=acting,
        timebank_id=timebank.pk,
        target="page:conversations:reports",
        data={"reports": count},
    )


def messages_erase(*, person: Person, timebank_ids: list[int]) -> int:
    """An erased person's messages in those time banks keep their place in each thread but lose
    their words; their reasons for reports go too."""
    now = timezone.now()
    count = Message.objects.filter(
        author=person, conversation__timebank_id__in=timebank_ids, erased_at__isnull=True
    ).update(body="", erased_at=now)
    MessageReport.objects.filter(reported_by=person, timebank_id__in=timebank_ids).update(reason="")
    return count
