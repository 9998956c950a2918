"""Indexes for the insights report now that entries carry their transfer's date and kind
(ledger 0005) and pairings say who helped whom (exchanges 0004): each of the report's big
queries reads one of these in the order it groups by, finding every column it needs in the
index itself, with no join and no sort.

- An account's entries by date: the period's flows and active months, grouped by account, and
  each account's last help (a look-up from the end of the period backwards).
- Pairings by receiver, provider and category: the ties, grouped in that order.
- Pairings by date, with category and minutes: minutes and exchanges by month and category
  for the period.

On both databases. 0001's indexes served joins the report no longer makes, except transfers by
date (meetings by month), which stays; the others are dropped. The tables belong to other apps;
the indexes are named `insights_*` so it is clear whose they are.
"""

from django.db import migrations

INDEXES = {
    "insights_entry_by_account": (
        "ledger_entry",
        "account_id, occurred_at, kind, amount, transfer_id, timebank_id, unit",
    ),
    "insights_pairing_by_pair": (
        "exchanges_pairing",
        "timebank_id, receiver_id, provider_id, category, occurred_at, transfer_id",
    ),
    "insights_pairing_by_date": (
        "exchanges_pairing",
        "timebank_id, occurred_at, category, minutes, counts_exchange, transfer_id",
    ),
}
# 0001's, on SQLite only; recreated if this migration is reversed.
OLD = {
    "insights_entry_by_transfer": (
        "ledger_entry",
        "transfer_id, unit, timebank_id, account_id, amount",
    ),
    "insights_exchange_by_transfer": (
        "exchanges_exchange",
        "transfer_id, status, category, timebank_id",
    ),
    "insights_participant_by_exchange": (
        "exchanges_participant",
        "exchange_id, side, account_id, timebank_id",
    ),
}


def create(apps, schema_editor):
    execute = schema_editor.execute
    for name, (table, columns) in INDEXES.items():
        execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
    if schema_editor.connection.vendor == "sqlite":
        for name in OLD:
            execute(f"DROP INDEX IF EXISTS {name}")
    execute("ANALYZE")


def drop(apps, schema_editor):
    execute = schema_editor.execute
    for name in INDEXES:
        execute(f"DROP INDEX IF EXISTS {name}")
    if schema_editor.connection.vendor == "sqlite":
        for name, (table, columns) in OLD.items():
            execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_sqlite_report_covering_indexes"),
        ("ledger", "0005_entry_occurred_at_and_kind"),
        ("exchanges", "0004_pairings"),
    ]

    operations = [migrations.RunPython(create, drop)]
