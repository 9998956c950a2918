"""The public profile's reads, their SQL kept once per process and shape (`core.kept_query`).

Building and compiling these querysets took more of the profile page's CPU than running them
(issue 17, round 21). `community.selectors` decides who may see what; these only read: the
membership behind a public id (with its safeguarding pause), the current checks' kinds, the
public thanks, and whether two people agreed an exchange.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

from coproduce.community.models import Membership, Person, SafeguardingCheck
from coproduce.community.safeguarding import is_paused_q
from coproduce.core.kept_query import KeptQuery

# The exchange statuses that mean two people have agreed to help each other (agreed, done,
# confirmed, and disputed after done). Spelled out because community may not import exchanges;
# tests/community/test_contact_visibility.py checks them against exchanges.models.ExchangeStatus.
AGREED_EXCHANGE_STATUSES = ("agreed", "done", "confirmed", "disputed")


def profile_membership_query(*, timebank_id: int, public_id: UUID | str) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(timebank_id=timebank_id, person__public_id=public_id)
        .select_related("person")
        # Under a safeguarding pause a member is out of other members' sight, like their
        # listings; read in the same query.
        .annotate(safeguarding_paused=is_paused_q())
        .order_by("pk")[:1]  # `.first()`
    )


profile_membership: KeptQuery[Membership] = KeptQuery(
    Membership, profile_membership_query, ids=("timebank_id",), uuids=("public_id",)
)


def checks_current_query(*, timebank_id: int, person_id: int, today: date) -> QuerySet[Any]:
    return (
        SafeguardingCheck.objects.filter(timebank_id=timebank_id, person_id=person_id)
        # The same rule as community.safeguarding.current_checks: on its expiry date it is over.
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))
        .values("kind", "expires_on")
    )


# The day is part of the shape (a date, not a moment): a new day compiles its SQL once.
checks_current: KeptQuery[dict[str, Any]] = KeptQuery(
    SafeguardingCheck, checks_current_query, ids=("timebank_id", "person_id")
)


def thanks_public_query(*, person_id: int, timebank_id: int, limit: int) -> QuerySet[Any]:
    # `person.feedback_received` as a plain queryset of its model: a related manager's
    # queryset carries its person, which a kept query cannot.
    received = Person._meta.get_field("feedback_received")
    return (
        received.related_model._default_manager.filter(  # type: ignore[union-attr]
            **{received.field.attname: person_id},  # type: ignore[union-attr]
            timebank_id=timebank_id,
            private=False,
        )
        .select_related("author")
        .order_by("-created_at")[:limit]
    )


thanks_public: KeptQuery[Any] = KeptQuery(
    Person, thanks_public_query, ids=("person_id", "timebank_id")
)


def agreed_part_query(*, person_id: int, other_id: int, timebank_id: int) -> QuerySet[Any]:
    # `person.exchange_parts` as a plain queryset of its model (see `thanks_public_query`);
    # one part's id for `.exists()`.
    parts = Person._meta.get_field("exchange_parts")
    return parts.related_model._default_manager.filter(  # type: ignore[union-attr]
        **{parts.field.attname: person_id},  # type: ignore[union-attr]
        timebank_id=timebank_id,
        exchange__status__in=AGREED_EXCHANGE_STATUSES,
        exchange__participants__person_id=other_id,
    ).values("pk")[:1]


agreed_part: KeptQuery[dict[str, Any]] = KeptQuery(
    Person, agreed_part_query, ids=("person_id", "other_id", "timebank_id")
)
