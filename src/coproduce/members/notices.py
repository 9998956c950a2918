"""A person's notices (core's `Notification`), other than those of new messages: listed
newest first, counted, and marked read. The page (`web/notifications.py`) and the API share them.

A person sees their own notifications from the time bank they are working in (and those that
belong to no time bank, such as account messages); nobody else's, ever.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from coproduce.community.models import Person, TimeBank
from coproduce.conversations.selectors import MESSAGE_NOTICE
from coproduce.core.kept_query import KeptQuery
from coproduce.core.models import Notification


def _mine(*, person: Person, timebank: TimeBank | None) -> QuerySet[Notification]:
    scope = Q(timebank_id__isnull=True)
    if timebank is not None:
        scope |= Q(timebank_id=timebank.pk)
    return Notification.objects.filter(scope, person=person)


def notifications_for(*, person: Person, timebank: TimeBank | None) -> QuerySet[Notification]:
    """A person's notices in the time bank they are working in, newest first (not those of new
    messages, which "Messages" shows)."""
    return (
        _mine(person=person, timebank=timebank)
        .exclude(kind=MESSAGE_NOTICE)
        .order_by("-created_at", "-id")
    )


def notifications_unread_count(*, person: Person, timebank: TimeBank | None) -> int:
    return notifications_for(person=person, timebank=timebank).filter(read_at__isnull=True).count()


def _unread(person_id: int, timebank_id: int, in_bank: bool) -> QuerySet[Any, Any]:
    scope = Q(timebank_id__isnull=True)
    if in_bank:
        scope |= Q(timebank_id=timebank_id)
    # Grouped by the one person, so the counts come back as a row (none: no unread ones).
    return (
        Notification.objects.filter(scope, person_id=person_id, read_at__isnull=True)
        .values("person_id")
        .annotate(
            notices=Count("pk", filter=~Q(kind=MESSAGE_NOTICE)),
            messages=Count("pk", filter=Q(kind=MESSAGE_NOTICE)),
        )
    )


# Every signed-in page counts them for the menu: the SQL is kept (`core.kept_query`), run with
# the person's and the time bank's ids.
_unread_kept: KeptQuery[dict[str, int]] = KeptQuery(
    Notification, _unread, ids=("person_id", "timebank_id")
)


def unread_counts(*, person: Person, timebank: TimeBank | None) -> tuple[int, int]:
    """Unread notices, and conversations with unread messages (each has one unread notice while
    it does): one query for both menu counts."""
    rows = _unread_kept(
        person_id=person.pk,
        timebank_id=timebank.pk if timebank is not None else 0,
        in_bank=timebank is not None,
    )
    if not rows:
        return 0, 0
    return rows[0]["notices"], rows[0]["messages"]


@transaction.atomic
def notifications_mark_all_read(*, person: Person, timebank: TimeBank | None) -> int:
    """Mark every unread notification read; returns how many were."""
    return (
        notifications_for(person=person, timebank=timebank)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
