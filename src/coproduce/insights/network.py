"""The exchange network for the insights report: who helped whom (ties), how connected the
community is (`insights.graph` measures the list of ties), and who is at risk of isolation.
Ties come from `exchanges.Pairing`, one row per giver and receiver of a confirmed exchange.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from operator import itemgetter
from typing import Any

from django.db import connection, connections
from django.db.models import Count, F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import TimeBank
from coproduce.core.planner import planner_settings
from coproduce.exchanges.models import ListingStatus, Offer
from coproduce.exchanges.models import Request as HelpRequest
from coproduce.insights import graph
from coproduce.insights.period import ReportPeriod
from coproduce.insights.reads import MemberRow, member_rows
from coproduce.insights.selectors import (
    DEFAULT_ISOLATION_DAYS,
    Party,
    counted_pairings,
    last_help_of_people,
)
from coproduce.insights.tie_reads import ties_by_pair
from coproduce.ledger.models import AccountKind


@dataclass
class Tie:
    a: int
    b: int
    exchanges: int  # in the period
    earlier: int = 0  # before the period: a tie with none is new in the period


@dataclass
class AtRisk:
    party: Party
    last_exchange: datetime | None
    partners: int
    reasons: list[str]


@dataclass
class Network:
    parties: dict[int, Party]
    ties: list[Tie]  # empty in the funder's report (`named=False`): `summary` counts them
    summary: graph.GraphSummary
    members_reached: int
    new_ties: int
    main_category: dict[int, str]  # account → the category of most of their exchanges
    at_risk: list[AtRisk]
    isolation_days: int


def _tie_rows(timebank: TimeBank, period: ReportPeriod, *, by_category: bool = True) -> Any:
    """One row per pair of accounts (and category, for the coordinator's picture) who met in a
    confirmed exchange before the end of the period: how many exchanges in the period, and how
    many before it. Read from the pairings alone. PostgreSQL groups each pair once, whichever
    way the help went (LEAST, GREATEST: half the rows to read back), in the order of
    `insights_pairing_by_tie` (read with `_raw_rows(in_index_order=True)`); SQLite groups by
    (receiver, provider), the order of its covering index, which needs no sort (grouping by
    LEAST/GREATEST there is six times slower), and the caller adds the two directions
    together."""
    in_period = Q(occurred_at__gte=period.starts_at)
    pairings = (
        counted_pairings(timebank)
        .filter(occurred_at__lt=period.ends_before)
        .exclude(receiver_id=F("provider_id"))  # no tie from an account to itself
    )
    if connection.vendor == "postgresql":
        pairings = pairings.annotate(
            one=Least("receiver_id", "provider_id"), other=Greatest("receiver_id", "provider_id")
        )
        pair = ("one", "other")
    else:
        pair = ("receiver_id", "provider_id")
    group = (*pair, "category") if by_category else pair
    return (
        pairings.values(*group)
        .annotate(
            in_period=Count("occurred_at", filter=in_period),
            earlier=Count("occurred_at", filter=Q(occurred_at__lt=period.starts_at)),
        )
        .values_list(*group, "in_period", "earlier")
        .order_by()
    )


def _raw_rows(queryset: Any, *, in_index_order: bool = False) -> list[tuple[Any, ...]]:
    """The rows of a values_list query of plain numbers and text, read in one fetch without
    Django's per-row conversion: for the report's largest row set (~180,000 ties at 1M
    exchanges) that per-row work cost more than the query. Only for columns that need no
    conversion (integers, text).

    `in_index_order` (PostgreSQL): plan the query with sequential scans, hash aggregation and
    sorts off, then put them back as they were. For the ties: PostgreSQL then groups the
    pairings in the order of `insights_pairing_by_tie` (an index-only scan feeding a group
    aggregate, about half the time), which its estimates alone never choose over hashing a
    sequential scan; with only the first two off, it chose a parallel scan of the time bank's
    index and a sort spilled to disk on the 1,000,000-exchange set (430 ms against 250).
    Parallel workers' costs are taken as nothing, so that the index is read by the workers
    the server allows (`max_parallel_workers_per_gather`), each grouping its part, the groups
    merged in index order (the ties 9-51% less time at 1,000,000 exchanges in alternating pairs
    on a busy machine; BENCHMARKS.md); its default costs never choose that."""
    sql, params = queryset.query.sql_with_params()
    database = connections[queryset.db]  # the replica for a report page
    in_order = dict.fromkeys(("enable_seqscan", "enable_hashagg", "enable_sort"), "off")
    in_order.update(parallel_setup_cost="0", parallel_tuple_cost="0")
    settings = in_order if in_index_order else {}
    with planner_settings(database, **settings), database.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _pair_rows(queryset: Any, *, by_category: bool) -> list[tuple[Any, ...]]:
    """`_tie_rows`' rows with each pair once, the smaller account first. PostgreSQL already
    groups them so. SQLite's rows are one per direction of each pair (the order of its index):
    an outer query adds the two directions together, sorting the ~180,000 grouped rows rather
    than the million pairings (at 1M exchanges it costs the query next to nothing, where
    merging them in Python took 0.3 s)."""
    if connection.vendor == "postgresql":
        return _raw_rows(queryset, in_index_order=True)
    sql, params = queryset.query.sql_with_params()
    # Only Django's compiled query and fixed column names go into the text; values stay params.
    category, group = ('"category", ', ", 3") if by_category else ("", "")
    folded = (
        'SELECT MIN("receiver_id", "provider_id"), MAX("receiver_id", "provider_id"), '  # noqa: S608
        f'{category}SUM("in_period"), SUM("earlier") FROM ({sql}) AS "directed" '
        f"GROUP BY 1, 2{group}"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(folded, params)
        return cursor.fetchall()


def _listing_people(timebank: TimeBank) -> set[int]:
    """People with an offer or request open now (two small queries)."""
    now = timezone.now()
    open_now = Q(status=ListingStatus.ACTIVE) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    people: set[int] = set()
    for model in (Offer, HelpRequest):
        people.update(
            model.objects.filter(open_now, timebank=timebank, person__isnull=False)
            .values_list("person_id", flat=True)
            .distinct()
        )
    return people


def network_for(
    timebank: TimeBank,
    period: ReportPeriod,
    parties: dict[int, Party],
    isolation_days: int = DEFAULT_ISOLATION_DAYS,
    last_help: dict[int, datetime] | None = None,
    *,
    named: bool = True,
    members: list[MemberRow] | None = None,
) -> Network:
    """The network; `named=False` (the funder's report) leaves out each account's main
    category, which only the coordinator's network picture shows, and so reads one row per
    pair instead of one per pair and category."""
    # One (a, b, exchanges in the period, before it) per pair, a < b; (account, category) →
    # exchanges in the period, for the coordinator's picture.
    by_category: dict[tuple[int, str], int] = defaultdict(int)
    ties_found: list[tuple[int, int, int, int]]
    if not named:
        # One row per pair, the smaller account first, from the pairs' kept first and last
        # exchange when they have been built (the counts then 1 or 0: only whether is used).
        found = ties_by_pair(timebank.id, period)
        if found is None:
            found = _pair_rows(_tie_rows(timebank, period, by_category=False), by_category=False)
        ties_found = found
    else:
        rows = _pair_rows(_tie_rows(timebank, period, by_category=True), by_category=True)
        # One row per pair and category: the pair's counts added up over its categories.
        counts: dict[tuple[int, int], list[int]] = {}
        for one, other, category, in_period, earlier in rows:
            known = counts.get((one, other))
            if known is None:
                counts[(one, other)] = [in_period, earlier]
            else:
                known[0] += in_period
                known[1] += earlier
            if in_period:
                by_category[(one, category)] += in_period
                by_category[(other, category)] += in_period
        ties_found = [(a, b, n, e) for (a, b), (n, e) in counts.items()]
    pairs = [(a, b) for a, b, n, _earlier in ties_found if n]
    # Each tie with its counts, for the coordinator's picture and tables only.
    ties = [Tie(a, b, n, e) for a, b, n, e in ties_found if n] if named else []
    nodes = set(chain.from_iterable(pairs))
    summary = graph.summarise(nodes, pairs, distinct=True)
    new_ties = sum(1 for _a, _b, n, earlier in ties_found if n and not earlier)
    members_reached = sum(
        1 for n in nodes if parties.get(n) and parties[n].kind == AccountKind.MEMBER
    )

    # Partners up to the end of the period, whatever the period's start: a member with one
    # partner in their whole history hangs on a single thread.
    partners: Counter = Counter(map(itemgetter(0), ties_found))
    partners.update(map(itemgetter(1), ties_found))

    if last_help is None:
        last_help = last_help_of_people(parties)
    if members is None:
        members = member_rows(timebank)
    at_risk = _at_risk(timebank, period, parties, partners, isolation_days, last_help, members)
    # The category of most of an account's exchanges in the period (the first by name on a tie).
    main_category: dict[int, str] = {}
    most: dict[int, int] = {}
    for (account, category), n in by_category.items():
        best = most.get(account, 0)
        if n > best or (n == best and category < main_category[account]):
            most[account] = n
            main_category[account] = category
    return Network(
        parties=parties,
        ties=ties,
        summary=summary,
        members_reached=members_reached,
        new_ties=new_ties,
        main_category=main_category,
        at_risk=at_risk,
        isolation_days=isolation_days,
    )


def _at_risk(
    timebank: TimeBank,
    period: ReportPeriod,
    parties: dict[int, Party],
    partners: Counter,
    isolation_days: int,
    last: dict[int, datetime],
    members: list[MemberRow],
) -> list[AtRisk]:
    """Active members with no help given or received and nothing offered or asked for
    `isolation_days` (counted from joining, for newcomers), or with only one partner ever."""
    as_of = period.as_of
    quiet_since = as_of - timedelta(days=isolation_days)
    listing_people = _listing_people(timebank)
    account_of = {p.person_id: p for p in parties.values() if p.kind == AccountKind.MEMBER}
    found = []
    for person_id, active, activated_at, applied_at in members:
        if not active:
            continue
        joined = activated_at or applied_at
        if joined >= as_of:
            continue
        party = account_of.get(person_id)
        if party is None:
            continue
        reasons = []
        last_help = last.get(person_id)
        since = max(last_help, joined) if last_help else joined
        if since < quiet_since and person_id not in listing_people:
            if last_help is None:
                reasons.append(_("No exchange yet, and nothing offered or asked for"))
            else:
                reasons.append(
                    _("No exchange for over %(days)d days, and nothing offered or asked for")
                    % {"days": isolation_days}
                )
        if partners.get(party.account_id) == 1:
            reasons.append(_("Only one exchange partner"))
        if reasons:
            found.append(
                AtRisk(
                    party=party,
                    last_exchange=last_help,
                    partners=partners.get(party.account_id, 0),
                    reasons=reasons,
                )
            )
    # The longest quiet first: those are the people to ring first.
    epoch = datetime.min.replace(tzinfo=period.tz)
    found.sort(key=lambda r: (r.last_exchange or epoch, r.party.name.lower()))
    return found
