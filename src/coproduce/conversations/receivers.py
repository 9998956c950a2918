"""Conversations' part in an erasure (privacy/signals.py): the erased person's messages lose
their words inside the erasure's transaction."""

from __future__ import annotations

from typing import Any

from coproduce.community.models import Person
from coproduce.conversations.services import messages_erase
from coproduce.privacy.signals import person_erased


def _messages_erase(sender: Any, *, person: Person, timebank_ids: list[int], **kwargs: Any) -> None:
    messages_erase(person=person, timebank_ids=timebank_ids)


def connect() -> None:
    person_erased.connect(_messages_erase, dispatch_uid="conversations.messages_erase_on_erasure")
