"""The dashboard's queries with their SQL kept (`core.kept_query`), and how PostgreSQL plans them.

Building and compiling a section's queryset (filters, subqueries, joins, the total) cost the
dashboard more CPU than running most of them (issue 17: about 13 ms of a view on the
10,000-member demo). Each of the dashboard's queries (a section's first rows and total, the
first steps) is `build(timebank, moment)`, kept by `core.kept_query.KeptQuery` with the time
bank's id and the moment as its values: compiled twice with made-up ones, kept only if every
parameter is a constant, the bank's id, or an instant or a date at the same distance from the
moment or its local date (`now - 7 days`, `today + 30 days`), then run with each view's own bank
and moment, the rows made as the ORM makes them and the prefetches read with kept SQL too
(`core.kept_query.prefetch_kept`). A query that is not provably the same, or one marked not to
be kept, is read through the ORM on every view, as before, with the view's own time bank.
What stays here is the dashboard's own: which queries may be kept, and the planner settings
each is read with on PostgreSQL. `tests/coordination/test_kept_sql.py` proves every kept
section's rows equal the ORM's, on both databases, at several moments (across a change of
summer time).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import QuerySet

from coproduce.community.models import TimeBank
from coproduce.core.kept_query import KeptQuery
from coproduce.core.planner import planner_settings

Build = Callable[[TimeBank, datetime], QuerySet[Any]]

# Planner settings a section may be read with on PostgreSQL (`core.planner.planner_settings`;
# nothing changes on SQLite), as (name, value) pairs.
Planner = tuple[tuple[str, str], ...]
# No parallel workers: for a list that scans a table whose size in pages, not rows, makes the
# planner start workers that cost more than the scan.
SERIAL: Planner = (("max_parallel_workers_per_gather", "0"),)
# Joins by index look-ups only: for a list of a few hundred rows, each joined to its person and
# membership, that the planner would join by hashing every person and membership of the bank
# (it expects several times the rows it finds).
BY_INDEX: Planner = (("enable_hashjoin", "off"), ("enable_mergejoin", "off"))


def planned_on_postgresql(connection: Any, planner: Planner) -> AbstractContextManager[None]:
    """The queries run inside are planned with these settings on PostgreSQL (nothing changes
    on SQLite, nor for no settings): `core.planner.planner_settings` (for the transaction; one
    is begun if none is open; in an enclosing one the settings are put back after)."""
    return planner_settings(connection, **dict(planner))


class DashboardQuery:
    """One of the dashboard's queries: `build(timebank, moment)` gives its queryset.

    `keep`: whether its SQL may be kept (not for a query built from what another query
    found); `planner`: the settings PostgreSQL plans it with (`planned_on_postgresql`)."""

    def __init__(self, build: Build, *, keep: bool = True, planner: Planner = ()) -> None:
        self._build = build
        self._keep = keep
        self.planner = planner
        # Always asked with the database the dashboard reads (its model only routes by default).
        self._kept: KeptQuery[Any] = KeptQuery(
            TimeBank,
            lambda timebank_id, moment: build(TimeBank(pk=timebank_id), moment),
            ids=("timebank_id",),
            moment="moment",
            kept_prefetches=True,
        )

    def kept_on(self, alias: str) -> bool:
        """Whether this query's SQL is kept on that database (compiling it if not done)."""
        return self._keep and self._kept.kept(alias)

    def __call__(self, timebank: TimeBank, moment: datetime, alias: str) -> list[Any]:
        with planned_on_postgresql(connections[alias], self.planner):
            return self.rows(timebank, moment, alias)

    def prefetches_left(self, alias: str) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
        """What `rows(…, prefetch=False)` leaves to do on that database: (a key equal for
        queries whose prefetches are the same, their lookups), or None for nothing."""
        return self._kept.prefetches_left(alias) if self._keep else None

    def rows(
        self, timebank: TimeBank, moment: datetime, alias: str, *, prefetch: bool = True
    ) -> list[Any]:
        """The rows, read with the settings in force (the caller's block of `planner`'s, to
        read several sections planned alike with one statement of settings). Without
        `prefetch`, a kept query's prefetches are left to the caller (`prefetches_left`), to
        read those of several sections in one query; a query read through the ORM still does
        its own."""
        if not self._keep:
            return list(self._build(timebank, moment).using(alias))
        values = {"timebank_id": timebank.pk, "moment": moment}
        # Not kept: read with the view's own time bank, not one made from its id.
        orm = lambda: self._build(timebank, moment)  # noqa: E731
        return self._kept.rows(alias, values, prefetch=prefetch, orm=orm)
