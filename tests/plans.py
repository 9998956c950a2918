"""How the database would run a query, for the plan tests: `plans_without_sorting` gives each
listing's plan, on PostgreSQL with sorting turned off (for the transaction only). That is exactly
when the planner would walk an index in the listing's order if one could serve it, so a test that
no such walk appears in these plans proves no index can serve the order. `sqlite_statistics`
plans SQLite's queries as on a large data set, from that set's `sqlite_stat1` rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models import QuerySet


def plans_without_sorting(listings: Iterable[str | QuerySet]) -> list[str]:
    """Each listing's plan (PostgreSQL's EXPLAIN with `enable_sort` off, SQLite's EXPLAIN QUERY
    PLAN): SQL as captured (parameters in place), or a queryset."""
    plans = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('enable_sort', 'off', true)")
        for listing in listings:
            sql, params = (
                (listing, None) if isinstance(listing, str) else listing.query.sql_with_params()
            )
            if connection.vendor == "postgresql":
                cursor.execute(f"EXPLAIN {sql}", params)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plans.append("\n".join(str(row[-1]) for row in cursor.fetchall()))
    return plans


@contextmanager
def sqlite_statistics(rows: list[tuple[str, str, str]]) -> Iterator[None]:
    """On SQLite, the planner given these `sqlite_stat1` rows (table, index, stat), as measured
    on a large data set, in place of the test database's own; put back after. Nothing on
    PostgreSQL."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.executemany("DELETE FROM sqlite_stat1 WHERE idx = %s", [(i,) for _, i, _ in rows])
        cursor.executemany("INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", rows)
        cursor.execute("ANALYZE sqlite_schema")  # read them again
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")
            cursor.execute("ANALYZE sqlite_schema")
