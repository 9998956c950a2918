"""What needs a coordinator's attention in their time bank: the reads behind the dashboard.

Each section's rows are read through the selectors of the app that owns them (community,
exchanges, ledger); this module holds the thresholds and puts the sections together. Each
section is one queryset, computed in the database (Exists, Subquery, filtered Count), never a
Python loop over members, so the page costs the same number of queries whatever the community's
size. The dashboard shows the first few rows of each with the section's total, read in the same
query (a COUNT subquery, or a window over its rows where that is cheaper), with the SQL kept
across views (`coordination.kept_sql`); the "see all" page paginates the same queryset. What a
row says is worked out in `coordination.rows`, in the views.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from typing import Any

from django.db import connections, router
from django.db.models import (
    Count,
    Func,
    IntegerField,
    Prefetch,
    QuerySet,
    Subquery,
    Window,
)
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coproduce.community import selectors as community_selectors
from coproduce.community.models import Membership, Person, TimeBank
from coproduce.community.permissions import is_coordinator, membership_is_coordinator
from coproduce.community.safeguarding import REMIND_DAYS_BEFORE, checks_expiring, pauses_open_in
from coproduce.coordination.kept_sql import (
    BY_INDEX,
    SERIAL,
    DashboardQuery,
    Planner,
    planned_on_postgresql,
)
from coproduce.core.errors import NotFound
from coproduce.core.kept_query import prefetch_kept
from coproduce.exchanges.models import Exchange, Request, Side
from coproduce.exchanges.selectors import exchanges as exchange_selectors
from coproduce.exchanges.selectors import listings as listing_selectors
from coproduce.exchanges.selectors import participation
from coproduce.ledger.models import NEAR_LIMIT, Account
from coproduce.ledger.selectors import accounts_near_limit
from coproduce.partners.selectors import referrals_new

# The thresholds the issue fixed; named so the page can say them in words.
UNCONFIRMED_AFTER_DAYS = 7
UNANSWERED_AFTER_DAYS = 14
INACTIVE_AFTER_DAYS = 60
RECIPROCITY_DAYS = 365
# The ledger marks the accounts this near a limit (ledger.models.near_limit).
NEAR_LIMIT_MINUTES = NEAR_LIMIT
ROWS_SHOWN = 10


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def applications_waiting(*, timebank: TimeBank) -> QuerySet[Membership]:
    """People who applied to join and are waiting to be inducted, the longest waiting first."""
    return community_selectors.applications_waiting(timebank)


def exchanges_unconfirmed(*, timebank: TimeBank, now: datetime | None = None) -> QuerySet[Exchange]:
    """Exchanges marked done more than a week ago that nobody has confirmed: the credits have
    not moved, and the coordinator can confirm on the member's behalf."""
    cutoff = _now(now) - timedelta(days=UNCONFIRMED_AFTER_DAYS)
    return exchange_selectors.exchanges_done_unconfirmed(timebank=timebank, before=cutoff)


def exchanges_disputed(*, timebank: TimeBank) -> QuerySet[Exchange]:
    """Exchanges someone said went wrong, the oldest first."""
    return exchange_selectors.exchanges_disputed(timebank=timebank)


def requests_unanswered(*, timebank: TimeBank, now: datetime | None = None) -> QuerySet[Request]:
    """Active requests older than two weeks that no exchange has come from, the oldest first."""
    cutoff = _now(now) - timedelta(days=UNANSWERED_AFTER_DAYS)
    return listing_selectors.requests_unanswered(timebank=timebank, before=cutoff)


def members_inactive(*, timebank: TimeBank, now: datetime | None = None) -> QuerySet[Membership]:
    """Members who joined more than 60 days ago and have taken part in no exchange (of any status
    but cancelled) for 60 days, or never: people who may have drifted away or never got started.
    Those who never had one come first, then the longest quiet."""
    cutoff = _now(now) - timedelta(days=INACTIVE_AFTER_DAYS)
    return participation.members_quiet_since(timebank=timebank, since=cutoff)


def members_only_receiving(*, timebank: TimeBank, now: datetime | None = None) -> QuerySet[Person]:
    """Members who received help in the last 12 months and gave none: people to invite to give.
    `times` is how many exchanges they received."""
    since = _now(now) - timedelta(days=RECIPROCITY_DAYS)
    return participation.members_one_sided(timebank=timebank, since=since, side=Side.RECEIVER)


def members_only_giving(*, timebank: TimeBank, now: datetime | None = None) -> QuerySet[Person]:
    """Members who gave help in the last 12 months and received none: people who may need
    asking what they would like in return. `times` is how many exchanges they gave."""
    since = _now(now) - timedelta(days=RECIPROCITY_DAYS)
    return participation.members_one_sided(timebank=timebank, since=since, side=Side.PROVIDER)


def members_only_receiving_first(
    *, timebank: TimeBank, count: int, now: datetime | None = None
) -> QuerySet[Person]:
    """The first `count` rows of `members_only_receiving`, counting far fewer people's exchanges
    (exchanges.selectors.participation.members_one_sided_first)."""
    since = _now(now) - timedelta(days=RECIPROCITY_DAYS)
    return participation.members_one_sided_first(
        timebank=timebank, since=since, side=Side.RECEIVER, count=count
    )


def members_only_giving_first(
    *, timebank: TimeBank, count: int, now: datetime | None = None
) -> QuerySet[Person]:
    """The first `count` rows of `members_only_giving`, counting far fewer people's exchanges."""
    since = _now(now) - timedelta(days=RECIPROCITY_DAYS)
    return participation.members_one_sided_first(
        timebank=timebank, since=since, side=Side.PROVIDER, count=count
    )


def _one_sided_counted(side: str) -> Callable[[TimeBank, datetime], list[QuerySet[Any]]]:
    # One membership per person listed, in two ranges of the other side's index: the list's
    # length, from the index alone.
    def counted(timebank: TimeBank, now: datetime) -> list[QuerySet[Any]]:
        since = now - timedelta(days=RECIPROCITY_DAYS)
        return participation.members_one_sided_counted(timebank=timebank, since=since, side=side)

    return counted


def balances_near_limit(*, timebank: TimeBank) -> QuerySet[Account]:
    """Active members' time-credit accounts within an hour of their lowest balance, or of their
    highest when they have one, with the least room first."""
    return accounts_near_limit(timebank=timebank, within=NEAR_LIMIT_MINUTES)


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
    # Whether its SQL may be kept across views (coordination.kept_sql): not for a list whose
    # query is built from what another query found.
    kept: bool = True
    # The settings PostgreSQL plans it with (coordination.kept_sql: SERIAL, BY_INDEX).
    planner: Planner = ()
    # Its first `n` rows (as of `now`), where a narrower query finds the same rows as cutting
    # `rows` (the dashboard's); and querysets with one row per row of `rows` between them,
    # whose counts add up to its total, read without what the rows show (by default `rows`).
    first: Callable[[TimeBank, datetime, int], QuerySet[Any]] | None = None
    counted: Callable[[TimeBank, datetime], list[QuerySet[Any]]] | None = None


# How PostgreSQL plans the lists that scan one table for a few hundred rows and join each to its
# person (and membership): without parallel workers, and by index look-ups. One setting for all
# of them, so the dashboard sets it once for the three (one statement, `dashboard_for`).
_SCANNED_FEW: Planner = SERIAL + BY_INDEX


# The keys are the "see all" pages' URLs and the sections' anchors on the dashboard.
SECTIONS: dict[str, SectionKind] = {
    "applications": SectionKind(
        _("Applications waiting"),
        _("People who asked to join and are waiting to be welcomed, the longest waiting first."),
        lambda timebank, now: applications_waiting(timebank=timebank),
    ),
    "referrals": SectionKind(
        _("New referrals"),
        _(
            "People referred by a partner organisation and not contacted yet, the longest waiting "
            "first."
        ),
        lambda timebank, now: referrals_new(timebank=timebank),
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
        counted=lambda timebank, now: participation.members_quiet_counted(
            timebank=timebank, since=now - timedelta(days=INACTIVE_AFTER_DAYS)
        ),
    ),
    "only-receiving": SectionKind(
        _("Members only receiving"),
        _("Received help in the last 12 months and gave none: invite them to give."),
        lambda timebank, now: members_only_receiving(timebank=timebank, now=now),
        # Its ~1,000 people were joined by hashing the bank's 10,000 people (PostgreSQL expects
        # twice the rows it finds): look-ups by index instead.
        planner=_SCANNED_FEW,
        first=lambda timebank, now, count: members_only_receiving_first(
            timebank=timebank, now=now, count=count
        ),
        counted=_one_sided_counted(Side.RECEIVER),
    ),
    "only-giving": SectionKind(
        _("Members only giving"),
        _("Gave help in the last 12 months and received none: ask what they would like."),
        lambda timebank, now: members_only_giving(timebank=timebank, now=now),
        # Its ~1,000 people were joined by hashing the bank's 10,000 people (PostgreSQL expects
        # twice the rows it finds): look-ups by index instead.
        planner=_SCANNED_FEW,
        first=lambda timebank, now, count: members_only_giving_first(
            timebank=timebank, now=now, count=count
        ),
        counted=_one_sided_counted(Side.PROVIDER),
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
        # The accounts' table is updated on every exchange: its pages hold far fewer rows than
        # they could, so for ~10,000 accounts (~1,800 pages) PostgreSQL plans a parallel scan,
        # and starting a worker costs more than the scan (BENCHMARKS.md, "eighth round"). The
        # few hundred accounts it finds were joined by hashing the bank's 10,000 people and
        # memberships: look-ups by index instead (BENCHMARKS.md, "Dashboard, round 18").
        planner=_SCANNED_FEW,
    ),
}


# Sections whose total is counted by a window over the list's own rows instead of a COUNT
# subquery, per database: where the list's query already carries every row to its sort (each
# row's order needs its person, its count or its last exchange), the window adds nothing and the
# subquery would read the same rows again. Measured on the 10,000-member demo (BENCHMARKS.md,
# "Dashboard, seventh round"): on PostgreSQL 58.8 -> 40.7 ms for these four; on SQLite only two
# gain (its window sorts the rows again), and for requests with no answer the window is far
# slower on both (3,585 rows through the sort against an index count). (No exchange lately was
# the fourth, on PostgreSQL, until round 24 counted it from its index's two ranges: `counted`.)
# (A section given `first` or `counted` rows counts its total from those, never a window.)
_WINDOW_TOTAL = {
    "postgresql": frozenset({"near-limit"}),
    "sqlite": frozenset({"near-limit"}),
}


def _counted(queryset: QuerySet[Any]) -> Subquery:
    # An uncorrelated subquery, run once beside the first rows. (A window count made the
    # database carry every row of the list, with its person, through a sort before LIMIT:
    # 100 ms for 3,585 unanswered requests against 1 ms to count them.) COUNT(*), not of the
    # primary key: an index that holds what the list filters on then counts it alone
    # (PostgreSQL's index-only scan needs every column it reads in the index).
    total = (
        queryset.order_by()
        .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("n")
    )
    return Subquery(total, output_field=IntegerField())


def _with_total(key: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The list annotated with `section_total`, how many rows it has in all (the same number
    either way; which way is cheaper depends on the list and the database)."""
    vendor = connections[router.db_for_read(queryset.model)].vendor
    if key in _WINDOW_TOTAL.get(vendor, ()):
        return queryset.annotate(section_total=Window(Count("*")))
    return queryset.annotate(section_total=_counted(queryset))


# What a person's name and link are made of (`Person.display_name`, the row's link).
_PERSON = ("public_id", "username", "first_name", "last_name", "erased_at")


def _of(relation: str, columns: tuple[str, ...] = _PERSON) -> tuple[str, ...]:
    return tuple(f"{relation}__{column}" for column in columns)


# Who took part in a listed exchange (coordination.rows._people).
_PARTICIPANTS = ("exchange", "side", "confirmed_at", *_of("person"), "organisation__name")

# The columns each section's rows print (coordination.rows), read instead of whole rows: a
# person is 28 columns (a password, a profile, a JSON list of times), and on SQLite each of
# their dates was parsed for every person a view read (issue 17). Each entry: the row's own
# columns and those of its `select_related` objects, then the columns of each prefetched
# relation's rows (its own `select_related` objects' too). The foreign keys a row is joined or
# prefetched by are among them; the primary keys are always read.
_SHOWN: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]] = {
    "applications": (("area", "application_note", "applied_at", *_of("person")), {}),
    "referrals": (
        ("public_id", "first_name", "last_name", "area", "received_at", "organisation__name"),
        {},
    ),
    "unconfirmed": (
        ("public_id", "title", "actual_minutes", "expected_minutes"),
        {"participants": _PARTICIPANTS},
    ),
    "disputes": (("public_id", "title", "dispute_reason"), {"participants": _PARTICIPANTS}),
    "unanswered": (
        (
            "public_id",
            "title",
            "category",
            "area",
            "created_at",
            *_of("person"),
            "organisation__name",
        ),
        {},
    ),
    "inactive": (("area", "person"), {"person": _PERSON}),
    "only-receiving": (_PERSON, {}),
    "only-giving": (_PERSON, {}),
    "paused": (("started_at", *_of("person"), *_of("started_by")), {}),
    "checks-expiring": (("kind", "expires_on", *_of("person")), {}),
    "near-limit": (("balance", "min_balance", "max_balance", "person"), {"person": _PERSON}),
}


def _shown(key: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Section `key`'s rows with only the columns they print read (`_SHOWN`), its prefetches
    alike; a section not listed, or read as dicts, is left whole."""
    if key not in _SHOWN or queryset._fields is not None:  # type: ignore[attr-defined]
        return queryset
    columns, prefetched = _SHOWN[key]
    narrowed = queryset.only(*columns)
    if not prefetched:
        return narrowed
    lookups = []
    for lookup in queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
        path = lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup
        given = lookup.queryset if isinstance(lookup, Prefetch) else None
        if path not in prefetched or (isinstance(lookup, Prefetch) and lookup.to_attr):
            lookups.append(lookup)
            continue
        if given is None:
            # What Django reads a foreign key's prefetch from when given no queryset.
            given = queryset.model._meta.get_field(path).related_model._base_manager.all()
        lookups.append(Prefetch(path, queryset=given.only(*prefetched[path])))
    return narrowed.prefetch_related(None).prefetch_related(*lookups)


def _first_with_total(key: str, timebank: TimeBank, moment: datetime, limit: int) -> Any:
    """A section's first `limit` rows with its total."""
    kind = SECTIONS[key]
    if kind.first is None and kind.counted is None:
        return _with_total(key, _shown(key, kind.rows(timebank, moment)))[:limit]
    first = _shown(
        key,
        kind.rows(timebank, moment) if kind.first is None else kind.first(timebank, moment, limit),
    )
    parts = (
        [kind.rows(timebank, moment)] if kind.counted is None else kind.counted(timebank, moment)
    )
    total = reduce(operator.add, [_counted(part) for part in parts])
    return first.annotate(section_total=total)[:limit]


_KEPT: dict[tuple[str, int], DashboardQuery] = {}


def _section_query(key: str, limit: int) -> DashboardQuery:
    """A section's first `limit` rows with its total, its SQL kept per process where it depends
    only on the time bank and the moment (`coordination.kept_sql`)."""
    kept = _KEPT.get((key, limit))
    if kept is None:
        kind = SECTIONS[key]
        kept = _KEPT[(key, limit)] = DashboardQuery(
            lambda timebank, moment: _first_with_total(key, timebank, moment, limit),
            keep=kind.kept,
            planner=kind.planner,
        )
    return kept


def _coordinator_check(
    person: Person, timebank: TimeBank, membership: Membership | None = None
) -> None:
    # Anyone else is told there is nothing here, as for any private page. The rule is read from
    # `membership` when it is this person's of this bank (the request's, read a moment ago for
    # the page: no query), else asked of the database.
    if (
        membership is not None
        and membership.person_id == person.pk
        and membership.timebank_id == timebank.pk
    ):
        coordinates = membership_is_coordinator(membership)
    else:
        coordinates = is_coordinator(person=person, timebank=timebank)
    if not coordinates:
        raise NotFound(str(_("There is no such page.")))


def section_queryset_for(
    person: Person,
    timebank: TimeBank,
    key: str,
    *,
    now: datetime | None = None,
    printed: bool = False,
) -> tuple[SectionKind, QuerySet[Any]]:
    """All the rows of one section, for its "see all" page (with `printed`, only the columns
    its rows print: `_SHOWN`) or the API's list (whole rows); only for a coordinator of the
    bank."""
    kind = SECTIONS.get(key)
    if kind is None:
        raise NotFound(str(_("There is no such list.")))
    _coordinator_check(person, timebank)
    rows = kind.rows(timebank, _now(now))
    return kind, _shown(key, rows) if printed else rows


def dashboard_for(
    person: Person,
    timebank: TimeBank,
    *,
    now: datetime | None = None,
    limit: int = ROWS_SHOWN,
    membership: Membership | None = None,
) -> list[Section]:
    """Every section's first `limit` rows and total: one query per section (plus one for the
    people in the listed exchanges of both lists, one for the quiet members' people), whatever
    the size of the community. Only for a coordinator of the bank: `membership`, the person's
    membership of it when the caller has it in hand (the request's), answers that without a
    query."""
    _coordinator_check(person, timebank, membership)
    moment = _now(now)
    alias = router.db_for_read(Membership)
    # The sections read with the same planner settings are read together, the settings set
    # once for them (one statement, not one per section); the page shows them in order.
    by_planner: dict[Planner, list[str]] = {}
    for key, kind in SECTIONS.items():
        by_planner.setdefault(kind.planner, []).append(key)
    found: dict[str, list[Any]] = {}
    # The sections' prefetches alike (the people in "not confirmed" and in "disputes": the
    # same participants' query), each read once for all their rows, after the lists: look-ups
    # by primary key, planned alike whatever the settings.
    left: dict[tuple[Any, ...], tuple[tuple[Any, ...], list[Any]]] = {}
    for planner, keys in by_planner.items():
        with planned_on_postgresql(connections[alias], planner):
            for key in keys:
                query = _section_query(key, limit)
                found[key] = query.rows(timebank, moment, alias, prefetch=False)
                prefetches = query.prefetches_left(alias)
                if prefetches is not None:
                    same, lookups = prefetches
                    left.setdefault(same, (lookups, []))[1].extend(found[key])
    for lookups, rows in left.values():
        prefetch_kept(rows, lookups)
    sections = []
    for key, kind in SECTIONS.items():
        rows = found[key]
        total = rows[0].section_total if rows else 0
        sections.append(
            Section(key=key, title=kind.title, explanation=kind.explanation, rows=rows, total=total)
        )
    return sections
