"""The insights report: activity, reciprocity, the exchange network, isolation, outcomes and value
for one time bank and one period. This module holds who may read it, the report's shape, and
activity and reciprocity; the network and isolation are `insights.network`, and
`insights.report.report_build` puts the whole report together.

Every figure comes from a handful of aggregate queries (about a dozen for the whole report,
whatever the size of the time bank); Python only reshapes their already-aggregated rows and runs
the graph measures on the list of ties (`insights.graph`). Hours come from the ledger, so the
report's totals equal the ledger's for the same period.

Counting rules (the method note in `insights.method` says the same in words):
- A period is whole days in the time bank's time zone, `start` to `end` inclusive; a transfer
  belongs to it by `occurred_at` (when the help happened).
- A reversed transfer and its reversal are both left out: the help they recorded did not happen
  as recorded.
- "Help" is a transfer of kind exchange or meeting; gifts, grants and adjustments move credits
  but are not help, and are shown separately.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    UUIDField,
    When,
)
from django.db.models import Value as V
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Membership,
    Person,
    TimeBank,
)
from coproduce.community.permissions import coordinated_memberships
from coproduce.core.categories import Category
from coproduce.core.errors import NotFound
from coproduce.exchanges.models import Pairing
from coproduce.insights.last_help import last_help_by_account
from coproduce.insights.outcomes import Outcomes
from coproduce.insights.period import ReportPeriod
from coproduce.insights.reads import MemberRow, instant, member_rows, to_instant
from coproduce.insights.summary_reads import flows_by_account, help_by_month
from coproduce.ledger.models import HOUR, Account, AccountKind, Entry, Transfer, TransferKind

if TYPE_CHECKING:
    from coproduce.insights.network import Network

HELP_KINDS = (TransferKind.EXCHANGE, TransferKind.MEETING)
RETENTION_MONTHS = (3, 6, 12)
DEFAULT_ISOLATION_DAYS = 60
# A month is counted as 30 days for retention ("still active 3 months after joining").
DAYS_PER_MONTH = 30


# --- Who may read it, and for which period ---------------------------------------------------


def insights_timebank_for(person: Person, slug: str | None = None) -> TimeBank:
    """A time bank whose reports the person may read: they are an active coordinator or
    administrator of it. Anyone else is told there is no such page."""
    for membership in coordinated_memberships(person):
        if slug is None or membership.timebank.slug == slug:
            return membership.timebank
    raise NotFound(_("There is no such page."))


def insights_timebanks_for(person: Person) -> list[TimeBank]:
    """Every time bank whose reports the person may read, for the chooser on the page."""
    return [m.timebank for m in coordinated_memberships(person)]


@dataclass
class Party:
    """A node of the network: a member or an organisation, by account."""

    account_id: int
    kind: str
    name: str = ""
    public_id: str = ""  # the person's public_id, for the link to their page
    area: str = ""
    person_id: int | None = None
    last_help: datetime | None = None  # the last help given or received before the period ended


@dataclass
class Activity:
    months: list[date]
    categories: list[tuple[str, str]]  # (key, label) that had any hours, in Category order
    minutes_by_month_category: dict[tuple[date, str], int]
    exchanges_by_month: dict[date, int]
    active_by_month: dict[date, int]
    new_members_by_month: dict[date, int]
    help_minutes: int
    exchanges: int
    active_members: int
    new_members: int
    # months → (members who joined at least that long before the end, of whom still active)
    retention: dict[int, tuple[int, int]]


@dataclass
class Flow:
    """One account's credits in the period: help given (earned) and received (spent), and other
    movements (gifts, grants, adjustments)."""

    party: Party
    earned: int = 0
    spent: int = 0
    other_in: int = 0
    other_out: int = 0

    @property
    def credits_in(self) -> int:
        return self.earned + self.other_in

    @property
    def credits_out(self) -> int:
        return self.spent + self.other_out


@dataclass
class Reciprocity:
    members: list[Flow]
    organisations: list[Flow]
    chest: list[Flow]
    other: list[Flow]
    member_earned: int
    member_spent: int
    both: int
    only_give: int
    only_receive: int

    @property
    def active(self) -> int:
        return self.both + self.only_give + self.only_receive

    @property
    def spend_earn_ratio(self) -> float | None:
        """Hours members received for each hour they gave."""
        return self.member_spent / self.member_earned if self.member_earned else None

    def totals(self) -> dict[str, int]:
        """Credits in and out of every account, all kinds together: equals the ledger's."""
        flows = self.members + self.organisations + self.chest + self.other
        return {
            "credits_in": sum(f.credits_in for f in flows),
            "credits_out": sum(f.credits_out for f in flows),
            "help_minutes": sum(f.earned for f in flows),
        }


@dataclass
class Value:
    hours_minutes: int
    hourly_value_pence: int

    @property
    def pence(self) -> int:
        return self.hours_minutes * self.hourly_value_pence // 60


@dataclass
class Report:
    timebank: TimeBank
    period: ReportPeriod
    activity: Activity
    reciprocity: Reciprocity
    network: Network
    outcomes: Outcomes | None
    value: Value
    generated_at: datetime = field(default_factory=timezone.now)


# --- Building it -----------------------------------------------------------------------------


def _reversed(timebank: TimeBank) -> Any:
    """Ids of transfers that were reversed: a small set, excluded with NOT IN. (A LEFT JOIN ...
    IS NULL on `reversed_by` made PostgreSQL expect one row and pick a million index lookups.)
    `reverses_id > 0` rather than IS NOT NULL, which SQLite reads by scanning every transfer
    (`summary_reads.REVERSED_TRANSFERS`)."""
    return Transfer.objects.filter(
        timebank=timebank, kind=TransferKind.REVERSAL, reverses_id__gt=0
    ).values("reverses_id")


def _counted_entries(timebank: TimeBank) -> Any:
    """Hour entries of the time bank, without reversed transfers and reversals. Entries carry
    their transfer's `occurred_at` and `kind`, so none of the report's ledger queries joins
    the entries to their transfers."""
    return (
        Entry.objects.filter(timebank=timebank, unit=HOUR)
        .exclude(kind=TransferKind.REVERSAL)
        .exclude(transfer_id__in=_reversed(timebank))
    )


def counted_pairings(timebank: TimeBank) -> Any:
    """Who helped whom in the time bank's confirmed exchanges, without reversed ones."""
    return Pairing.objects.filter(timebank=timebank).exclude(transfer_id__in=_reversed(timebank))


def _in_period(period: ReportPeriod) -> Q:
    return Q(occurred_at__gte=period.starts_at, occurred_at__lt=period.ends_before)


def _month_of(number: int) -> date:
    return date(number // 100, number % 100, 1)


def parties_in(timebank: TimeBank, period: ReportPeriod, *, named: bool = True) -> dict[int, Party]:
    """Every hour account of the time bank with its owner's name and area, and when it last
    gave or received help before the period's end (`last_help`: from the kept summary, one row
    per account, when it has been built, `insights.last_help`; else a look-up per account
    through the entries' (account, occurred_at) index, not a scan of the whole history). One
    query, and two more for the kept summary (how far it goes, and its rows). `named=False`
    (the funder's report) leaves out each person's public id and area, which only the
    coordinator's named views use (links to people's pages, the network picture)."""
    parties: dict[int, Party] = {}
    area = Membership.objects.filter(timebank=timebank, person_id=OuterRef("person_id"))
    kept = last_help_by_account(timebank.pk, period)
    latest_help = (
        Entry.objects.filter(
            account_id=OuterRef("pk"), kind__in=HELP_KINDS, occurred_at__lt=period.ends_before
        )
        .exclude(transfer_id__in=_reversed(timebank))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    rows = (
        Account.objects.filter(timebank=timebank, unit=HOUR)
        .annotate(
            area=Subquery(area.values("area")[:1]) if named else V(""),
            last_help=(
                instant(Subquery(latest_help))
                if kept is None
                else V(None, output_field=IntegerField())
            ),
        )
        .values_list(
            "id",
            "kind",
            "name",
            "person_id",
            "person__public_id" if named else V(None, output_field=UUIDField()),
            "person__first_name",
            "person__last_name",
            "person__username",
            "organisation__name",
            "area",
            "last_help",
        )
    )
    for (
        account_id,
        kind,
        name,
        person_id,
        public_id,
        first,
        last,
        username,
        org,
        area_,
        last_help,
    ) in rows:
        if kind == AccountKind.MEMBER:
            label = f"{first} {last}".strip() or username or ""
        elif kind == AccountKind.ORGANISATION:
            label = org or name
        elif kind == AccountKind.CHEST:
            label = str(_("Community chest"))
        else:
            label = name or kind
        parties[account_id] = Party(
            account_id=account_id,
            kind=kind,
            name=label,
            public_id=str(public_id) if public_id else "",
            area=area_ or "",
            person_id=person_id,
            last_help=to_instant(last_help if kept is None else kept.get(account_id)),
        )
    return parties


@dataclass
class _AccountMonths:
    """The period's ledger entries, read once (`account_months`): per account, the hours it
    moved in the period and the months of the period in which it gave or received help."""

    # account → (earned, spent, other_in, other_out) in the period, for accounts with any entry
    flows: dict[int, tuple[int, int, int, int]]
    active_months: dict[int, list[date]]  # account → months of the period with help


MONTH_BITS = 60  # months per bit-set column: 2**59 still fits a signed 64-bit integer


def account_months(timebank: TimeBank, period: ReportPeriod) -> _AccountMonths:
    """One statement over the period's hour entries, grouped by account: the reciprocity flows
    and the months each account was active (as bit sets). Most of it read from the kept
    summaries of the ledger when they are there (`insights.summary`), to the same figures."""
    months = period.months()
    chunks = range(0, len(months), MONTH_BITS)
    flows: dict[int, tuple[int, int, int, int]] = {}
    active: dict[int, list[date]] = {}
    # Most accounts share a few bit sets (active every month, say): each is decoded once, into
    # a list the accounts share (read only).
    decoded: dict[tuple[int, ...], list[date]] = {}
    for account_id, earned, spent, other_in, other_out, *sets in flows_by_account(
        timebank.pk, period, MONTH_BITS
    ):
        flows[account_id] = (earned, spent, other_in, other_out)
        key = tuple(sets)
        found = decoded.get(key)
        if found is None:
            found = decoded[key] = [
                months[first + i]
                for first, bit_set in zip(chunks, sets, strict=True)
                if bit_set
                for i in range(min(MONTH_BITS, len(months) - first))
                if bit_set >> i & 1
            ]
        if found:
            active[account_id] = found
    return _AccountMonths(flows=flows, active_months=active)


def last_help_of_people(parties: dict[int, Party]) -> dict[int, datetime]:
    """When each member last gave or received help, by person (from their member accounts)."""
    last: dict[int, datetime] = {}
    for party in parties.values():
        when = party.last_help
        if when is None or party.kind != AccountKind.MEMBER or party.person_id is None:
            continue
        known = last.get(party.person_id)
        if known is None or when > known:
            last[party.person_id] = when
    return last


def _help_by_month_and_category(
    timebank: TimeBank, period: ReportPeriod
) -> tuple[dict[tuple[date, str], int], dict[date, int]]:
    """Minutes of help by month and category, and exchanges by month (two queries).

    Exchanges: the period's pairings grouped by month and category, the months wholly in the
    period from the kept summaries (`insights.summary_reads.help_by_month`), the rest read in date
    order from a covering index. Co-design meetings are help too, with no
    category: their positive entries by month, found through the transfers' dates."""
    rows = help_by_month(timebank.pk, period)  # kept summaries and live pairings
    minutes: dict[tuple[date, str], int] = defaultdict(int)
    exchanges: dict[date, int] = defaultdict(int)
    for number, category, sum_, count in rows:
        m = _month_of(number)
        minutes[(m, category or "other")] += sum_
        exchanges[m] += count

    month = _month_number(period, "transfer__occurred_at")
    meetings = (
        Entry.objects.filter(
            transfer__timebank=timebank,
            transfer__kind=TransferKind.MEETING,
            transfer__occurred_at__gte=period.starts_at,
            transfer__occurred_at__lt=period.ends_before,
            unit=HOUR,
            amount__gt=0,
        )
        .exclude(transfer_id__in=_reversed(timebank))
        .annotate(month=month)
        .values("month")
        .annotate(minutes=Sum("amount"))
        .values_list("month", "minutes")
        .order_by()
    )
    for number, sum_ in meetings:
        minutes[(_month_of(number), "meeting")] += sum_
    return dict(minutes), {m: n for m, n in exchanges.items() if n}


def _unpaired_help_by_month(
    timebank: TimeBank, period: ReportPeriod
) -> list[tuple[date, int, int]]:
    """Minutes and transfers of exchange-kind help in the period that has no pairing, by
    month: help posted straight to the ledger rather than through an exchange."""
    rows = (
        _counted_entries(timebank)
        .filter(_in_period(period), kind=TransferKind.EXCHANGE, amount__gt=0)
        .exclude(transfer_id__in=Pairing.objects.filter(timebank=timebank).values("transfer_id"))
        .annotate(month=_month_number(period))
        .values("month")
        .annotate(minutes=Sum("amount"), transfers=Count("transfer_id", distinct=True))
        .values_list("month", "minutes", "transfers")
        .order_by()
    )
    return [(_month_of(number), n, t) for number, n, t in rows]


def _month_number(period: ReportPeriod, field: str = "occurred_at") -> Case:
    """The month of the period a row's `field` falls in, as year * 100 + month, by comparing
    with the instants the period's months end (worked out here in the time zone: no
    conversion per row in the database)."""
    return Case(
        *(
            When(**{f"{field}__lt": upper}, then=V(m.year * 100 + m.month))
            for m, _lower, upper in period.month_bounds()
        ),
        default=None,
        output_field=IntegerField(),
    )


def activity_for(
    timebank: TimeBank,
    period: ReportPeriod,
    last_help: dict[int, datetime] | None = None,
    parties: dict[int, Party] | None = None,
    months: _AccountMonths | None = None,
    members: list[MemberRow] | None = None,
) -> Activity:
    if members is None:
        members = member_rows(timebank)
    if parties is None:
        parties = parties_in(timebank, period)
    if months is None:
        months = account_months(timebank, period)
    if last_help is None:
        last_help = last_help_of_people(parties)
    minutes, exchanges = _help_by_month_and_category(timebank, period)
    # Exchanges come from their pairings, which the exchange services write with every
    # exchange's transfer. The ledger's own help total (the flows) says whether any help was
    # posted some other way (an exchange-kind transfer with no exchange, by a script): only
    # then, one more query finds it, by month, as "other help", so the figures still add up to
    # the ledger's.
    ledger_help = sum(earned for earned, _spent, _in, _out in months.flows.values())
    if ledger_help != sum(minutes.values()):
        for m, unpaired, transfers in _unpaired_help_by_month(timebank, period):
            minutes[(m, "other")] = minutes.get((m, "other"), 0) + unpaired
            exchanges[m] = exchanges.get(m, 0) + transfers

    # Members who gave or received help, each month and in the whole period. Accounts share
    # their lists of months (`account_months`): members are counted per list, then each list's
    # months by that count, instead of month by month for every member.
    active_by_month: dict[date, int] = defaultdict(int)
    lists: dict[int, list[date]] = {}
    members_with: dict[int, int] = defaultdict(int)
    active_members = 0
    for account_id, active_months in months.active_months.items():
        party = parties.get(account_id)
        if party is not None and party.kind == AccountKind.MEMBER:
            key = id(active_months)
            lists[key] = active_months
            members_with[key] += 1
            active_members += 1
    for key, count in members_with.items():
        for m in lists[key]:
            active_by_month[m] += count

    # Members whose membership was activated in the period, by month (in the time zone).
    joined: dict[date, int] = defaultdict(int)
    starts_at, ends_before = period.starts_at, period.ends_before
    month_ends = [upper for _m, _lower, upper in period.month_bounds()]
    period_months = period.months()
    for _person, _active, activated_at, _applied in members:
        if activated_at is not None and starts_at <= activated_at < ends_before:
            joined[period_months[bisect_right(month_ends, activated_at)]] += 1
    new_by_month = dict(joined)

    used = {key for (_m, key) in minutes}
    categories = [(c.value, str(c.label)) for c in Category if c.value in used]
    if "meeting" in used:
        categories.append(("meeting", str(_("Co-design meetings"))))
    if "other" in used:
        categories.append(("other", str(_("Other help"))))

    return Activity(
        months=period.months(),
        categories=categories,
        minutes_by_month_category=dict(minutes),
        exchanges_by_month=dict(exchanges),
        active_by_month=active_by_month,
        new_members_by_month=new_by_month,
        help_minutes=sum(minutes.values()),
        exchanges=sum(exchanges.values()),
        active_members=active_members,
        new_members=sum(new_by_month.values()),
        retention=_retention(period, last_help, members),
    )


def _retention(
    period: ReportPeriod, last: dict[int, datetime], members: list[MemberRow]
) -> dict[int, tuple[int, int]]:
    """For 3, 6 and 12 months: of the members who joined at least that long before the end of
    the period, how many gave or received help on or after that many months after joining
    (every member-role membership activated before the end, whatever its status now).

    The instants are `to_instant`'s (UTC), so "joined + span <= end" is "joined <= end - span"
    and "last help >= joined + span" is "last help - joined >= span": each member's gap is
    worked out once, the members sorted by when they joined, and each span's cohort is a
    prefix of them (no datetime sum per member and span)."""
    ends_before = period.ends_before
    joined: list[tuple[datetime, timedelta | None]] = []
    for person_id, _active, activated_at, _applied in members:
        if activated_at is not None and activated_at < ends_before:
            seen = last.get(person_id)
            joined.append((activated_at, None if seen is None else seen - activated_at))
    joined.sort(key=itemgetter(0))
    starts = [activated_at for activated_at, _gap in joined]
    ends_utc = ends_before.astimezone(UTC)
    result = {}
    for months in RETENTION_MONTHS:
        span = timedelta(days=months * DAYS_PER_MONTH)
        cohort = bisect_right(starts, ends_utc - span)
        still = sum(1 for _at, gap in joined[:cohort] if gap is not None and gap >= span)
        result[months] = (cohort, still)
    return result


def reciprocity_for(
    timebank: TimeBank,
    period: ReportPeriod,
    parties: dict[int, Party],
    months: _AccountMonths | None = None,
) -> Reciprocity:
    if months is None:
        months = account_months(timebank, period)
    sums = months.flows
    groups: dict[str, list[Flow]] = defaultdict(list)
    for account_id, (earned, spent, other_in, other_out) in sums.items():
        party = parties[account_id]
        flow = Flow(
            party=party, earned=earned, spent=-spent, other_in=other_in, other_out=-other_out
        )
        groups[party.kind].append(flow)
    members = sorted(groups[AccountKind.MEMBER], key=lambda f: f.party.name.lower())
    helpers = [f for f in members if f.earned or f.spent]
    return Reciprocity(
        members=members,
        organisations=sorted(groups[AccountKind.ORGANISATION], key=lambda f: f.party.name),
        chest=groups[AccountKind.CHEST],
        other=[f for kind, flows in groups.items() if kind not in _KNOWN for f in flows],
        member_earned=sum(f.earned for f in members),
        member_spent=sum(f.spent for f in members),
        both=sum(1 for f in helpers if f.earned and f.spent),
        only_give=sum(1 for f in helpers if f.earned and not f.spent),
        only_receive=sum(1 for f in helpers if f.spent and not f.earned),
    )


_KNOWN = {AccountKind.MEMBER, AccountKind.ORGANISATION, AccountKind.CHEST}
