"""What needs a coordinator's attention in their time bank: the reads behind the dashboard.

Each section is one queryset, computed in the database (Exists, Subquery, filtered Count), never a
Python loop over members, so the page costs the same number of queries whatever the community's
size. The dashboard shows the first few rows of each with the section's total, read in the same
query through a window count; the "see all" page paginates the same queryset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coproduce.community.models import (
    Membership,
    MembershipStatus,
    Person,
    Role,
    TimeBank,
)
from coproduce.community.permissions import is_coordinator
from coproduce.community.safeguarding import REMIND_DAYS_BEFORE, checks_expiring, pauses_open_in
from coproduce.core.errors import NotFound
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    ListingStatus,
    Participant,
    Request,
    Side,
)
from coproduce.ledger.models import HOUR, Account, AccountKind

# The thresholds the issue fixed; named so the page can say them in words.
UNCONFIRMED_AFTER_DAYS = 7
UNANSWERED_AFTER_DAYS = 14
INACTIVE_AFTER_DAYS = 60
RECIPROCITY_DAYS = 365
NEAR_LIMIT_MINUTES = 60
ROWS_SHOWN = 10


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _with_people() -> Prefetch:
    # One query for everyone taking part in the listed exchanges, whoever they are.
    return Prefetch(
        "participants",
        queryset=Participant.objects.select_related("person", "organisation").order_by(
            "side", "id"
        ),
    )


def applications_waiting(*, timebank: TimeBank) -> QuerySet[Membership]:
    """People who applied to join and are waiting to be inducted, the longest waiting first."""
    return (
        Membership.objects.filter(timebank=timebank, status=MembershipStatus.APPLIED)
        .select_related("person")
        .order_by("applied_at", "id")
    )


def exchanges_unconfirmed(*, timebank: TimeBank, now: datetime | None = None) -> QuerySet[Exchange]:
    """Exchanges marked done more than a week ago that nobody has confirmed: the credits have
    not moved, and the coordinator can confirm on the member's behalf."""
    cutoff = _now(now) - timedelta(days=UNCONFIRMED_AFTER_DAYS)
    return (
        Exchange.objects.filter(timebank=timebank, status=ExchangeStatus.DONE)
        # An exchange marked done without a date counts from when it was arranged.
        .annotate(done_since=Coalesce("done_at", "created_at"))
        .filter(done_since__lt=cutoff)
        .prefetch_related(_with_people())
        .order_by("done_since", "id")
    )


def exchanges_disputed(*, timebank: TimeBank) -> QuerySet[Exchange]:
    """Exchanges someone said went wrong, the oldest first."""
    return (
        Exchange.objects.filter(timebank=timebank, status=ExchangeStatus.DISPUTED)
        .annotate(since=Coalesce("done_at", "agreed_at", "created_at"))
        .prefetch_related(_with_people())
        .order_by("since", "id")
    )


def requests_unanswered(*, timebank: TimeBank, now: datetime | None = None) -> QuerySet[Request]:
    """Active requests older than two weeks that no exchange has come from, the oldest first."""
    cutoff = _now(now) - timedelta(days=UNANSWERED_AFTER_DAYS)
    return (
        Request.objects.filter(
            timebank=timebank, status=ListingStatus.ACTIVE, created_at__lt=cutoff
        )
        .exclude(Exists(Exchange.objects.filter(request=OuterRef("pk"))))
        .select_related("person", "organisation")
        .order_by("created_at", "id")
    )


def _trading_members(timebank: TimeBank) -> QuerySet[Membership]:
    # Coordinators, professionals and administrators are there to help; these lists are about
    # the people the time bank is for.
    return Membership.objects.filter(
        timebank=timebank, status=MembershipStatus.ACTIVE, role=Role.MEMBER
    )


def members_inactive(*, timebank: TimeBank, now: datetime | None = None) -> QuerySet[Membership]:
    """Members who joined more than 60 days ago and have taken part in no exchange (of any status
    but cancelled) for 60 days, or never: people who may have drifted away or never got started.
    Those who never had one come first, then the longest quiet."""
    cutoff = _now(now) - timedelta(days=INACTIVE_AFTER_DAYS)
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
    active_lately = parts.filter(person__isnull=False, moved__gte=cutoff).values("person_id")
    latest = parts.filter(person=OuterRef("person")).order_by("-moved").values("moved")[:1]
    return (
        _trading_members(timebank)
        .annotate(joined=Coalesce("activated_at", "applied_at"))
        .filter(joined__lt=cutoff)
        .exclude(person_id__in=active_lately)
        # Shown on the row ("last exchange 3 months ago"), and only computed for the rows kept.
        .annotate(last_exchange=Subquery(latest))
        .select_related("person")
        .order_by(F("last_exchange").asc(nulls_first=True), "joined", "id")
    )


def _one_sided(timebank: TimeBank, now: datetime | None, *, side: str) -> QuerySet[Person]:
    """Active members who, over the last 12 months of confirmed exchanges, took part only on
    `side`, annotated with `times` (how many exchanges), the most first.

    The sides are counted once per person in a grouped subquery over the year's participations
    (grouping by the person's id alone, not every column of Person); `times` is then counted
    again only for the people listed."""
    since = _now(now) - timedelta(days=RECIPROCITY_DAYS)
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


def members_only_receiving(*, timebank: TimeBank, now: datetime | None = None) -> QuerySet[Person]:
    """Members who received help in the last 12 months and gave none: people to invite to give.
    `times` is how many exchanges they received."""
    return _one_sided(timebank, now, side=Side.RECEIVER)


def members_only_giving(*, timebank: TimeBank, now: datetime | None = None) -> QuerySet[Person]:
    """Members who gave help in the last 12 months and received none: people who may need
    asking what they would like in return. `times` is how many exchanges they gave."""
    return _one_sided(timebank, now, side=Side.PROVIDER)


def balances_near_limit(*, timebank: TimeBank) -> QuerySet[Account]:
    """Active members' time-credit accounts within an hour of their lowest balance, or of their
    highest when they have one, with the least room first."""
    room_below = F("balance") - F("min_balance")
    room_above = F("max_balance") - F("balance")
    return (
        Account.objects.filter(
            timebank=timebank,
            kind=AccountKind.MEMBER,
            unit=HOUR,
            closed_at__isnull=True,
            person__memberships__timebank=timebank,
            person__memberships__status=MembershipStatus.ACTIVE,
        )
        .filter(
            Q(balance__lte=F("min_balance") + NEAR_LIMIT_MINUTES)
            | Q(max_balance__isnull=False, balance__gt=F("max_balance") - NEAR_LIMIT_MINUTES)
        )
        .annotate(
            room_below=room_below,
            room_above=room_above,
            room=Least(room_below, Coalesce(room_above, room_below)),
        )
        .select_related("person")
        .order_by("room", "id")
    )


@dataclass(frozen=True)
class Section:
    """One list on the dashboard: its first rows and how many there are in all."""

    key: str
    title: Any
    explanation: Any
    rows: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class SectionKind:
    """What a list is called, what it means, and its rows (as of `now`) in a time bank."""

    title: Any
    explanation: Any
    rows: Callable[[TimeBank, datetime], QuerySet[Any]]


# The keys are the "see all" pages' URLs and the sections' anchors on the dashboard.
SECTIONS: dict[str, SectionKind] = {
    "applications": SectionKind(
        _("Applications waiting"),
        _("People who asked to join and are waiting to be welcomed, the longest waiting first."),
        lambda timebank, now: applications_waiting(timebank=timebank),
    ),
    "unconfirmed": SectionKind(
        _("Exchanges not confirmed"),
        format_lazy(
            _("Marked done more than {days} days ago, and the credits have not moved yet."),
            days=UNCONFIRMED_AFTER_DAYS,
        ),
        lambda timebank, now: exchanges_unconfirmed(timebank=timebank, now=now),
    ),
    "disputes": SectionKind(
        _("Disputes"),
        _("Exchanges someone said went wrong, the oldest first."),
        lambda timebank, now: exchanges_disputed(timebank=timebank),
    ),
    "unanswered": SectionKind(
        _("Requests with no answer"),
        format_lazy(
            _("Requests older than {days} days that nobody has offered to help with yet."),
            days=UNANSWERED_AFTER_DAYS,
        ),
        lambda timebank, now: requests_unanswered(timebank=timebank, now=now),
    ),
    "inactive": SectionKind(
        _("Members with no exchange lately"),
        format_lazy(
            _("Members for more than {days} days with no exchange in the last {days} days."),
            days=INACTIVE_AFTER_DAYS,
        ),
        lambda timebank, now: members_inactive(timebank=timebank, now=now),
    ),
    "only-receiving": SectionKind(
        _("Members only receiving"),
        _("Received help in the last 12 months and gave none: invite them to give."),
        lambda timebank, now: members_only_receiving(timebank=timebank, now=now),
    ),
    "only-giving": SectionKind(
        _("Members only giving"),
        _("Gave help in the last 12 months and received none: ask what they would like."),
        lambda timebank, now: members_only_giving(timebank=timebank, now=now),
    ),
    "paused": SectionKind(
        _("Members under a safeguarding pause"),
        _(
            "No new exchanges and listings hidden until a coordinator ends the pause; their "
            "open exchanges are listed on each one's safeguarding page."
        ),
        lambda timebank, now: pauses_open_in(timebank),
    ),
    "checks-expiring": SectionKind(
        _("Checks expiring soon"),
        format_lazy(
            _("Checks that expire within {days} days and have not been renewed, soonest first."),
            days=REMIND_DAYS_BEFORE,
        ),
        lambda timebank, now: checks_expiring(timebank, today=timezone.localdate(now)),
    ),
    "near-limit": SectionKind(
        _("Balances near the limit"),
        _("Within an hour of their lowest or highest balance."),
        lambda timebank, now: balances_near_limit(timebank=timebank),
    ),
}


def _coordinator_check(person: Person, timebank: TimeBank) -> None:
    # Anyone else is told there is nothing here, as for any private page.
    if not is_coordinator(person=person, timebank=timebank):
        raise NotFound(str(_("There is no such page.")))


def section_queryset_for(
    person: Person, timebank: TimeBank, key: str, *, now: datetime | None = None
) -> tuple[SectionKind, QuerySet[Any]]:
    """All the rows of one section, for its "see all" page; only for a coordinator of the bank."""
    kind = SECTIONS.get(key)
    if kind is None:
        raise NotFound(str(_("There is no such list.")))
    _coordinator_check(person, timebank)
    return kind, kind.rows(timebank, _now(now))


def dashboard_for(
    person: Person, timebank: TimeBank, *, now: datetime | None = None, limit: int = ROWS_SHOWN
) -> list[Section]:
    """Every section's first `limit` rows and total: one query per section (plus one for the
    people in the listed exchanges), whatever the size of the community."""
    _coordinator_check(person, timebank)
    sections = []
    moment = _now(now)
    for key, kind in SECTIONS.items():
        # The window count is taken over the whole list before LIMIT, so the total comes free.
        queryset = kind.rows(timebank, moment).annotate(section_total=Window(Count("pk")))
        rows = list(queryset[:limit])
        total = rows[0].section_total if rows else 0
        sections.append(
            Section(key=key, title=kind.title, explanation=kind.explanation, rows=rows, total=total)
        )
    return sections
