"""Conversations between members (issue 13): a private thread about an offer or a request, or
the thread of an exchange's participants; its messages, each person's read marker, and reports.

Who may read a conversation is decided in one place (`selectors.conversation_get_for`): its
members, and a coordinator of its time bank only while its exchange is disputed (that read is
audited). Nobody else, site administrators included. Messages are plain text; insights never
reads them.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coproduce.community.models import Person, TimeBank
from coproduce.exchanges.models import Exchange, Offer, Request

# Long enough for a careful message, short enough that nobody pastes a document.
MESSAGE_MAX_LENGTH = 2000


class Conversation(models.Model):
    """About one listing (started by `started_by` with its author) or one exchange (its
    participants). Exactly one of offer, request and exchange is set."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    timebank = models.ForeignKey(TimeBank, on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exchange = models.ForeignKey(
        Exchange, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(offer__isnull=False, request__isnull=True, exchange__isnull=True)
                    | Q(offer__isnull=True, request__isnull=False, exchange__isnull=True)
                    | Q(offer__isnull=True, request__isnull=True, exchange__isnull=False)
                ),
                name="conversation_about_one_thing",
            ),
            # One thread per exchange; one private conversation per listing and person asking.
            models.UniqueConstraint(
                fields=["exchange"], condition=Q(exchange__isnull=False), name="one_exchange_thread"
            ),
            models.UniqueConstraint(
                fields=["offer", "started_by"],
                condition=Q(offer__isnull=False),
                name="one_conversation_per_offer_and_person",
            ),
            models.UniqueConstraint(
                fields=["request", "started_by"],
                condition=Q(request__isnull=False),
                name="one_conversation_per_request_and_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.public_id}"

    @property
    def listing(self) -> Offer | Request | None:
        return self.offer or self.request


class ConversationMember(models.Model):
    """One person in a conversation, with how far they have read."""

    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "person"], name="one_membership_per_conversation"
            )
        ]
        indexes = [models.Index(fields=["person", "conversation"])]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.conversation_id}"


class Message(models.Model):
    """A message: plain text, never HTML. Erasing its author blanks the body (`erased_at`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="messages"
    )
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"Message {self.public_id}"


class MessageReport(models.Model):
    """A member telling the coordinators that a message is not right. The coordinators see the
    reported message (and only it) in their list of reports; opening the list is audited."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    timebank = models.ForeignKey(TimeBank, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="reports")
    reported_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("what is wrong"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reported_by"], name="one_report_per_message_and_person"
            )
        ]
        indexes = [models.Index(fields=["timebank", "created_at"])]

    def __str__(self) -> str:
        return f"Report {self.public_id}"
