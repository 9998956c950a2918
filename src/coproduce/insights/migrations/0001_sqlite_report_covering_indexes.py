"""Covering indexes for the insights report's joins, on SQLite only.

SQLite joins the report's million-row tables by looking rows up one by one through an index
(transfers by date, then their entries, exchanges and participants); with these indexes each
lookup finds every column it needs in the index itself instead of fetching the table row too,
which more than halves the report's time at 1M exchanges (benchmarks/BENCHMARKS.md, Insights).
PostgreSQL joins these tables with hash joins over sequential scans and gains nothing from them,
so it does not get them (and the ledger's inserts stay as cheap as they were).

The tables belong to other apps (ledger, exchanges); the indexes are named `insights_*` so it
is clear whose they are, and the migration drops them when reversed.
"""

from django.db import migrations

INDEXES = {
    # Entries of a transfer, with everything the report reads from them.
    "insights_entry_by_transfer": (
        "ledger_entry",
        "transfer_id, unit, timebank_id, account_id, amount",
    ),
    # Transfers by date with their kind and time bank (the rowid, their id, comes free).
    "insights_transfer_by_date": ("ledger_transfer", "occurred_at, kind, timebank_id"),
    # The exchange recorded by a transfer: its status and category.
    "insights_exchange_by_transfer": (
        "exchanges_exchange",
        "transfer_id, status, category, timebank_id",
    ),
    # Who took part in an exchange, on which side, with which account.
    "insights_participant_by_exchange": (
        "exchanges_participant",
        "exchange_id, side, account_id, timebank_id",
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, (table, columns) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    schema_editor.execute("ANALYZE")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_postgres_transfer_post"),
        ("exchanges", "0003_listing_search"),
    ]

    operations = [migrations.RunPython(create, drop)]
