"""SQLite: the trigger that refuses an entry whose copies of its transfer's `occurred_at` and
`kind` differ (0005) looks the transfer up once, not twice (issue 17).

It compared each copy with its own subquery, two look-ups of the transfer for every entry written,
four a posting. Now one look-up asks whether the entry's transfer exists with both values; an
entry is refused in exactly the cases it was (a copy differs, or is missing, or the transfer is
not there), with the same message. PostgreSQL has no such trigger and needs nothing.
"""

from importlib import import_module

from django.db import migrations

_0005 = import_module("coproduce.ledger.migrations.0005_entry_occurred_at_and_kind")

ONE_LOOKUP = """CREATE TRIGGER ledger_entry_as_transfer BEFORE INSERT ON ledger_entry
    WHEN NOT EXISTS (SELECT 1 FROM ledger_transfer WHERE id = NEW.transfer_id
                     AND occurred_at IS NEW.occurred_at AND kind IS NEW.kind)
    BEGIN SELECT RAISE(ABORT, 'a ledger entry carries its transfer''s occurred_at and kind'); END"""


def _replace(trigger: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_as_transfer")
            schema_editor.execute(trigger)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0010_fewer_transfer_indexes")]

    operations = [
        migrations.RunPython(_replace(ONE_LOOKUP), _replace(_0005.SQLITE_SAME_AS_TRANSFER))
    ]
