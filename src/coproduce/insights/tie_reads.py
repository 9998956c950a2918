# ruff: noqa: S608 -- the SQL built here takes only placeholders and whole numbers it makes
"""Reading the funder's ties from the pairs' kept first and last exchange (`insights.TieSpan`,
kept by `insights.summary` up to `SummaryState.tie_watermark`): one statement giving each pair
who met before the period's end, with whether they met in it and before it, exact whatever was
posted or reversed since the last refresh."""

from __future__ import annotations

from typing import Any

from django.db import connections, router

from coproduce.exchanges.models import Pairing
from coproduce.insights.period import ReportPeriod
from coproduce.insights.summary import _REVERSAL, STATE_ID
from coproduce.insights.summary_reads import (
    REVERSED_TRANSFERS,
    _usable_watermark,
    read_at_watermark,
)

# (one, other, met in the period, met before it): each pair of accounts who met in a counted
# exchange before the period's end, the smaller account first; the last two 1 or 0.
TieRow = tuple[int, int, int, int]


def ties_by_pair(timebank_id: int, period: ReportPeriod) -> list[TieRow] | None:
    """The period's ties from the pairs' kept first and last exchange (`TieSpan`), or None
    when there are none to use (then the caller groups the pairings). Read again if a rebuild
    took the summary back below the watermark read first."""
    using = router.db_for_read(Pairing)
    connection = connections[using]
    return read_at_watermark(
        connection,
        lambda: _usable_watermark(using, "tie_watermark"),
        lambda watermark: _ties_statement(connection, timebank_id, period, watermark),
        # The check's row (a comparison per row, in C).
        lambda rows: (-1, -1, 0, 0) in rows,
    )


def _ties_statement(
    connection: Any, timebank_id: int, period: ReportPeriod, watermark: int
) -> tuple[str, list[Any]]:
    """One statement giving "did they" flags per pair (so a pair read twice is no harm):

    - each pair's kept span, unless one of its exchanges was reversed: met before the period
      when the first exchange is before it; met in it when the first or the last exchange is
      in it, or, when the two lie either side of it, when a look-up through the pairings' pair
      index finds one in it (for a period ending today, hardly any pair);
    - live, the pairings since the watermark (a range of ids);
    - live, every counted pairing of the pairs with a reversed exchange (few), through the
      pairings' pair index.

    A pair's kept span stands alone unless the pair is also read live; only those pairs' rows
    (few) are grouped and merged.
    """
    postgres = connection.vendor == "postgresql"
    adapt = connection.ops.adapt_datetimefield_value
    starts, ends = adapt(period.starts_at), adapt(period.ends_before)
    least, greatest = ("LEAST", "GREATEST") if postgres else ("MIN", "MAX")
    one = f"{least}(p.receiver_id, p.provider_id)"
    other = f"{greatest}(p.receiver_id, p.provider_id)"
    reversed_transfers = REVERSED_TRANSFERS
    reversed_params = [timebank_id, _REVERSAL]
    reversed_pairs = (
        f"SELECT {one} AS one, {other} AS other FROM exchanges_pairing p"
        f" WHERE p.transfer_id IN ({reversed_transfers}) AND p.timebank_id = %s"
    )
    reversed_pairs_params = [*reversed_params, timebank_id]
    flags = (
        f"{one}, {other}, CASE WHEN p.occurred_at >= %s THEN 1 ELSE 0 END,"
        " CASE WHEN p.occurred_at < %s THEN 1 ELSE 0 END"
    )
    counted = (
        "p.timebank_id = %s AND p.receiver_id <> p.provider_id AND p.occurred_at < %s"
        f" AND p.transfer_id NOT IN ({reversed_transfers})"
    )
    counted_params = [timebank_id, ends, *reversed_params]
    in_period = "p.occurred_at >= %s AND p.occurred_at < %s"
    if postgres:  # the pairings' tie index: (timebank, LEAST, GREATEST, ...)
        met = (
            "EXISTS (SELECT 1 FROM exchanges_pairing p WHERE p.timebank_id = s.timebank_id"
            f" AND {one} = s.one_id AND {other} = s.other_id AND {in_period})"
        )
        met_params = [starts, ends]
        of_reversed = (
            f"SELECT {flags} FROM ({reversed_pairs}) v JOIN exchanges_pairing p"
            f" ON {one} = v.one AND {other} = v.other WHERE {counted}"
        )
        of_reversed_params = [starts, starts, *reversed_pairs_params, *counted_params]
        since = "exchanges_pairing p"
    else:  # SQLite's pairings by (timebank, receiver, provider, ...): each way round
        met = " OR ".join(
            "EXISTS (SELECT 1 FROM exchanges_pairing p WHERE p.timebank_id = s.timebank_id"
            f" AND p.receiver_id = s.{a}_id AND p.provider_id = s.{b}_id AND {in_period})"
            for a, b in (("one", "other"), ("other", "one"))
        )
        met_params = [starts, ends, starts, ends]
        of_reversed = " UNION ALL ".join(
            f"SELECT {flags} FROM ({reversed_pairs}) v JOIN exchanges_pairing p"
            f" ON p.timebank_id = %s AND p.receiver_id = v.{a} AND p.provider_id = v.{b}"
            f" WHERE {counted}"
            for a, b in (("one", "other"), ("other", "one"))
        )
        of_reversed_params = 2 * [starts, starts, *reversed_pairs_params, timebank_id,
                                  *counted_params]  # fmt: skip
        since = "exchanges_pairing p NOT INDEXED"  # a range of ids, not the date index
    # Each kept span gives its pair's flags alone, unless the pair is read live as well (its
    # rows then merged): the spans are one row per pair already, so the ~100,000 of them at
    # 1,000,000 exchanges are not grouped again, only the few pairs read live.
    span = (
        "SELECT s.one_id AS one, s.other_id AS other,"
        " CASE WHEN s.last_at < %s THEN (CASE WHEN s.last_at >= %s THEN 1 ELSE 0 END)"
        f" WHEN s.first_at >= %s THEN 1 WHEN {met} THEN 1 ELSE 0 END AS in_period,"
        " CASE WHEN s.first_at < %s THEN 1 ELSE 0 END AS earlier"
    )
    span_params = [ends, starts, starts, *met_params, starts]
    span_where = (
        "s.timebank_id = %s AND s.first_at < %s"
        f" AND (s.one_id, s.other_id) NOT IN ({reversed_pairs})"
    )
    span_where_params = [timebank_id, ends, *reversed_pairs_params]
    live = f"SELECT {flags} FROM {since} WHERE p.id > %s AND {counted} UNION ALL {of_reversed}"
    live_params = [starts, starts, watermark, *counted_params, *of_reversed_params]
    sql = (
        f"WITH live (one, other, in_period, earlier) AS ({live})"
        f" {span} FROM insights_tiespan s WHERE {span_where}"
        " AND (s.one_id, s.other_id) NOT IN (SELECT one, other FROM live)"
        " UNION ALL SELECT one, other, MAX(in_period), MAX(earlier) FROM ("
        f"{span} FROM (SELECT DISTINCT one, other FROM live) l JOIN insights_tiespan s"
        " ON s.timebank_id = %s AND s.one_id = l.one AND s.other_id = l.other"
        f" WHERE {span_where}"
        " UNION ALL SELECT one, other, in_period, earlier FROM live) u GROUP BY one, other"
        # Says that the summary went back below the watermark read (a rebuild meanwhile): read
        # again. A summary gone further is no harm: what it adds is read live as well.
        " UNION ALL SELECT -1, -1, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM insights_summarystate"
        " WHERE id = %s AND tie_watermark >= %s)"
    )
    params = [
        *live_params,
        *span_params,
        *span_where_params,
        *span_params,
        timebank_id,
        *span_where_params,
        STATE_ID,
        watermark,
    ]
    return sql, params
