"""Fewer indexes for every posting to write (issue 17).

Two of the ledger's indexes repeat the leading column of another index on the same table, and
every posting inserts into each of them:

- `ledger_entry(account_id)`: `ledger_entry(account_id, transfer_id)` and insights'
  `insights_entry_by_account(account_id, occurred_at, …)` both begin with it (one insertion per
  entry, two a posting);
- `ledger_transfer(timebank_id)`: the idempotency key's unique index begins with it.

A foreign key's index is Django's (`db_index`), so the fields say `db_index=False` and the
database drops the index by name. Django's own AlterField would not do here: on SQLite it remakes
the table, losing its triggers, and on PostgreSQL it may remake the foreign key as DEFERRABLE,
undoing 0007.

Every query that read the dropped indexes reads the wider one: docs/DESIGN.md, "Decisions taken
while building" (issue 17).
"""

from django.db import migrations, models

# (table, column, Django's name for the index of that one column)
DROPPED = [
    ("ledger_entry", "account_id", "ledger_entry_account_id_e9f5e345"),
    ("ledger_transfer", "timebank_id", "ledger_transfer_timebank_id_c8d4438e"),
]


def _indexes(schema_editor, table: str) -> set[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def forwards(apps, schema_editor):
    quote = schema_editor.quote_name
    for _table, _column, name in DROPPED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")


def backwards(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, column, name in DROPPED:
        if name not in _indexes(schema_editor, table):
            schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_plans_without_statistics")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="entry",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="entries",
                        to="ledger.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="transfer",
                    name="timebank",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="+",
                        to="community.timebank",
                    ),
                ),
            ],
        )
    ]
