# ruff: noqa: S608 -- the SQL built here takes only placeholders and whole numbers it makes
"""Kept summaries of the append-only ledger for the insights report, and how they are kept.

The ledger's entries are never changed or deleted, so a sum of the entries up to some id stays
right forever. `AccountMonth` keeps, per account and month of the installation's time zone,
the sums of every hour entry up to `SummaryState.watermark` (reversals' own entries left out;
entries of transfers reversed later left in), and `AccountQuarter` the same per account and
quarter (the sums of its three months, folded with them). The report
(`summary_reads.flows_by_account`) adds up, in one statement:

- the summary's rows for the months wholly inside the period, a quarter's three in one row;
- live, the entries above the watermark in those months (an index range on the entries' id:
  whatever was posted, imported with an old date, or reversed since the last refresh);
- live, the entries in the parts of months the period's first and last days cut (through the
  entries' (account, occurred_at) index, account by account);
- minus, live, the entries up to the watermark of transfers reversed since (or before: the
  summary does not know), found through the reversed transfers: few.

So the figures are exactly those of the plain query over the period's entries, whatever the
watermark, and postings cost nothing more. The pairings are kept the same way in `HelpMonth`
(help by month and category) and `TieSpan` (each pair's first and last exchange, for the
funder's ties: `tie_reads.ties_by_pair`), and each account's last help in `LastHelp`
(`last_help.last_help_by_account`), each up to its own watermark. `summary_refresh`
moves the watermarks on, folding what is above them in; it runs where it is safe to write
(the `coproduce insights refresh` command an operator schedules), never in a report and never
per posting.

Why the watermark is exact: an entry's id is drawn when it is inserted, before its transaction
commits, so "the largest id visible now" could pass over an id a slower transaction still holds.
`summary_refresh` takes the largest id only once no posting is under way: on PostgreSQL under
`LOCK TABLE ledger_account IN EXCLUSIVE MODE`, which waits for every transaction that has locked
accounts (`transfer_post` locks its accounts `FOR UPDATE` before it inserts entries, the only
place entries are inserted) and holds new ones back until it has read; on SQLite writers take
turns (`BEGIN IMMEDIATE`) and each commits its ids above every id committed before it.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections, router, transaction
from django.db.models import F, Max, Min
from django.utils import timezone

from coproduce.exchanges.models import Pairing
from coproduce.insights.models import (
    AccountMonth,
    AccountQuarter,
    HelpMonth,
    LastHelp,
    SummaryState,
    TieSpan,
)
from coproduce.ledger.models import HOUR, Entry, TransferKind

STATE_ID = 1
FOLD_IDS = 250_000  # entry ids folded per transaction: short write transactions
FOLD_MONTHS = 120  # months per folding statement (an import can reach far back)
LOCK_TIMEOUT = "5s"  # how long the refresh waits for postings under way before giving up

_HELP = (TransferKind.EXCHANGE.value, TransferKind.MEETING.value)
_REVERSAL = TransferKind.REVERSAL.value

# An entry's four sums and two counts, per row: the columns of AccountMonth.
_PER_ENTRY = """
    CASE WHEN e.kind IN (%s, %s) AND e.amount > 0 THEN e.amount ELSE 0 END,
    CASE WHEN e.kind IN (%s, %s) AND e.amount < 0 THEN e.amount ELSE 0 END,
    CASE WHEN e.kind NOT IN (%s, %s) AND e.amount > 0 THEN e.amount ELSE 0 END,
    CASE WHEN e.kind NOT IN (%s, %s) AND e.amount < 0 THEN e.amount ELSE 0 END,
    CASE WHEN e.kind IN (%s, %s) THEN 1 ELSE 0 END"""
_PER_ENTRY_PARAMS = list(_HELP) * 5


_COLUMNS = ("earned", "spent", "other_in", "other_out", "h", "n")


def _sums(sign: str = "", *, named: bool = False) -> str:
    """The six summed columns of a group of entries (`sign` "-" to take them away), named as
    the report's statement reads them when `named`."""
    cols = [c.strip().rstrip(",") for c in _PER_ENTRY.strip().split("\n")]
    sums = [f"{sign}SUM({c})" for c in cols] + [f"{sign}COUNT(*)"]
    if named:
        sums = [f"{s} AS {name}" for s, name in zip(sums, _COLUMNS, strict=True)]
    return ", ".join(sums)


def _month_start(m: date, tz: Any) -> datetime:
    return datetime.combine(m, time.min, tzinfo=tz)


def _next_month(m: date) -> date:
    return date(m.year + m.month // 12, m.month % 12 + 1, 1)


# --- Refreshing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refreshed:
    watermark: int
    folded: int  # entry ids passed over this time
    rebuilt: bool


class SummaryBusy(Exception):
    """Postings stayed under way longer than LOCK_TIMEOUT: try again later."""


def summary_refresh(*, rebuild: bool = False) -> Refreshed:
    """Fold every settled entry and pairing above the watermarks into the summaries (on the
    primary). Rebuilt from nothing when asked, or when the installation's time zone has changed
    since they were built. Safe to run while the app runs, and twice at once (each fold takes
    the state row's lock and checks where the other left it)."""
    using = router.db_for_write(SummaryState)
    tz_name = settings.TIME_ZONE
    with transaction.atomic(using=using):
        state = _state_locked(using)
        rebuilt = rebuild or state.time_zone != tz_name
        if rebuilt:
            AccountMonth.objects.using(using).all()._raw_delete(using)
            AccountQuarter.objects.using(using).all()._raw_delete(using)
            HelpMonth.objects.using(using).all()._raw_delete(using)
            TieSpan.objects.using(using).all()._raw_delete(using)
            LastHelp.objects.using(using).all()._raw_delete(using)
            state.watermark = state.pairing_watermark = state.tie_watermark = 0
            state.last_help_watermark = 0
            state.latest_at = None
            state.time_zone = tz_name
            state.save(using=using)
    start = state.watermark
    tops = _settled_tops(using)
    ends = []
    # Each watermark, how far it can go, and its fold (which says the latest `occurred_at` it
    # folded into the account months, or None).
    folds: list[tuple[str, int, Callable[[int, int, str], datetime | None]]] = [
        ("watermark", tops[0], _fold),
        ("pairing_watermark", tops[1], _fold_pairings),
        ("tie_watermark", tops[1], _fold_ties),
        ("last_help_watermark", tops[0], _fold_last_help),
    ]
    for mark, top, fold in folds:
        low = getattr(state, mark)
        while low < top:
            high = min(top, low + FOLD_IDS)
            with transaction.atomic(using=using):
                state = _state_locked(using)
                if state.time_zone != tz_name:
                    break  # rebuilt elsewhere in another time zone meanwhile
                low = getattr(state, mark)
                if low >= high:
                    continue
                latest = fold(low, high, using)
                if latest is not None:
                    state.latest_at = max(latest, state.latest_at or latest)
                setattr(state, mark, high)
                state.refreshed_at = timezone.now()
                state.save(using=using)
            low = high
        ends.append(low)
    end = max(ends[0], start)
    return Refreshed(watermark=end, folded=end - start, rebuilt=rebuilt)


def _state_locked(using: str) -> SummaryState:
    """The state row, locked for this transaction. Written first, so that on SQLite the
    transaction takes the write lock before it reads anything (a transaction that read first
    could not write once another had committed)."""
    SummaryState.objects.using(using).filter(pk=STATE_ID).update(watermark=F("watermark"))
    state = SummaryState.objects.using(using).select_for_update().filter(pk=STATE_ID).first()
    if state is None:  # the migration makes it; made again if someone deleted it
        state = SummaryState.objects.using(using).create(pk=STATE_ID)
    return state


def _settled_tops(using: str) -> tuple[int, int]:
    """The largest entry id and pairing id below which every one is committed (or never will
    be). Pairings are written in the transaction of their exchange's transfer, after it, while
    its accounts are still locked (exchanges.services.pairings)."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # EXCLUSIVE conflicts with the ROW SHARE lock that `FOR UPDATE` takes on the table:
            # granted once every posting under way has ended; postings that start meanwhile
            # wait until this transaction ends, a moment later, and draw higher ids.
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
            try:
                cursor.execute("LOCK TABLE ledger_account IN EXCLUSIVE MODE")
            except OperationalError as exc:  # lock_timeout
                raise SummaryBusy(str(exc)) from exc
        # SQLite: writers take turns, so whatever this reads was committed in id order.
        cursor.execute(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM ledger_entry),"
            " (SELECT COALESCE(MAX(id), 0) FROM exchanges_pairing)"
        )
        entries, pairings = cursor.fetchone()
        return int(entries), int(pairings)


def _fold(low: int, high: int, using: str) -> datetime | None:
    """Add the entries with low < id <= high to the summaries, by account and local month;
    the latest `occurred_at` among them (None: none)."""
    entries = (
        Entry.objects.using(using)
        .filter(id__gt=low, id__lte=high, unit=HOUR)
        .exclude(kind=_REVERSAL)
        .aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    )
    if entries["first"] is None:
        return None
    connection = connections[using]
    adapt = connection.ops.adapt_datetimefield_value
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)  # as ReportPeriod cuts months
    first = timezone.localtime(entries["first"], tz).date().replace(day=1)
    last = timezone.localtime(entries["last"], tz).date().replace(day=1)
    months = [first]
    while months[-1] < last:
        months.append(_next_month(months[-1]))
    for i in range(0, len(months), FOLD_MONTHS):
        chunk = months[i : i + FOLD_MONTHS]
        whens = " ".join(f"WHEN e.occurred_at < %s THEN {m.year * 100 + m.month}" for m in chunk)
        when_params = [adapt(_month_start(_next_month(m), tz)) for m in chunk]
        sql = f"""
            INSERT INTO insights_accountmonth (timebank_id, account_id, month, earned, spent,
                other_in, other_out, help_entries, entries)
            SELECT e.timebank_id, e.account_id, CASE {whens} END, {_sums()}
            FROM ledger_entry e
            WHERE e.id > %s AND e.id <= %s AND e.unit = %s AND e.kind <> %s
                AND e.occurred_at >= %s AND e.occurred_at < %s
            GROUP BY 1, 2, 3
            ON CONFLICT (timebank_id, month, account_id) DO UPDATE SET
                earned = insights_accountmonth.earned + excluded.earned,
                spent = insights_accountmonth.spent + excluded.spent,
                other_in = insights_accountmonth.other_in + excluded.other_in,
                other_out = insights_accountmonth.other_out + excluded.other_out,
                help_entries = insights_accountmonth.help_entries + excluded.help_entries,
                entries = insights_accountmonth.entries + excluded.entries
        """
        params = [
            *when_params,
            *_PER_ENTRY_PARAMS,
            low,
            high,
            HOUR,
            _REVERSAL,
            adapt(_month_start(chunk[0], tz)),
            adapt(_month_start(_next_month(chunk[-1]), tz)),
        ]
        # The same entries by account and quarter (`AccountQuarter`): the month groups above,
        # added up three months at a time, with the months of help as bits.
        in_quarter = "(m.month %% 100 - 1) %% 3"
        quarters = f"""
            INSERT INTO insights_accountquarter (timebank_id, account_id, quarter, earned, spent,
                other_in, other_out, help_months, entries)
            SELECT m.timebank_id, m.account_id, m.month - {in_quarter}, SUM(m.earned),
                SUM(m.spent), SUM(m.other_in), SUM(m.other_out),
                SUM(CASE WHEN m.h > 0 THEN 1 << {in_quarter} ELSE 0 END), SUM(m.n)
            FROM (SELECT e.timebank_id AS timebank_id, e.account_id AS account_id,
                    CASE {whens} END AS month, {_sums(named=True)}
                FROM ledger_entry e
                WHERE e.id > %s AND e.id <= %s AND e.unit = %s AND e.kind <> %s
                    AND e.occurred_at >= %s AND e.occurred_at < %s
                GROUP BY 1, 2, 3) m
            WHERE true
            GROUP BY 1, 2, 3
            ON CONFLICT (timebank_id, quarter, account_id) DO UPDATE SET
                earned = insights_accountquarter.earned + excluded.earned,
                spent = insights_accountquarter.spent + excluded.spent,
                other_in = insights_accountquarter.other_in + excluded.other_in,
                other_out = insights_accountquarter.other_out + excluded.other_out,
                help_months = insights_accountquarter.help_months | excluded.help_months,
                entries = insights_accountquarter.entries + excluded.entries
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.execute(quarters, params)
    latest: datetime = entries["last"]
    return latest


# --- Help by month and category ----------------------------------------------------------------


def _fold_pairings(low: int, high: int, using: str) -> None:
    """Add the pairings with low < id <= high to the summaries, by month and category."""
    found = (
        Pairing.objects.using(using)
        .filter(id__gt=low, id__lte=high)
        .aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    )
    if found["first"] is None:
        return
    connection = connections[using]
    adapt = connection.ops.adapt_datetimefield_value
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    first = timezone.localtime(found["first"], tz).date().replace(day=1)
    last = timezone.localtime(found["last"], tz).date().replace(day=1)
    months = [first]
    while months[-1] < last:
        months.append(_next_month(months[-1]))
    for i in range(0, len(months), FOLD_MONTHS):
        chunk = months[i : i + FOLD_MONTHS]
        whens = " ".join(f"WHEN p.occurred_at < %s THEN {m.year * 100 + m.month}" for m in chunk)
        sql = f"""
            INSERT INTO insights_helpmonth (timebank_id, month, category, minutes, exchanges,
                pairings)
            SELECT p.timebank_id, CASE {whens} END, p.category, SUM(p.minutes),
                SUM(CASE WHEN p.counts_exchange THEN 1 ELSE 0 END), COUNT(*)
            FROM exchanges_pairing p
            WHERE p.id > %s AND p.id <= %s AND p.occurred_at >= %s AND p.occurred_at < %s
            GROUP BY 1, 2, 3
            ON CONFLICT (timebank_id, month, category) DO UPDATE SET
                minutes = insights_helpmonth.minutes + excluded.minutes,
                exchanges = insights_helpmonth.exchanges + excluded.exchanges,
                pairings = insights_helpmonth.pairings + excluded.pairings
        """
        params = [
            *[adapt(_month_start(_next_month(m), tz)) for m in chunk],
            low,
            high,
            adapt(_month_start(chunk[0], tz)),
            adapt(_month_start(_next_month(chunk[-1]), tz)),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


# --- The ties' first and last exchange ----------------------------------------------------------


def _fold_ties(low: int, high: int, using: str) -> None:
    """Fold the pairings with low < id <= high into their pairs' first and last exchange
    (`TieSpan`; an account paired with itself is no tie)."""
    connection = connections[using]
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    sql = f"""
        INSERT INTO insights_tiespan (timebank_id, one_id, other_id, first_at, last_at)
        SELECT p.timebank_id, {least}(p.receiver_id, p.provider_id),
            {greatest}(p.receiver_id, p.provider_id), MIN(p.occurred_at), MAX(p.occurred_at)
        FROM exchanges_pairing p
        WHERE p.id > %s AND p.id <= %s AND p.receiver_id <> p.provider_id
        GROUP BY 1, 2, 3
        ON CONFLICT (timebank_id, one_id, other_id) DO UPDATE SET
            first_at = {least}(insights_tiespan.first_at, excluded.first_at),
            last_at = {greatest}(insights_tiespan.last_at, excluded.last_at)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [low, high])


# --- Each account's last help ---------------------------------------------------------------------


def _fold_last_help(low: int, high: int, using: str) -> None:
    """Fold the hour entries of help (exchanges, meetings) with low < id <= high into their
    accounts' last help (`LastHelp`)."""
    connection = connections[using]
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    sql = f"""
        INSERT INTO insights_lasthelp (timebank_id, account_id, last_at)
        SELECT e.timebank_id, e.account_id, MAX(e.occurred_at)
        FROM ledger_entry e
        WHERE e.id > %s AND e.id <= %s AND e.unit = %s AND e.kind IN (%s, %s)
        GROUP BY 1, 2
        ON CONFLICT (timebank_id, account_id) DO UPDATE SET
            last_at = {greatest}(insights_lasthelp.last_at, excluded.last_at)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [low, high, HOUR, *_HELP])
