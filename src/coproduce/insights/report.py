"""The whole insights report for one time bank and one period, built from the activity and
reciprocity figures (`insights.selectors`) and the network (`insights.network`) in a bounded
number of queries.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, router, transaction

from coproduce.community.models import TimeBank
from coproduce.insights.network import network_for
from coproduce.insights.outcomes import outcomes_for
from coproduce.insights.period import ReportPeriod
from coproduce.insights.reads import member_rows
from coproduce.insights.selectors import (
    DEFAULT_ISOLATION_DAYS,
    Report,
    Value,
    account_months,
    activity_for,
    last_help_of_people,
    parties_in,
    reciprocity_for,
)

REPORT_WORK_MEM = "64MB"  # PostgreSQL, for the report's transaction only


def report_build(
    *,
    timebank: TimeBank,
    period: ReportPeriod,
    isolation_days: int = DEFAULT_ISOLATION_DAYS,
    hourly_value_pence: int | None = None,
    named: bool = True,
) -> Report:
    """The whole report for one time bank and period (a bounded number of queries), read from
    the read replica when the caller allows it (`core.db_router.replica_reads`). `named=False`
    builds the funder's report: the same figures, without what only the coordinator's named
    views show (each account's main category, for the network picture)."""
    using = router.db_for_read(TimeBank)  # the primary, or the replica for a report page
    connection = connections[using]
    with _no_cycle_collection():
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with transaction.atomic(using=using):
                return _build(timebank, period, isolation_days, hourly_value_pence, using, named)
        return _build(timebank, period, isolation_days, hourly_value_pence, using, named)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while the report is built: the build makes a few hundred
    thousand small objects that live until it ends (rows, ties, the graph's lists), and the
    collector kept walking all of them again, a quarter of the report's Python time at 1M
    exchanges. Reference counting still frees everything as usual; the collector runs again
    afterwards. Left alone when something else has already paused it."""
    paused_here = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused_here:
            gc.enable()


def _build(
    timebank: TimeBank,
    period: ReportPeriod,
    isolation_days: int,
    hourly_value_pence: int | None,
    using: str,
    named: bool,
) -> Report:
    connection = connections[using]
    if connection.vendor == "postgresql":
        # The report's few big joins and groupings fit in memory with a larger work_mem (the
        # default 4 MB spills them to disk in batches); JIT compiling costs more than it saves
        # on these one-off queries. Both last until the end of this transaction only.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)",
                [REPORT_WORK_MEM],
            )
    parties = parties_in(timebank, period, named=named)
    months = account_months(timebank, period)
    members = member_rows(timebank)
    last_help = last_help_of_people(parties)
    activity = activity_for(timebank, period, last_help, parties, months, members)
    return Report(
        timebank=timebank,
        period=period,
        activity=activity,
        reciprocity=reciprocity_for(timebank, period, parties, months),
        network=network_for(
            timebank, period, parties, isolation_days, last_help, named=named, members=members
        ),
        outcomes=outcomes_for(timebank, period),
        value=Value(
            hours_minutes=activity.help_minutes,
            hourly_value_pence=(
                timebank.hourly_value_pence if hourly_value_pence is None else hourly_value_pence
            ),
        ),
    )
