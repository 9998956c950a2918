"""What the database needs after a bulk load: the planner's statistics, and on PostgreSQL the
visibility map and the GIN indexes' pending lists.

A table PostgreSQL has just filled in bulk (the demo build, a restore, a whole bank's import) has
no page marked all-visible until a VACUUM, and its GIN indexes' new entries wait unsorted in
their pending lists. The planner then prices an index-only scan as an index scan that also reads
every row, and a GIN search as a read of the whole pending list: it chooses sequential scans,
and an index-only scan it still chooses reads the table too. Autovacuum gets there within a
minute or so, but that minute is when `make bench` times a new demo's pages and when a demo is
first shown. Measured on a new 10,000-member demo: BENCHMARKS.md, "Round 22: a freshly built
demo, vacuumed (fresh)".

VACUUM cannot run inside a transaction, so inside one (a caller's `atomic`, a test) only ANALYZE
runs. Either needs ownership of the table: without it PostgreSQL warns and skips the table.
SQLite has no visibility map: ANALYZE is all it needs.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections


def statistics_refresh(
    tables: Sequence[str] = (), *, vacuum: bool = False, using: str = "default"
) -> None:
    """ANALYZE `tables` (every table when none are named); with `vacuum`, on PostgreSQL outside a
    transaction, `VACUUM (ANALYZE)` them instead, for a database just filled in bulk."""
    connection = connections[using]
    quoted = [connection.ops.quote_name(table) for table in tables]
    if connection.vendor != "postgresql":
        # SQLite's ANALYZE takes one name at a time.
        statements = [f"ANALYZE {name}" for name in quoted] or ["ANALYZE"]
    elif vacuum and not connection.in_atomic_block:
        statements = [f"VACUUM (ANALYZE) {', '.join(quoted)}".strip()]
    else:
        statements = [f"ANALYZE {', '.join(quoted)}".strip()]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def app_tables(*labels: str) -> list[str]:
    """The tables of the models of these apps (by label), for `statistics_refresh`."""
    from django.apps import apps

    return [
        model._meta.db_table
        for label in labels
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy
    ]
