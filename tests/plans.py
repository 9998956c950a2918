"""How the database would run a query, for the plan tests: `plans_without_sorting` gives each
listing's plan, on PostgreSQL with sorting turned off (for the transaction only). That is exactly
when the planner would walk an index in the listing's order if one could serve it, so a test that
no such walk appears in these plans proves no index can serve the order."""

from __future__ import annotations

from collections.abc import Iterable

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
