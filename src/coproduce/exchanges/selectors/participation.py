"""Members by how they take part in exchanges, for the coordinator's dashboard
(coordination.selectors): who has had no exchange lately, and who only gives or only receives.

Each is one queryset computed in the database, never a Python loop over members. Only members
in the `member` role count: coordinators, professionals and administrators are there to help,
and these lists are about the people the time bank is for.
"""

from __future__ import annotations

import operator
from datetime import UTC, datetime
from functools import reduce

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, NullIf

from coproduce.community.models import Membership, MembershipStatus, Person, Role, TimeBank
from coproduce.exchanges.models import Exchange, Participant, PersonActivity, Side
from coproduce.exchanges.selectors.exchanges import OPEN_STATUSES

_NEVER = datetime(1900, 1, 1, tzinfo=UTC)


def _trading_members(timebank: TimeBank) -> QuerySet[Membership]:
    return Membership.objects.filter(
        timebank=timebank, status=MembershipStatus.ACTIVE, role=Role.MEMBER
    )


def members_quiet_since(*, timebank: TimeBank, since: datetime) -> QuerySet[Membership]:
    """Members who joined before `since` and have taken part in no exchange (confirmed, or
    still under way) since then, or never, annotated with `last_exchange`. Those who never had
    one come first, then the longest quiet."""
    # The last time an exchange of theirs moved: it is confirmed after it is done, done after
    # it is agreed, agreed after it is proposed. Confirmed exchanges count in the time bank of
    # the person's side (a member's exchange with a partner bank counts at home), as in
    # PersonActivity; those still under way are the time bank's own, from its side.
    #
    # Active lately: in a confirmed exchange, read from PersonActivity (one row per person,
    # written on confirmation), or in one still under way, driven from the few exchanges in
    # each open status; not a pass over every participation in the time bank (about 200 ms at
    # 10,000 members on a loaded machine). One list per status: given the statuses together,
    # SQLite reckons an average status's share of rows for each and scans every exchange.
    # A NOT IN list must hold no NULL, hence organisations' rows are left out.
    confirmed_lately = PersonActivity.objects.filter(timebank=timebank).filter(
        Q(last_gave_at__gte=since) | Q(last_received_at__gte=since)
    )
    moving = Exchange.objects.annotate(
        moved=Coalesce("confirmed_at", "done_at", "agreed_at", "created_at")
    ).filter(timebank=timebank, moved__gte=since)
    under_way = [
        Participant.objects.filter(
            exchange_id__in=moving.filter(status=status).values("id"),
            timebank=timebank,
            person__isnull=False,
        ).values("person_id")
        for status in OPEN_STATUSES
    ]
    # Shown on the row ("last exchange 3 months ago") and ordered by: the later of their last
    # confirmed exchange (PersonActivity) and their last one still under way, found among
    # their unconfirmed participations (few) on the index that holds exchange_confirmed_at.
    open_latest = (
        Participant.objects.filter(
            person=OuterRef("person"),
            side__in=[Side.PROVIDER, Side.RECEIVER],
            timebank=timebank,
            exchange_confirmed_at__isnull=True,
            exchange__timebank=timebank,
            exchange__status__in=OPEN_STATUSES,
        )
        .annotate(
            moved=Coalesce("exchange__done_at", "exchange__agreed_at", "exchange__created_at")
        )
        .order_by("-moved")
        .values("moved")[:1]
    )
    activity = PersonActivity.objects.filter(timebank=timebank, person=OuterRef("person"))
    # Greatest() is NULL on SQLite as soon as one of them is; a date before any exchange
    # stands in for "none" and is turned back into NULL.
    latest = NullIf(
        Greatest(
            Coalesce(Subquery(activity.values("last_gave_at")[:1]), Value(_NEVER)),
            Coalesce(Subquery(activity.values("last_received_at")[:1]), Value(_NEVER)),
            Coalesce(Subquery(open_latest), Value(_NEVER)),
        ),
        Value(_NEVER),
    )
    return (
        _trading_members(timebank)
        .annotate(joined=Coalesce("activated_at", "applied_at"))
        .filter(joined__lt=since)
        .exclude(person_id__in=confirmed_lately.values("person_id"))
        .exclude(reduce(operator.or_, (Q(person_id__in=people) for people in under_way)))
        .annotate(last_exchange=latest)
        .select_related("person")
        .order_by(F("last_exchange").asc(nulls_first=True), "joined", "id")
    )


def members_one_sided(*, timebank: TimeBank, since: datetime, side: str) -> QuerySet[Person]:
    """Active members who, in the exchanges confirmed since `since`, took part only on `side`,
    annotated with `times` (how many exchanges), the most first.

    Who took part on one side only is read from PersonActivity (one row per person: when they
    last gave and last received), not from a year of participations; `times` is then counted
    for those people alone, each from one range of the (person, side, time bank,
    exchange_confirmed_at) index."""
    this, other = (
        ("last_gave_at", "last_received_at")
        if side == Side.PROVIDER
        else ("last_received_at", "last_gave_at")
    )
    one_sided = (
        PersonActivity.objects.filter(timebank=timebank, **{f"{this}__gte": since})
        .filter(Q(**{f"{other}__isnull": True}) | Q(**{f"{other}__lt": since}))
        .values("person_id")
    )
    times = (
        Participant.objects.filter(
            person=OuterRef("pk"), side=side, timebank=timebank, exchange_confirmed_at__gte=since
        )
        .values("person")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return (
        Person.objects.filter(
            pk__in=one_sided,
            memberships__timebank=timebank,
            memberships__status=MembershipStatus.ACTIVE,
            memberships__role=Role.MEMBER,
        )
        .annotate(times=Subquery(times, output_field=IntegerField()))
        .order_by(F("times").desc(), "first_name", "id")
    )
