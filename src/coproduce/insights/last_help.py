# ruff: noqa: S608 -- the SQL built here takes only placeholders and fixed text
"""Each account's last help before a period's end (isolation and retention read it), from the
kept `LastHelp` rows (`insights.summary` keeps them up to `SummaryState.last_help_watermark`)
instead of a look-up through each account's entries (10,020 of them at 1,000,000 exchanges).

Exact, in one statement, whatever was posted or reversed since the last refresh: an account's
last help is the latest of
- its kept moment, when that is before the period's end and none of the account's help was
  reversed (a kept moment counts every entry up to the watermark, reversed or not);
- otherwise the look-up the report made before, for that account alone (an account whose kept
  moment is after the period's end, as for a period in the past, or one with reversed help);
- live, its help entries posted since the watermark (a range of ids), without reversed ones.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections, router

from coproduce.insights.period import ReportPeriod
from coproduce.insights.summary import _HELP, _REVERSAL, STATE_ID
from coproduce.insights.summary_reads import (
    REVERSED_TRANSFERS,
    _usable_watermark,
    read_at_watermark,
)
from coproduce.ledger.models import HOUR, Entry

# account → its last help as `reads.instant` reads one (microseconds on PostgreSQL, the stored
# text on SQLite; `reads.to_instant` makes the datetime), for accounts with any help before the
# period's end.
LastHelpRows = dict[int, Any]


def last_help_by_account(timebank_id: int, period: ReportPeriod) -> LastHelpRows | None:
    """The time bank's accounts' last help before `period` ends, or None when the kept rows
    cannot be used (never refreshed, or in another time zone: the caller looks each account
    up). Read again if a refresh moved the watermark between reading it and the rows."""
    using = router.db_for_read(Entry)
    connection = connections[using]
    rows = read_at_watermark(
        connection,
        lambda: _usable_watermark(using, "last_help_watermark"),
        lambda watermark: _statement(connection, timebank_id, period, watermark),
        # The check's row: the watermark moved meanwhile.
        lambda rows: any(account == -1 for account, _ in rows),
    )
    return None if rows is None else dict(rows)


def _statement(
    connection: Any, timebank_id: int, period: ReportPeriod, watermark: int
) -> tuple[str, list[Any]]:
    postgres = connection.vendor == "postgresql"
    ends = connection.ops.adapt_datetimefield_value(period.ends_before)
    reversed_params = [timebank_id, _REVERSAL]
    # Accounts with a help entry of a reversed transfer (few), through the entries' transfer
    # index.
    reversed_help = (
        f"SELECT e.account_id FROM ledger_entry e WHERE e.transfer_id IN ({REVERSED_TRANSFERS})"
        " AND e.kind IN (%s, %s)"
    )
    reversed_help_params = [*reversed_params, *_HELP]
    counted = "e.kind IN (%s, %s) AND e.occurred_at < %s AND e.transfer_id NOT IN ("
    counted += f"{REVERSED_TRANSFERS})"
    counted_params = [*_HELP, ends, *reversed_params]
    # The look-up of one account, backwards through its entries' (account, occurred_at) index.
    look_up = (
        "SELECT e.occurred_at FROM ledger_entry e WHERE e.account_id = k.account_id"
        f" AND {counted} ORDER BY e.occurred_at DESC LIMIT 1"
    )
    # SQLite reads a range of ids by rowid only when told not to use an index.
    since = "ledger_entry e" if postgres else "ledger_entry e NOT INDEXED"
    branches = [
        "SELECT k.account_id AS account_id, k.last_at AS last_at FROM insights_lasthelp k"
        f" WHERE k.timebank_id = %s AND k.last_at < %s AND k.account_id NOT IN ({reversed_help})",
        f"SELECT k.account_id, ({look_up}) FROM insights_lasthelp k WHERE k.timebank_id = %s"
        f" AND (k.last_at >= %s OR k.account_id IN ({reversed_help}))",
        f"SELECT e.account_id, e.occurred_at FROM {since}"
        f" WHERE e.id > %s AND e.timebank_id = %s AND e.unit = %s AND {counted}",
        # Says that a refresh moved the watermark after it was read: then read again.
        "SELECT -1, NULL WHERE NOT EXISTS (SELECT 1 FROM insights_summarystate"
        " WHERE id = %s AND last_help_watermark = %s AND time_zone = %s)",
    ]
    params = [
        *[timebank_id, ends, *reversed_help_params],
        *[*counted_params, timebank_id, ends, *reversed_help_params],
        *[watermark, timebank_id, HOUR, *counted_params],
        *[STATE_ID, watermark, settings.TIME_ZONE],
    ]
    latest = "(EXTRACT(EPOCH FROM MAX(last_at)) * 1000000)::bigint" if postgres else "MAX(last_at)"
    sql = (
        f"SELECT account_id, {latest} FROM (" + " UNION ALL ".join(branches) + ")"
        " u GROUP BY account_id"
    )
    return sql, params
