"""Personal access tokens for the API, and the responses kept for `Idempotency-Key` replays.

A token belongs to one person in one time bank: everything a request made with it reads or writes
is scoped to that membership. Only a SHA-256 of the token is stored; the token itself is shown
once, when it is made.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class PersonalAccessToken(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    # Hex SHA-256 of the whole token; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    # The token's first characters, so a person can tell their tokens apart.
    prefix = models.CharField(max_length=16)
    # Space-separated scopes: "read", or "read write".
    scopes = models.CharField(_("scopes"), max_length=40, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("personal access token")
        indexes = [models.Index(fields=["person", "timebank"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def can_write(self) -> bool:
        return Scope.WRITE in self.scope_list


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an `Idempotency-Key`, replayed to its repeats."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token = models.ForeignKey(
        PersonalAccessToken, on_delete=models.PROTECT, related_name="idempotency_records"
    )
    key = models.CharField(max_length=200)
    # SHA-256 of method, path and the (canonical JSON) body: the same key with another request
    # is refused rather than answered with the wrong response.
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The exact bytes of the JSON answered (jsonb would reorder its keys), replayed as they were.
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="one_record_per_token_and_key")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
