"""Members by how they take part in exchanges, for the coordinator's dashboard
(coordination.selectors): who has had no exchange lately, and who only gives or only receives.

Each is one queryset computed in the database, never a Python loop over members. Only members
in the `member` role count: coordinators, professionals and administrators are there to help,
and these lists are about the people the time bank is for.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from coproduce.community.models import Membership, MembershipStatus, Person, Role, TimeBank
from coproduce.exchanges.models import ExchangeStatus, Participant, Side


def _trading_members(timebank: TimeBank) -> QuerySet[Membership]:
    return Membership.objects.filter(
        timebank=timebank, status=MembershipStatus.ACTIVE, role=Role.MEMBER
    )


def members_quiet_since(*, timebank: TimeBank, since: datetime) -> QuerySet[Membership]:
    """Members who joined before `since` and have taken part in no exchange (of any status but
    cancelled) since then, or never, annotated with `last_exchange`. Those who never had one
    come first, then the longest quiet."""
    # The last time an exchange of theirs moved: it is confirmed after it is done, done after
    # it is agreed, agreed after it is proposed.
    last_moved = Coalesce(
        "exchange__confirmed_at",
        "exchange__done_at",
        "exchange__agreed_at",
        "exchange__created_at",
    )
    # Scoped through the exchange, not Participant.timebank: without planner statistics SQLite
    # would otherwise walk every participation in the time bank for each member.
    parts = (
        Participant.objects.filter(exchange__timebank=timebank)
        .exclude(exchange__status=ExchangeStatus.CANCELLED)
        .annotate(moved=last_moved)
    )
    # One pass over the time bank's participations finds everyone active lately (a NOT IN list
    # must hold no NULL, hence organisations' rows are left out); a correlated EXISTS per member
    # was three times slower on a 10,000-member community.
    active_lately = parts.filter(person__isnull=False, moved__gte=since).values("person_id")
    latest = parts.filter(person=OuterRef("person")).order_by("-moved").values("moved")[:1]
    return (
        _trading_members(timebank)
        .annotate(joined=Coalesce("activated_at", "applied_at"))
        .filter(joined__lt=since)
        .exclude(person_id__in=active_lately)
        # Shown on the row ("last exchange 3 months ago"), and only computed for the rows kept.
        .annotate(last_exchange=Subquery(latest))
        .select_related("person")
        .order_by(F("last_exchange").asc(nulls_first=True), "joined", "id")
    )


def members_one_sided(*, timebank: TimeBank, since: datetime, side: str) -> QuerySet[Person]:
    """Active members who, in the exchanges confirmed since `since`, took part only on `side`,
    annotated with `times` (how many exchanges), the most first.

    The sides are counted once per person in a grouped subquery over those participations
    (grouping by the person's id alone, not every column of Person); `times` is then counted
    again only for the people listed."""
    other = Side.PROVIDER if side == Side.RECEIVER else Side.RECEIVER
    year = Participant.objects.filter(
        timebank=timebank,
        person__isnull=False,
        exchange__status=ExchangeStatus.CONFIRMED,
        exchange__confirmed_at__gte=since,
    )
    one_sided = (
        year.values("person_id")
        .annotate(
            this_side=Count("id", filter=Q(side=side)),
            other_side=Count("id", filter=Q(side=other)),
        )
        .filter(Q(this_side__gt=0) & Q(other_side=0))
        .values("person_id")
    )
    times = (
        year.filter(person=OuterRef("pk"), side=side)
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
