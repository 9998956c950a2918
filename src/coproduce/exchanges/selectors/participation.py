"""Members by how they take part in exchanges, for the coordinator's dashboard
(coordination.selectors): who has had no exchange lately, and who only gives or only receives.

Each is one queryset computed in the database, never a Python loop over members. Only members
in the `member` role count: coordinators, professionals and administrators are there to help,
and these lists are about the people the time bank is for.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce

from coproduce.community.models import Membership, MembershipStatus, Person, Role, TimeBank
from coproduce.core.moments import latest_of
from coproduce.exchanges.models import Exchange, Participant, Side
from coproduce.exchanges.selectors.exchanges import OPEN_STATUSES


def _trading_members(timebank: TimeBank) -> QuerySet[Membership]:
    return Membership.objects.filter(
        timebank=timebank, status=MembershipStatus.ACTIVE, role=Role.MEMBER
    )


def _open_parts(timebank: TimeBank) -> QuerySet[Participant]:
    # The sides of the bank's exchanges still open. Confirmed exchanges count in the time bank
    # of the person's side (a member's exchange with a partner bank counts at home), as in
    # PersonActivity; those still under way are the time bank's own, from its side.
    return Participant.objects.filter(
        exchange_id__in=Exchange.objects.filter(timebank=timebank, status__in=OPEN_STATUSES).values(
            "id"
        ),
        timebank=timebank,
        person__isnull=False,
    )


# The two ranges of the quiet index (time bank, status, role, last exchange, joining moments,
# person) "no exchange lately" reads: no exchange ever confirmed, and the last before `since`.
# Apart, each is counted from the index alone; as one condition (`IS NULL OR < since`)
# PostgreSQL counted the two ranges' ~2,000 rows from the table's pages.
_NEVER = Q(last_exchange_at__isnull=True)


def _before(since: datetime) -> Q:
    return Q(last_exchange_at__lt=since)


def _quiet(timebank: TimeBank, since: datetime, last: Q) -> QuerySet[Membership]:
    # The trading members whose last confirmed exchange is in `last`, who joined before `since`
    # and are in no exchange under way that moved since then. The last time an exchange moved:
    # it is confirmed after it is done, done after it is agreed, agreed after it is proposed.
    # The people under way are an uncorrelated subquery: the database reads it once for the
    # list, from the bank's open exchanges' index range.
    under_way = (
        _open_parts(timebank)
        .annotate(
            moved=Coalesce(
                "exchange__confirmed_at",
                "exchange__done_at",
                "exchange__agreed_at",
                "exchange__created_at",
            )
        )
        .filter(moved__gte=since)
        .values("person_id")
    )
    return (
        _trading_members(timebank)
        .filter(last)
        .annotate(joined=Coalesce("activated_at", "applied_at"))
        .filter(joined__lt=since)
        .exclude(person_id__in=under_way)
    )


def members_quiet_since(*, timebank: TimeBank, since: datetime) -> QuerySet[Membership]:
    """Members who joined before `since` and have taken part in no exchange (confirmed, or
    still under way) since then, or never, annotated with `last_exchange`. Those who never had
    one come first, then the longest quiet.

    One query, whose SQL depends only on the time bank and `since` (so the dashboard keeps it
    compiled: coordination.kept_sql). It reads the quiet members' two ranges of the (time bank,
    status, role, last exchange, ...) index and the time bank's exchanges still under way (a
    few rows, read once for the list, not once per member). `members_quiet_counted` counts it
    from the index alone."""
    # For those in an exchange still unconfirmed on their side, it dates them by its last step;
    # looked up only for the people with an open exchange (the CASE's condition, one hashed
    # set), not for each of the ~2,000 quiet members.
    unconfirmed = _open_parts(timebank).filter(
        exchange_confirmed_at__isnull=True,
        side__in=[Side.PROVIDER, Side.RECEIVER],
    )
    open_latest = Subquery(
        unconfirmed.filter(person=OuterRef("person"))
        .annotate(
            moved=Coalesce("exchange__done_at", "exchange__agreed_at", "exchange__created_at")
        )
        .order_by("-moved")
        .values("moved")[:1],
        output_field=DateTimeField(),
    )
    # Their last confirmed exchange is kept on the membership (exchanges.services.tallies, in
    # the transaction that confirms it), indexed after the status and role: the quiet members
    # are index ranges, not every membership of the bank each looked up in PersonActivity.
    # The later of it and their last step in an exchange still under way (core.moments: either
    # may be missing).
    latest = latest_of(
        "last_exchange_at",
        Case(
            When(person_id__in=unconfirmed.values("person_id"), then=open_latest),
            output_field=DateTimeField(),
        ),
    )
    return (
        _quiet(timebank, since, _NEVER | _before(since))
        .annotate(last_exchange=latest)
        # Their people are read after the list is cut (one more query for ten rows): joined in
        # the list's query, each of the ~2,000 quiet members' people was read before the sort
        # (PostgreSQL hashed the bank's 10,000 people: 10 of its 13 ms on the demo).
        .prefetch_related("person")
        .order_by(F("last_exchange").asc(nulls_first=True), "joined", "id")
    )


def members_quiet_counted(*, timebank: TimeBank, since: datetime) -> list[QuerySet[Membership]]:
    """The memberships `members_quiet_since` lists, as two querysets whose counts add up to its
    length: those with no exchange ever confirmed, and those whose last was before `since`,
    each one range of the quiet index, counted from it alone."""
    return [_quiet(timebank, since, _NEVER), _quiet(timebank, since, _before(since))]


def _one_sided(*, timebank: TimeBank, since: datetime, side: str) -> QuerySet[Membership]:
    # The trading members who took part on `side` since `since` and not on the other, from the
    # copies of their activity kept on the membership (services.tallies): the trading members'
    # range of the membership's (time bank, status, role, this side's count ever, person, this
    # side's last moment, the other's) index, read from the index alone.
    this, other = (
        ("last_gave_at", "last_received_at")
        if side == Side.PROVIDER
        else ("last_received_at", "last_gave_at")
    )
    return (
        _trading_members(timebank)
        .filter(**{f"{this}__gte": since})
        .filter(Q(**{f"{other}__isnull": True}) | Q(**{f"{other}__lt": since}))
    )


def _times(*, timebank: TimeBank, since: datetime, side: str, person: OuterRef) -> Subquery:
    # How many exchanges `person` took part in on `side` since `since`: one range of the
    # (person, side, time bank, exchange_confirmed_at) index. NULL for none, as the lists
    # always showed it (a one-sided person has at least one).
    return Subquery(
        Participant.objects.filter(
            person=person, side=side, timebank=timebank, exchange_confirmed_at__gte=since
        )
        .values("person")
        # COUNT(*), not COUNT(id): the index holds every column asked, so PostgreSQL counts
        # from it alone (an index-only scan) instead of visiting each row.
        .annotate(n=Count("*"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def _people(
    memberships: QuerySet[Membership], timebank: TimeBank, since: datetime, side: str
) -> QuerySet[Person]:
    # Their people, each looked up by id from the memberships' index range (never a scan of
    # the bank's people), with `times`, the most first.
    return (
        Person.objects.filter(pk__in=memberships.values("person_id"))
        .annotate(times=_times(timebank=timebank, since=since, side=side, person=OuterRef("pk")))
        .order_by(F("times").desc(), "first_name", "id")
    )


def members_one_sided(*, timebank: TimeBank, since: datetime, side: str) -> QuerySet[Person]:
    """Active members who, in the exchanges confirmed since `since`, took part only on `side`,
    annotated with `times` (how many exchanges), the most first.

    Who took part on one side only is read from the copies of their PersonActivity kept on the
    membership (one range of a membership index), not from a year of participations; `times`
    is then counted for those people alone, each from one range of the (person, side, time
    bank, exchange_confirmed_at) index. For the first few rows alone,
    `members_one_sided_first` counts far fewer."""
    return _people(_one_sided(timebank=timebank, since=since, side=side), timebank, since, side)


def members_one_sided_counted(
    *, timebank: TimeBank, since: datetime, side: str
) -> list[QuerySet[Membership]]:
    """The memberships of the people `members_one_sided` lists, one each, as two querysets
    whose counts add up to that list's length: those who never took part on the other side,
    and those whose last time there was before `since`. Each is one range of the other side's
    (time bank, status, role, other side's last moment, this side's) index, counted from it
    alone: a few hundred entries on the demo, where the list's own index range holds every
    trading member (~10,000)."""
    this, other = (
        ("last_gave_at", "last_received_at")
        if side == Side.PROVIDER
        else ("last_received_at", "last_gave_at")
    )
    trading = _trading_members(timebank).filter(**{f"{this}__gte": since})
    return [
        trading.filter(**{f"{other}__isnull": True}),
        trading.filter(**{f"{other}__lt": since}),
    ]


def members_one_sided_first(
    *, timebank: TimeBank, since: datetime, side: str, count: int
) -> QuerySet[Person]:
    """The first `count` rows of `members_one_sided`, the same people in the same order with
    the same `times`, counting `times` only for the people who could be among them.

    Each person's count of exchanges on `side` ever (kept on their membership by
    services.tallies) is never less than their `times`. Take the `count` listed people with
    the highest counts ever (from the list's own index range) and the least `times` among
    them, `floor`: at least `count` people have `times` ≥ `floor`, so every one of the first
    rows has too, and so a count ever ≥ `floor`. The list is cut to those people before their
    `times` are counted and sorted (on the demo 25 of 1,140 for only giving, where a year's
    exchanges are all there is; in a bank with years of history more of them pass, never
    fewer than the first rows). With fewer than `count` people, `floor` is the least of all
    and nobody is cut; with none, it is NULL and the list is empty, as it is."""
    kept_count = "gave_count" if side == Side.PROVIDER else "received_count"
    listed = _one_sided(timebank=timebank, since=since, side=side)
    # Any `count` listed people would give a floor the first rows reach; those with the most
    # ever give the highest, read down the (…, count, person) index from its top in its order.
    top = listed.order_by(F(kept_count).desc(), F("person_id").desc())
    most_ever = top.values("person_id")[:count]
    floor = Subquery(
        Membership.objects.filter(timebank=timebank, person_id__in=most_ever)
        .annotate(
            t=Coalesce(
                _times(timebank=timebank, since=since, side=side, person=OuterRef("person_id")),
                0,
            )
        )
        .order_by("t")
        .values("t")[:1],
        output_field=IntegerField(),
    )
    return _people(listed.filter(**{f"{kept_count}__gte": floor}), timebank, since, side)
