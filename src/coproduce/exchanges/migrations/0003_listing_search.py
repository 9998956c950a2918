"""Full-text search over offers and requests (exchanges.search.listings_search reads these).

PostgreSQL: a GIN expression index on the weighted 'english' tsvector of title (A), tags (B),
description (C) and the category's code (D, so "garden" finds the gardening category). The expression must stay identical to `search._pg_vector()`, or the planner
will not use the index.

SQLite: an external-content FTS5 table per listing table (porter stemming over unicode61), kept
in step by triggers, and filled once from the rows already there. A later migration that makes
SQLite rebuild a listing table (most AlterField/RemoveField do) drops these triggers with the old
table: it must run SQLITE_UP's trigger statements again.
"""

from django.db import migrations

# ruff: noqa: S608 - the SQL below is built from fixed table and column names, never from input.

TABLES = ("exchanges_offer", "exchanges_request")
COLUMNS = ("title", "description", "tags", "category")


def _sqlite_up(table: str) -> list[str]:
    fts = f"{table}_fts"
    cols = ", ".join(COLUMNS)
    new = ", ".join(f"new.{c}" for c in COLUMNS)
    old = ", ".join(f"old.{c}" for c in COLUMNS)
    return [
        f"""CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN
            INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END""",
        f"""CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END""",
        f"""CREATE TRIGGER {fts}_update AFTER UPDATE OF {cols} ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});
            INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END""",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _sqlite_down(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"DROP TRIGGER IF EXISTS {fts}_insert",
        f"DROP TRIGGER IF EXISTS {fts}_delete",
        f"DROP TRIGGER IF EXISTS {fts}_update",
        f"DROP TABLE IF EXISTS {fts}",
    ]


def _pg_vector() -> str:
    # Exactly what Django compiles search._pg_vector() to.
    return (
        "(((setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
        " || setweight(to_tsvector('english'::regconfig, COALESCE(tags, '')), 'B'))"
        " || setweight(to_tsvector('english'::regconfig, COALESCE(description, '')), 'C'))"
        " || setweight(to_tsvector('english'::regconfig, COALESCE(category, '')), 'D'))"
    )


SQLITE_UP = [sql for table in TABLES for sql in _sqlite_up(table)]
SQLITE_DOWN = [sql for table in TABLES for sql in _sqlite_down(table)]
POSTGRES_UP = [
    f"CREATE INDEX {table}_search ON {table} USING GIN (({_pg_vector()}))" for table in TABLES
]
POSTGRES_DOWN = [f"DROP INDEX IF EXISTS {table}_search" for table in TABLES]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"Listing search is written for SQLite and PostgreSQL, "
                f"not {schema_editor.connection.vendor}."
            )
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0002_availability_payment_feedback")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
