"""The audit log (who did what, on whose behalf, with the old and new values), notifications, and
attempts at things that are limited.

Core is the ground floor and imports no app, so these rows name their time bank by id
(`timebank_id`, indexed) rather than by a foreign key to `community.TimeBank`; the people are
`settings.AUTH_USER_MODEL`, Django's swappable reference, which is no import. An audit row must
outlive anything it speaks of, so nothing it names can hold it back or take it away.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    # Indexed by the (timebank_id, action, created_at) index below, which begins with it.
    timebank_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Indexed where set only (see Meta): most acts are on nobody's behalf (core 0007).
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=100, blank=True, help_text="type:public id of the thing")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["timebank_id", "action", "created_at"],
                name="core_audite_timeban_516b20_idx",
            ),
            models.Index(
                fields=["on_behalf_of"],
                name="core_auditevent_on_behalf",
                condition=models.Q(on_behalf_of__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class Notification(models.Model):
    """Something a person should know: shown in the app, and emailed if they chose that.
    `timebank_id` is the time bank it belongs to (None: every time bank)."""

    timebank_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    message = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.message[:60]


class Attempt(models.Model):
    """One attempt at something that is limited per person or address (`core.throttle`): a
    failed sign-in, an application to join. Only a keyed hash of the username or address is
    kept, and rows older than a day are pruned as new ones come."""

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"])]

    def __str__(self) -> str:
        return f"{self.scope} at {self.at:%Y-%m-%d %H:%M}"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "queued"  # recorded, waiting for its transaction to commit
    SENDING = "sending", "sending"  # claimed by one sender; never claimed again
    SENT = "sent", "sent"
    FAILED = "failed", "failed"  # the mail server refused or was down; `mail_retry` tries again


class OutgoingEmail(models.Model):
    """One email, recorded in the transaction of the action that sends it and delivered when it
    commits (`core.mail`). A failure is kept here with its error instead of breaking the action,
    and `coproduce manage mail_retry` tries again. Rows are pruned by `prune_personal_data`."""

    timebank_id = models.BigIntegerField(null=True, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outgoing_emails",
    )
    kind = models.CharField(max_length=40)
    to_address = models.EmailField(max_length=254)
    from_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=8, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A random value the sender that moved the row to `sending` writes, to find what it claimed.
    claim = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} email {self.pk} ({self.status})"
