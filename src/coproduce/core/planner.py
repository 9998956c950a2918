"""Planner settings for the queries of one block, on PostgreSQL (nothing changes elsewhere).

Where PostgreSQL's estimates alone choose a worse plan (parallel workers near the dashboard's
limit, a hash of a sequential scan for the funder's ties), the read is planned with some of its
options changed, and only that read: the values are set for the transaction
(`set_config(name, value, true)`) and
- with no transaction open, one is begun for the block, and its end ends them (nothing to put
  back: the settings' one statement, then the block's queries, then the commit);
- in an enclosing transaction, they are read as they were in that same statement and put back
  after the block in one more, so the transaction goes on as before.
If a query fails, the transaction is rolled back and the settings with it.
Inside the block, prepared statements are planned for their values every time
(`plan_cache_mode`), so a plan cached outside it never skips its settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction


@contextmanager
def planner_settings(connection: Any, **settings: str) -> Iterator[None]:
    """Within the block, PostgreSQL plans queries on `connection` with these settings
    (`enable_sort="off"`, `max_parallel_workers_per_gather="0"`)."""
    if connection.vendor != "postgresql" or not settings:
        yield
        return
    # A prepared statement's generic plan, made once, would ignore the block's settings (a
    # cached plan is not made again when they change): its plans are made for the values, and
    # with the settings, every time (`config.env.database_config`).
    settings = {**settings, "plan_cache_mode": "force_custom_plan"}
    names = list(settings)
    enclosed = connection.in_atomic_block
    reads = ["current_setting(%s)"] * len(names) if enclosed else []
    sets = ["set_config(%s, %s, true)"] * len(names)
    values = [v for name in names for v in (name, str(settings[name]))]
    with transaction.atomic(using=connection.alias, savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(reads + sets)}", names[: len(reads)] + values)
            before = cursor.fetchone()[: len(reads)]
        yield
        if not enclosed:
            return  # the transaction begun here ends here, and the settings with it
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(sets)}",
                [v for name, value in zip(names, before, strict=True) for v in (name, value)],
            )


@contextmanager
def planned_for_values(connection: Any) -> Iterator[None]:
    """Within the block, statements on `connection` are sent unprepared, so PostgreSQL plans
    each for its values (a prepared one may be given a generic plan after five runs,
    `config.env.database_config`). No round trip: psycopg is told not to prepare them
    (its `prepare_threshold`, put back after the block). Elsewhere nothing changes."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    if not hasattr(raw, "prepare_threshold"):  # psycopg 2: nothing is prepared
        yield
        return
    threshold = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = threshold
