"""Each entry carries its transfer's `occurred_at` and `kind`, so that reports (insights, the
statement) read an account's history by date from the entries alone instead of joining every
entry to its transfer: at a million transfers that join was most of the insights report's time.

The copies cannot drift: entries and transfers are append-only (0002), every posting writes the
copies from the same values as the transfer (`transfer_post`, and on PostgreSQL the
`ledger_transfer_post` function, redefined here as `ledger/sql/transfer_post_v3.sql`), on SQLite a trigger refuses an entry whose
copies differ from its transfer, and `ledger verify` checks them.

Existing entries are filled in from their transfers; the append-only trigger is lifted for that
one UPDATE inside this migration's transaction and put back before it ends.
"""

from importlib import import_module

from django.db import migrations, models

from coproduce.ledger import sql

KINDS = [
    ("exchange", "Exchange"),
    ("gift", "Gift"),
    ("grant", "Grant from the community chest"),
    ("meeting", "Meeting attendance"),
    ("pool", "Pool"),
    ("adjustment", "Adjustment"),
    ("reversal", "Reversal"),
]
_0002 = import_module("coproduce.ledger.migrations.0002_append_only_triggers")
POSTGRES_FUNCTION = sql.read("transfer_post_v3.sql")

SQLITE_NO_UPDATE = next(s for s in _0002.SQLITE_UP if "ledger_entry_no_update" in s)
SQLITE_SAME_AS_TRANSFER = """CREATE TRIGGER ledger_entry_as_transfer BEFORE INSERT ON ledger_entry
    WHEN NEW.occurred_at IS NOT (SELECT occurred_at FROM ledger_transfer WHERE id = NEW.transfer_id)
      OR NEW.kind IS NOT (SELECT kind FROM ledger_transfer WHERE id = NEW.transfer_id)
    BEGIN SELECT RAISE(ABORT, 'a ledger entry carries its transfer''s occurred_at and kind'); END"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    execute = schema_editor.execute
    if vendor == "postgresql":
        execute("ALTER TABLE ledger_entry ADD COLUMN occurred_at timestamptz NULL")
        execute("ALTER TABLE ledger_entry ADD COLUMN kind varchar(16) NULL")
        execute("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only")
        execute(
            "UPDATE ledger_entry e SET occurred_at = t.occurred_at, kind = t.kind "
            "FROM ledger_transfer t WHERE t.id = e.transfer_id"
        )
        execute("ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_append_only")
        execute("ALTER TABLE ledger_entry ALTER COLUMN occurred_at SET NOT NULL")
        execute("ALTER TABLE ledger_entry ALTER COLUMN kind SET NOT NULL")
        execute(POSTGRES_FUNCTION)
    else:
        # SQLite cannot add a NOT NULL column without a default: the trigger below refuses a
        # missing or different copy instead, which NOT NULL alone would not.
        execute("ALTER TABLE ledger_entry ADD COLUMN occurred_at datetime NULL")
        execute("ALTER TABLE ledger_entry ADD COLUMN kind varchar(16) NULL")
        execute("DROP TRIGGER ledger_entry_no_update")
        execute(
            "UPDATE ledger_entry SET "
            "occurred_at = (SELECT occurred_at FROM ledger_transfer t WHERE t.id = transfer_id), "
            "kind = (SELECT kind FROM ledger_transfer t WHERE t.id = transfer_id)"
        )
        execute(SQLITE_NO_UPDATE)
        execute(SQLITE_SAME_AS_TRANSFER)


def backwards(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(sql.read("transfer_post_v2.sql"))
        execute("ALTER TABLE ledger_entry DROP COLUMN kind")
        execute("ALTER TABLE ledger_entry DROP COLUMN occurred_at")
    else:
        execute("DROP TRIGGER IF EXISTS ledger_entry_as_transfer")
        execute("ALTER TABLE ledger_entry DROP COLUMN kind")
        execute("ALTER TABLE ledger_entry DROP COLUMN occurred_at")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_transfer_post_settles_races")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AddField(
                    model_name="entry",
                    name="occurred_at",
                    field=models.DateTimeField(editable=False),
                    preserve_default=False,
                ),
                migrations.AddField(
                    model_name="entry",
                    name="kind",
                    field=models.CharField(choices=KINDS, editable=False, max_length=16),
                    preserve_default=False,
                ),
            ],
        )
    ]
