"""Reading the insights report's kept summaries of the ledger (`insights.summary`, which keeps
them and says why they are exact): the period's flows by account, and help by month and
category, each in one statement that adds the summaries, what was written since their
watermark, and what the period's ends cut, and takes out what was reversed."""

# ruff: noqa: S608 -- the SQL built here takes only placeholders and whole numbers it makes
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, router

from coproduce.exchanges.models import Pairing
from coproduce.insights.models import SummaryState
from coproduce.insights.period import ReportPeriod
from coproduce.insights.summary import (
    _COLUMNS,
    _PER_ENTRY,
    _PER_ENTRY_PARAMS,
    _REVERSAL,
    STATE_ID,
    _month_start,
    _next_month,
    _sums,
)
from coproduce.ledger.models import HOUR, Entry

# --- Reading ----------------------------------------------------------------------------------

# The time bank's reversed transfers (few), with its id and the reversal kind as parameters.
# `reverses_id > 0`, not IS NOT NULL: SQLite reads IS NOT NULL by scanning every transfer (a
# million at 1,000,000 exchanges, 0.3 s each time a statement names it), `> 0` as a range of the
# unique index on reverses_id; the same for PostgreSQL.
REVERSED_TRANSFERS = (
    "SELECT t.reverses_id FROM ledger_transfer t WHERE t.reverses_id > 0 AND t.timebank_id = %s"
    " AND t.kind = %s"
)

W = TypeVar("W")
Statement = tuple[str, list[Any]]


def _fetch(connection: Any, statement: Statement) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return cursor.fetchall()


def read_at_watermark(
    connection: Any,
    mark: Callable[[], W | None],
    statement: Callable[[W], Statement],
    moved: Callable[[list[Any]], bool],
    live: Callable[[], Statement] | None = None,
) -> list[Any] | None:
    """The rows of `statement` built on the watermark `mark()` reads, read again (up to three
    times) when its check row says a refresh `moved` the watermark in between. When the
    summary cannot be used (no watermark) or keeps moving: the rows of `live`, a statement
    reading the ledger alone, or without one None (the caller reads its own way)."""
    for _attempt in range(3):
        watermark = mark()
        if watermark is None:
            break
        rows = _fetch(connection, statement(watermark))
        if not moved(rows):
            return rows
    return None if live is None else _fetch(connection, live())


def _first_is_check(rows: list[Any]) -> bool:
    # The check row, when there is one, sorts first (its account is -1).
    return bool(rows) and rows[0][0] == -1


# account → (earned, spent, other_in, other_out, month bit sets...) for accounts with any
# counted entry in the period
FlowRow = tuple[int, ...]


def flows_by_account(timebank_id: int, period: ReportPeriod, month_bits: int) -> list[FlowRow]:
    """The period's counted hour entries grouped by account: the four sums and, for each run
    of `month_bits` months of the period, the months with help as a bit set. The summary is
    used when it is in the installation's time zone; the statement also says if a refresh
    moved the watermark between reading it and reading the summary, and then it is read again."""
    using = router.db_for_read(Entry)
    connection = connections[using]

    def mark() -> tuple[int, datetime | None] | None:
        # The account months' watermark, with the latest date of the entries they hold.
        row = _usable_state(using, "watermark", "latest_at")
        return None if row is None else (row[0], row[2])

    rows = read_at_watermark(
        connection,
        mark,
        lambda marked: _flows_statement(connection, timebank_id, period, month_bits, *marked),
        _first_is_check,
        live=lambda: _flows_statement(connection, timebank_id, period, month_bits, None, None),
    )
    return rows or []


def _usable_watermark(using: str, mark: str = "watermark") -> int | None:
    """The summaries' watermark `mark` (`watermark`, `pairing_watermark` or `tie_watermark`),
    or None when they cannot be used: never refreshed, or folded in another time zone."""
    row = _usable_state(using, mark)
    return None if row is None else row[0]


def _usable_state(using: str, mark: str, *more: str) -> tuple[Any, ...] | None:
    # The state's row as (mark, time zone, *more), or None when the summaries cannot be used.
    row = (
        SummaryState.objects.using(using)
        .filter(pk=STATE_ID)
        .values_list(mark, "time_zone", *more)
        .first()
    )
    if row is None or row[1] != settings.TIME_ZONE or row[0] <= 0:
        return None
    return row


def _flows_statement(
    connection: Any,
    timebank_id: int,
    period: ReportPeriod,
    month_bits: int,
    watermark: int | None,
    latest: datetime | None = None,
) -> tuple[str, list[Any]]:
    """The statement: rows of (account, month of the period, sums, help entries, entries) —
    summary rows net of what was reversed or lies outside the period, and live entries —
    grouped by account. `latest`, the latest date the summary holds: a last month the period
    cuts after it is read as a whole month (its summary rows hold nothing later)."""
    adapt = connection.ops.adapt_datetimefield_value
    postgres = connection.vendor == "postgresql"
    tz = period.tz
    bounds = period.month_bounds()
    month_of = (
        "CASE " + " ".join(f"WHEN e.occurred_at < %s THEN {i}" for i in range(len(bounds))) + " END"
    )
    month_params = [adapt(upper) for _m, _lower, upper in bounds]
    counted = (
        "e.timebank_id = %s AND e.unit = %s AND e.kind <> %s AND e.transfer_id NOT IN ("
        f"{REVERSED_TRANSFERS})"
    )
    counted_params = [timebank_id, HOUR, _REVERSAL, timebank_id, _REVERSAL]
    reversed_ids = (
        f"e.transfer_id IN ({REVERSED_TRANSFERS}) AND e.timebank_id = %s AND e.unit = %s"
        " AND e.kind <> %s"
    )
    reversed_params = [timebank_id, _REVERSAL, timebank_id, HOUR, _REVERSAL]
    columns = [c.strip().rstrip(",") for c in _PER_ENTRY.strip().split("\n")]

    def per_entry(sign: str = "") -> str:
        named = [f"{sign}{c} AS {n}" for c, n in zip(columns, _COLUMNS, strict=False)]
        return ", ".join(named) + f", {sign}1 AS n"

    def by_account(lower: Any, upper: Any, sign: str = "") -> tuple[str, list[Any]]:
        """Counted entries in [lower, upper), account by account through the entries'
        (account, occurred_at) index (on PostgreSQL a LATERAL look-up, which it would
        otherwise plan as a scan of every entry)."""
        if postgres:
            source = (
                "ledger_account a CROSS JOIN LATERAL (SELECT e.account_id, e.occurred_at,"
                f" e.kind, e.amount FROM ledger_entry e WHERE e.account_id = a.id AND {counted}"
                " AND e.occurred_at >= %s AND e.occurred_at < %s OFFSET 0) e"
                " WHERE a.timebank_id = %s"
            )
        else:
            source = (
                "ledger_account a JOIN ledger_entry e ON e.account_id = a.id"
                f" WHERE {counted} AND e.occurred_at >= %s AND e.occurred_at < %s"
                " AND a.timebank_id = %s"
            )
        return (
            f"SELECT e.account_id AS account_id, {per_entry(sign)} FROM {source}",
            [*_PER_ENTRY_PARAMS, *counted_params, lower, upper, timebank_id],
        )

    # The entries since the watermark: a range of ids (SQLite would rather skip through the
    # (account, occurred_at) index over the whole period unless told not to).
    since = "ledger_entry e" if postgres else "ledger_entry e NOT INDEXED"
    live = f"SELECT e.account_id AS account_id, {month_of} AS i, {per_entry()}, 0 AS q"
    live_params = [*month_params, *_PER_ENTRY_PARAMS]
    branches: list[str] = []
    params: list[Any] = []

    # How each month of the period is read: a whole month from its summary rows (and so the
    # last month when the period ends after every date the summary holds: a period ending
    # today); a month the period cuts from its summary rows less the part outside the period
    # when that part is the smaller, else from its entries in the period; everything from the
    # entries when there is no summary to read.
    whole, complemented, live_ranges = [], [], []
    for i, (m, lower, upper) in enumerate(bounds):
        month_from, month_to = _month_start(m, tz), _month_start(_next_month(m), tz)
        if watermark is None:
            live_ranges.append((lower, upper))
        elif lower == month_from and (upper == month_to or (latest is not None and latest < upper)):
            whole.append(i)
        elif (upper - lower) * 2 > month_to - month_from:
            complemented.append(i)
        else:
            live_ranges.append((lower, upper))
    if watermark is None:
        live_ranges = [(period.starts_at, period.ends_before)]
    for lower, upper in live_ranges:
        if watermark is None:
            branches.append(
                f"{live} FROM ledger_entry e WHERE {counted}"
                " AND e.occurred_at >= %s AND e.occurred_at < %s"
            )
            params += [*live_params, *counted_params, adapt(lower), adapt(upper)]
        else:
            sql, more = by_account(adapt(lower), adapt(upper))
            i = next(n for n, b in enumerate(bounds) if b[1] == lower)
            branches.append(f"SELECT account_id, {i} AS i, earned, spent, other_in, other_out,"
                            f" h, n, 0 AS q FROM ({sql}) x")  # fmt: skip
            params += more
    if whole:
        first, last = bounds[whole[0]], bounds[whole[-1]]
        whole_from, whole_to = adapt(first[1]), adapt(last[2])
        # The summary's months wholly in the period, less the entries up to the watermark of
        # transfers reversed (the summary counts them: it does not know of reversals).
        base = bounds[0][0].year * 12 + bounds[0][0].month
        month_number = (
            "CASE "
            + " ".join(
                f"WHEN e.occurred_at < %s THEN {m.year * 100 + m.month}"
                for m, _lower, _upper in bounds[whole[0] : whole[-1] + 1]
            )
            + " END"
        )
        reversed_months = (
            f"SELECT e.account_id AS account_id, {month_number} AS month, {_sums(named=True)}"
            f" FROM ledger_entry e WHERE {reversed_ids} AND e.id <= %s"
            " AND e.occurred_at >= %s AND e.occurred_at < %s GROUP BY 1, 2"
        )
        reversed_months_params = [
            *[adapt(upper) for _m, _lower, upper in bounds[whole[0] : whole[-1] + 1]],
            *_PER_ENTRY_PARAMS,
            *reversed_params,
            watermark,
            whole_from,
            whole_to,
        ]
        index = "(s.month / 100) * 12 + s.month %% 100 - %s AS i"
        summary_months = "s.timebank_id = %s AND s.month >= %s AND s.month <= %s"
        summary_months_params = [timebank_id, _code(first[0]), _code(last[0])]
        month_columns = (
            "s.earned AS earned, s.spent AS spent, s.other_in AS other_in,"
            " s.other_out AS other_out, s.help_entries AS h, s.entries AS n, 0 AS q"
        )
        reversed_pairs = f"SELECT c.account_id, c.month FROM ({reversed_months}) c"
        # The quarters wholly among these months, read from their quarter rows (a third of the
        # rows to add up): those of an account with no reversed entry in them (nearly all).
        # Only for a period of one bit set's months (60), so no quarter straddles two.
        quarters = (
            [i for i in whole if bounds[i][0].month % 3 == 1 and i + 2 <= whole[-1]]
            if len(bounds) <= month_bits
            else []
        )
        loose = [(first, last)]  # ranges of months read from their month rows alone
        if quarters:
            q_from, q_to = _code(bounds[quarters[0]][0]), _code(bounds[quarters[-1] + 2][0])
            loose = []
            if quarters[0] > whole[0]:
                loose.append((first, bounds[quarters[0] - 1]))
            if quarters[-1] + 2 < whole[-1]:
                loose.append((bounds[quarters[-1] + 3], last))
            quarter_of = "c.month - (c.month %% 100 - 1) %% 3"
            reversed_quarters = f"SELECT c.account_id, {quarter_of} FROM ({reversed_months}) c"
            branches.append(
                "SELECT s.account_id AS account_id,"
                " (s.quarter / 100) * 12 + s.quarter %% 100 - %s AS i, s.earned AS earned,"
                " s.spent AS spent, s.other_in AS other_in, s.other_out AS other_out, 0 AS h,"
                " s.entries AS n, s.help_months AS q FROM insights_accountquarter s"
                " WHERE s.timebank_id = %s AND s.quarter >= %s AND s.quarter <= %s"
                f" AND (s.account_id, s.quarter) NOT IN ({reversed_quarters})"
            )
            params += [
                base,
                timebank_id,
                q_from,
                _code(bounds[quarters[-1]][0]),
                *reversed_months_params,
            ]
            # The months of a quarter that has a reversed entry of the account: from their
            # month rows, found from those entries (few); those with one are netted below.
            branches.append(
                f"SELECT s.account_id AS account_id, {index}, {month_columns} FROM"
                f" (SELECT DISTINCT c.account_id AS account_id, {quarter_of} + k.d AS month"
                f" FROM ({reversed_months}) c CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1"
                " UNION ALL SELECT 2) k) r JOIN insights_accountmonth s ON s.timebank_id = %s"
                " AND s.month = r.month AND s.account_id = r.account_id"
                " AND s.month >= %s AND s.month <= %s"
                f" WHERE (s.account_id, s.month) NOT IN ({reversed_pairs})"
            )
            params += [
                base,
                *reversed_months_params,
                timebank_id,
                q_from,
                q_to,
                *reversed_months_params,
            ]
        # The (account, month) rows with no reversed entry (nearly all) as they are, without a
        # join per row; the few with one, less their reversed entries.
        for lo, hi in loose:
            branches.append(
                f"SELECT s.account_id AS account_id, {index}, {month_columns}"
                f" FROM insights_accountmonth s WHERE {summary_months}"
                f" AND (s.account_id, s.month) NOT IN ({reversed_pairs})"
            )
            params += [base, timebank_id, _code(lo[0]), _code(hi[0]), *reversed_months_params]
        branches.append(
            f"SELECT s.account_id AS account_id, {index}, s.earned - c.earned AS earned,"
            " s.spent - c.spent AS spent, s.other_in - c.other_in AS other_in,"
            " s.other_out - c.other_out AS other_out, s.help_entries - c.h AS h,"
            f" s.entries - c.n AS n, 0 AS q FROM insights_accountmonth s"
            f" JOIN ({reversed_months}) c"
            f" ON c.account_id = s.account_id AND c.month = s.month WHERE {summary_months}"
        )
        params += [base, *reversed_months_params, *summary_months_params]
        # What was posted since the watermark in those months: an index range on the id.
        branches.append(
            f"{live} FROM {since} WHERE e.id > %s AND {counted}"
            " AND e.occurred_at >= %s AND e.occurred_at < %s"
        )
        params += [*live_params, watermark, *counted_params, whole_from, whole_to]
    for i in complemented:
        # The month's summary, less its reversed entries up to the watermark, plus what was
        # posted in it since, less its counted entries outside the period: its counted
        # entries in the period, netted per account.
        m, lower, upper = bounds[i]
        month_from, month_to = adapt(_month_start(m, tz)), adapt(_month_start(_next_month(m), tz))
        outside_sql: list[str] = []
        outside_params: list[Any] = []
        for lo, hi in ((month_from, adapt(lower)), (adapt(upper), month_to)):
            if lo != hi:
                sql, more = by_account(lo, hi, "-")
                outside_sql.append(sql)
                outside_params += more
        parts = [
            "SELECT s.account_id AS account_id, s.earned AS earned, s.spent AS spent,"
            " s.other_in AS other_in, s.other_out AS other_out, s.help_entries AS h,"
            " s.entries AS n FROM insights_accountmonth s"
            " WHERE s.timebank_id = %s AND s.month = %s",
            f"SELECT e.account_id AS account_id, {per_entry('-')} FROM ledger_entry e"
            f" WHERE {reversed_ids} AND e.id <= %s AND e.occurred_at >= %s"
            " AND e.occurred_at < %s",
            f"SELECT e.account_id AS account_id, {per_entry()} FROM {since}"
            f" WHERE e.id > %s AND {counted} AND e.occurred_at >= %s AND e.occurred_at < %s",
            *outside_sql,
        ]
        branches.append(
            f"SELECT account_id, {i} AS i, SUM(earned) AS earned, SUM(spent) AS spent,"
            " SUM(other_in) AS other_in, SUM(other_out) AS other_out, SUM(h) AS h, SUM(n) AS n,"
            " 0 AS q FROM (" + " UNION ALL ".join(parts) + ") x GROUP BY account_id"
        )
        params += [
            timebank_id,
            m.year * 100 + m.month,
            *_PER_ENTRY_PARAMS,
            *reversed_params,
            watermark,
            month_from,
            month_to,
            *_PER_ENTRY_PARAMS,
            watermark,
            *counted_params,
            month_from,
            month_to,
            *outside_params,
        ]
    if watermark is not None:
        # Says that a refresh moved the watermark after it was read: then read again.
        branches.append(
            "SELECT -1, 0, 0, 0, 0, 0, 0, 1, 0 WHERE NOT EXISTS (SELECT 1 FROM"
            " insights_summarystate WHERE id = %s AND watermark = %s AND time_zone = %s)"
        )
        params += [STATE_ID, watermark, settings.TIME_ZONE]
    # The months with help, as bit sets: a month counts when its row (a summary's, netted) or
    # any of its live entries has help.
    # A quarter row's `q` has its months' bits (its `i` the first month's; it never straddles
    # two bit sets), every other row's is 0.
    if postgres:
        bit_sets = [
            f"BIT_OR(CASE WHEN h > 0 AND i >= {f} AND i < {f + month_bits}"
            f" THEN CAST(1 AS BIGINT) << (i - {f}) WHEN q > 0 AND i >= {f}"
            f" AND i < {f + month_bits} THEN CAST(q AS BIGINT) << (i - {f}) ELSE 0 END)"
            for f in range(0, len(bounds), month_bits)
        ]
    else:
        # No BIT_OR: a sum of the distinct single bits, once for the rows' months and once
        # for each month of a quarter.
        bit_sets = [
            f"SUM(DISTINCT CASE WHEN h > 0 AND i >= {f} AND i < {f + month_bits}"
            f" THEN 1 << (i - {f}) ELSE 0 END)"
            + "".join(
                f" | SUM(DISTINCT CASE WHEN i >= {f} AND i < {f + month_bits}"
                f" THEN (q & {bit}) << (i - {f}) ELSE 0 END)"
                for bit in (1, 2, 4)
            )
            for f in range(0, len(bounds), month_bits)
        ]
    sql = (
        "SELECT account_id, CAST(SUM(earned) AS BIGINT), CAST(SUM(spent) AS BIGINT),"
        " CAST(SUM(other_in) AS BIGINT), CAST(SUM(other_out) AS BIGINT), "
        + ", ".join(bit_sets)
        + " FROM ("
        + " UNION ALL ".join(branches)
        + ") u GROUP BY account_id HAVING SUM(n) > 0 ORDER BY account_id"
    )
    return sql, params


def _code(m: Any) -> int:
    """A month as the summaries number it: year * 100 + month."""
    return int(m.year * 100 + m.month)


def help_by_month(timebank_id: int, period: ReportPeriod) -> list[tuple[int, str, int, int]]:
    """The period's counted pairings (reversed transfers left out) by month (year * 100 +
    month) and category: minutes and exchanges. From the summaries for the months wholly in the
    period (less reversed pairings up to the watermark, plus the pairings since), the rest live
    through the pairings' by-date index; read again if a refresh moved the watermark between."""
    using = router.db_for_read(Pairing)
    connection = connections[using]
    rows = read_at_watermark(
        connection,
        lambda: _usable_watermark(using, "pairing_watermark"),
        lambda watermark: _help_statement(connection, timebank_id, period, watermark),
        _first_is_check,
        live=lambda: _help_statement(connection, timebank_id, period, None),
    )
    return rows or []


def _help_statement(
    connection: Any, timebank_id: int, period: ReportPeriod, watermark: int | None
) -> tuple[str, list[Any]]:
    adapt = connection.ops.adapt_datetimefield_value
    tz = period.tz
    bounds = period.month_bounds()
    month_of = (
        "CASE "
        + " ".join(f"WHEN p.occurred_at < %s THEN {m.year * 100 + m.month}" for m, _l, _u in bounds)
        + " END"
    )
    month_params = [adapt(upper) for _m, _lower, upper in bounds]
    reversed_ids = REVERSED_TRANSFERS
    live = (
        f"SELECT {month_of} AS month, p.category AS category, p.minutes AS minutes,"
        " CASE WHEN p.counts_exchange THEN 1 ELSE 0 END AS exchanges, 1 AS pairings"
    )
    whole = [
        i
        for i, (m, lower, upper) in enumerate(bounds)
        if watermark is not None
        and (lower, upper) == (_month_start(m, tz), _month_start(_next_month(m), tz))
    ]
    branches: list[str] = []
    params: list[Any] = []
    if whole:
        first, last = bounds[whole[0]], bounds[whole[-1]]
        live_ranges = [(period.starts_at, first[1]), (last[2], period.ends_before)]
        whole_from, whole_to = adapt(first[1]), adapt(last[2])
        since = "exchanges_pairing p" if connection.vendor == "postgresql" else (
            "exchanges_pairing p NOT INDEXED"
        )  # fmt: skip
        branches += [
            "SELECT s.month AS month, s.category AS category, s.minutes AS minutes,"
            " s.exchanges AS exchanges, s.pairings AS pairings FROM insights_helpmonth s"
            " WHERE s.timebank_id = %s AND s.month >= %s AND s.month <= %s",
            f"SELECT {month_of}, p.category, -p.minutes,"
            " CASE WHEN p.counts_exchange THEN -1 ELSE 0 END, -1 FROM exchanges_pairing p"
            f" WHERE p.transfer_id IN ({reversed_ids}) AND p.id <= %s AND p.timebank_id = %s"
            " AND p.occurred_at >= %s AND p.occurred_at < %s",
            f"{live} FROM {since} WHERE p.id > %s AND p.timebank_id = %s"
            f" AND p.transfer_id NOT IN ({reversed_ids})"
            " AND p.occurred_at >= %s AND p.occurred_at < %s",
            "SELECT -1, '', 0, 0, 1 WHERE NOT EXISTS (SELECT 1 FROM insights_summarystate"
            " WHERE id = %s AND pairing_watermark = %s AND time_zone = %s)",
        ]
        params += [
            timebank_id,
            first[0].year * 100 + first[0].month,
            last[0].year * 100 + last[0].month,
            *month_params,
            timebank_id,
            _REVERSAL,
            watermark,
            timebank_id,
            whole_from,
            whole_to,
            *month_params,
            watermark,
            timebank_id,
            timebank_id,
            _REVERSAL,
            whole_from,
            whole_to,
            STATE_ID,
            watermark,
            settings.TIME_ZONE,
        ]
    else:
        live_ranges = [(period.starts_at, period.ends_before)]
    for lower, upper in live_ranges:
        if lower == upper:
            continue
        branches.append(
            f"{live} FROM exchanges_pairing p WHERE p.timebank_id = %s"
            f" AND p.transfer_id NOT IN ({reversed_ids})"
            " AND p.occurred_at >= %s AND p.occurred_at < %s"
        )
        params += [*month_params, timebank_id, timebank_id, _REVERSAL, adapt(lower), adapt(upper)]
    sql = (
        "SELECT month, category, CAST(SUM(minutes) AS BIGINT), CAST(SUM(exchanges) AS BIGINT)"
        " FROM (" + " UNION ALL ".join(branches) + ") u GROUP BY month, category"
        " HAVING SUM(pairings) > 0 ORDER BY month, category"
    )
    return sql, params
