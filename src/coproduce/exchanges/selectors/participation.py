"""Members by how they take part in exchanges, for the coordinator's dashboard
(coordination.selectors): who has had no exchange lately, and who only gives or only receives.

Each is one queryset computed in the database, never a Python loop over members. Only members
in the `member` role count: coordinators, professionals and administrators are there to help,
and these lists are about the people the time bank is for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from coproduce.community.models import Membership, MembershipStatus, Person, Role, TimeBank
from coproduce.core.moments import latest_of
from coproduce.exchanges.models import Exchange, Participant, PersonActivity, Side
from coproduce.exchanges.selectors.exchanges import OPEN_STATUSES


def _trading_members(timebank: TimeBank) -> QuerySet[Membership]:
    return Membership.objects.filter(
        timebank=timebank, status=MembershipStatus.ACTIVE, role=Role.MEMBER
    )


def members_quiet_since(*, timebank: TimeBank, since: datetime) -> QuerySet[Membership]:
    """Members who joined before `since` and have taken part in no exchange (confirmed, or
    still under way) since then, or never, annotated with `last_exchange`. Those who never had
    one come first, then the longest quiet.

    Runs one query at once (the people in the time bank's exchanges still under way, a few
    rows) and returns the list as one more, which reads the quiet members' range of the
    (time bank, status, role, last exchange) index."""
    # The last time an exchange of theirs moved: it is confirmed after it is done, done after
    # it is agreed, agreed after it is proposed. Confirmed exchanges count in the time bank of
    # the person's side (a member's exchange with a partner bank counts at home), as in
    # PersonActivity; those still under way are the time bank's own, from its side.
    #
    # Those still under way are few: read once, they give the people to leave out (one moved
    # since `since`) and, for the others, when their last one moved, as constants in the list's
    # query, instead of subqueries repeated for every member (a fifth of the page's time went
    # to building and running them).
    under_way: set[int] = set()
    open_latest: dict[int, datetime] = {}
    parts = Participant.objects.filter(
        exchange_id__in=Exchange.objects.filter(timebank=timebank, status__in=OPEN_STATUSES).values(
            "id"
        ),
        timebank=timebank,
        person__isnull=False,
    ).values_list(
        "person_id",
        "side",
        "exchange_confirmed_at",
        "exchange__confirmed_at",
        "exchange__done_at",
        "exchange__agreed_at",
        "exchange__created_at",
    )
    for person_id, side, part_confirmed, confirmed, done, agreed, created in parts:
        moved = confirmed or done or agreed or created
        if moved >= since:
            under_way.add(person_id)
        if part_confirmed is None and side in (Side.PROVIDER, Side.RECEIVER):
            moved_open = done or agreed or created
            open_latest[person_id] = max(moved_open, open_latest.get(person_id, moved_open))
    # Their last confirmed exchange is kept on the membership (exchanges.services.tallies, in
    # the transaction that confirms it), indexed after the status and role: the quiet members
    # are one index range, not every membership of the bank each looked up in PersonActivity.
    # The later of it and their last exchange still under way (core.moments: either may be
    # missing).
    moments: list[Any] = ["last_exchange_at"]
    quiet_open = {pk: at for pk, at in open_latest.items() if pk not in under_way}
    if quiet_open:
        moments.append(
            Case(*(When(person_id=pk, then=Value(at)) for pk, at in sorted(quiet_open.items())))
        )
    return (
        _trading_members(timebank)
        .filter(Q(last_exchange_at__lt=since) | Q(last_exchange_at__isnull=True))
        .annotate(joined=Coalesce("activated_at", "applied_at"))
        .filter(joined__lt=since)
        .exclude(person_id__in=sorted(under_way))
        .annotate(last_exchange=latest_of(*moments))
        # Their people are read after the list is cut (one more query for ten rows): joined in
        # the list's query, each of the ~2,000 quiet members' people was read before the sort
        # (PostgreSQL hashed the bank's 10,000 people: 10 of its 13 ms on the demo).
        .prefetch_related("person")
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
        # COUNT(*), not COUNT(id): the index holds every column asked, so PostgreSQL counts
        # from it alone (an index-only scan) instead of visiting each row.
        .annotate(n=Count("*"))
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
