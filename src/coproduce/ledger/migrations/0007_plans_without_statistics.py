"""PostgreSQL: the posting's plans no longer depend on the tables' statistics (issue 17).

A new database, or one just bulk-loaded, has no statistics until autovacuum's ANALYZE, and the
generic plans a connection made then stayed: every posting read the whole of `ledger_entry` (the
zero-sum trigger) and `ledger_transfer` (the idempotency look-up and the entries' foreign-key
checks) and got slower as the ledger grew. Now `ledger_transfer_post` (version 4,
`ledger/sql/transfer_post_v4.sql`) and the zero-sum trigger's function run with
`enable_seqscan = off`, so every look-up is by its index whatever the statistics say; the
trigger's one query is a look-up by `transfer_id` on that column's index, with a generic plan.

The foreign keys of `ledger_transfer` and `ledger_entry` become NOT DEFERRABLE. Django makes
every foreign key DEFERRABLE INITIALLY DEFERRED, so their checks ran at COMMIT, outside the
function and its settings, with plans made from whatever statistics there were (on a new
database: a full read of `ledger_transfer` for each entry). Checked at the end of each INSERT
they run inside the call, under `enable_seqscan = off`. Nothing is lost: the ledger writes a
transfer before its entries, and the accounts, people and time bank they point to exist first.

SQLite needs nothing: its planner uses the index for these look-ups without statistics.
"""

from django.db import migrations

from coproduce.ledger import sql

ZERO_SUM_PLAN = (
    "ALTER FUNCTION ledger_check_zero_sum() "
    "SET enable_seqscan = off SET plan_cache_mode = force_generic_plan"
)
ZERO_SUM_PLAN_UNDONE = "ALTER FUNCTION ledger_check_zero_sum() RESET ALL"


LEDGER_TABLES = ("ledger_transfer", "ledger_entry")


def _foreign_keys(schema_editor) -> list[tuple[str, str]]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY (%s::regclass[]) ORDER BY 1, 2",
            [list(LEDGER_TABLES)],
        )
        return cursor.fetchall()


def _set_deferrable(schema_editor, mode: str) -> None:
    quote = schema_editor.quote_name
    for table, name in _foreign_keys(schema_editor):
        schema_editor.execute(f"ALTER TABLE {quote(table)} ALTER CONSTRAINT {quote(name)} {mode}")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(sql.read("transfer_post_v4.sql"))
        schema_editor.execute(ZERO_SUM_PLAN)
        _set_deferrable(schema_editor, "NOT DEFERRABLE")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _set_deferrable(schema_editor, "DEFERRABLE INITIALLY DEFERRED")
        schema_editor.execute(ZERO_SUM_PLAN_UNDONE)
        schema_editor.execute(sql.read("transfer_post_v3.sql"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_open_accounts_for_active_members")]

    operations = [migrations.RunPython(forwards, backwards)]
