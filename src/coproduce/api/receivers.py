"""The API's part in what other apps do: an erased person's tokens are revoked at once, inside
the erasure's transaction (privacy/signals.py)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from coproduce.api.models import PersonalAccessToken
from coproduce.community.models import Person
from coproduce.privacy.signals import person_erased


def _tokens_revoke(sender: Any, *, person: Person, timebank_ids: list[int], **kwargs: Any) -> None:
    PersonalAccessToken.objects.filter(
        person=person, timebank_id__in=timebank_ids, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def connect() -> None:
    person_erased.connect(_tokens_revoke, dispatch_uid="api.tokens_revoke_on_erasure")
