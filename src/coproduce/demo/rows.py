"""Writing the demo's rows fast: many rows in one statement, fresh planner statistics on
PostgreSQL while the build's own transaction fills the tables, and a progress bar on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TextIO

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models

from coproduce.core.statistics import statistics_refresh


class ProgressBar:
    """One line on stderr, redrawn in place at most once per percent."""

    WIDTH = 30

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.label = label
        # Looked up now, not at import, so that a redirected stderr is the one written to.
        self.stream = stream or sys.stderr
        self.shown = -1

    def update(self, done: int) -> None:
        percent = done * 100 // self.total
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.WIDTH * done // self.total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {done:,}/{self.total:,}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def refresh_statistics(tables: Sequence[type[models.Model]]) -> None:
    """On PostgreSQL, ANALYZE tables this build has just filled.

    Autovacuum never sees the rows of a transaction that has not committed, so in a new database
    the statistics say these tables are empty. The planner then reads whole tables inside
    `transfer_post` (the balance update scans every account, the idempotency look-up every
    transfer), and postings slow from ~2,000/s to a few dozen a second as the build goes on.
    ANALYZE counts the rows this transaction inserted. (Without ownership of a table it only
    warns and skips it.)
    """
    if connection.vendor != "postgresql":
        return
    statistics_refresh([model._meta.db_table for model in tables])


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert many rows of `model` with one `executemany`: `bulk_create` without building a
    model instance per row and passing every value through the field API.

    Measured on a 10,000-member demo, that preparation cost ~9 s of CPU for the ~170,000
    exchange and participant rows (a third of the build); this takes ~2 s. `columns` are
    attnames given for every row; every other column takes its model default, the same for
    all rows, so a field added to the model later needs nothing here unless it is unique.
    """
    ops = connection.ops
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    given = [by_name[name] for name in columns]
    template = model()
    rest = [f for f in model._meta.concrete_fields if not f.primary_key and f not in given]
    for f in rest:
        if f.unique:
            raise ImproperlyConfigured(f"The demo must give {model.__name__}.{f.name} a value.")
    fixed = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in rest]
    adapters: list[Callable[[Any], Any] | None] = []
    for f in given:
        kind = f.get_internal_type()
        if kind == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif kind == "UUIDField":
            adapters.append(partial(f.get_db_prep_value, connection=connection))
        else:
            adapters.append(None)  # whole numbers and text go in as they are
    names = ", ".join(ops.quote_name(f.column or f.attname) for f in [*given, *rest])
    sql = (
        f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({names}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * (len(given) + len(rest)))})"
    )
    params = [
        [
            value if adapt is None or value is None else adapt(value)
            for adapt, value in zip(adapters, row, strict=True)
        ]
        + fixed
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
