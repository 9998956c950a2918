"""On PostgreSQL, a posting in one round trip: `ledger_transfer_post(...)` does all that
`transfer_post` does between taking the locks and committing (lock the accounts in id order, look
up the idempotency key, check time bank, closure, units and limits, write the transfer, its
entries, the balances and the audit row), so a posting made outside a transaction is one statement
and one commit (docs/DESIGN.md, "Speed").

It decides only whether to write; it never explains a refusal. On a refusal it returns 'refused'
with the locked accounts, and the service runs its own checks on them to raise the same error with
the same message as on SQLite, so the wording lives in one place. On SQLite this migration does
nothing: there the service's statements already run in-process.

It also leaves half of each page of ledger_account free: every posting rewrites two balances, and
with room on the page PostgreSQL writes the new row version beside the old (a HOT update) instead
of adding an entry to each of the table's indexes. In benchmarks/bench_ledger.py, 3% of balance
updates were HOT at the default fillfactor of 100, and about 60% at 50.
"""

from django.db import migrations

from coproduce.ledger import sql

POSTGRES_UP = [
    sql.read("transfer_post_v1.sql"),
    "ALTER TABLE ledger_account SET (fillfactor = 50)",
]
POSTGRES_DOWN = [
    "ALTER TABLE ledger_account RESET (fillfactor)",
    "DROP FUNCTION IF EXISTS ledger_transfer_post(bigint, bigint[], bigint[], text, text,"
    " timestamptz, timestamptz, bigint, bigint, text, bigint, uuid, text, boolean, boolean,"
    " text, text, jsonb)",
]


def _run(statements):
    def run(apps, schema_editor):
        # 0002 has already refused any database but SQLite and PostgreSQL.
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_append_only_triggers"),
        # The function writes the audit row itself.
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN))]
