"""`ledger_transfer_post` settles the two races it can meet instead of raising, so that
transfer_post no longer wraps it in a savepoint inside a caller's transaction: there a posting is
now one round trip instead of three, and the demo's or an import's single long transaction no
longer opens a subtransaction per posting.

The races: a posting with the same idempotency key on other accounts (the account locks do not
serialise it), which now returns 'existing'; and two reversals of one transfer under different
keys, which now returns 'already_reversed' (transfer_post raises the same Conflict as
transfer_reverse does when it sees the reversal itself). The rest of the function is as 0003 made
it.
"""

from django.db import migrations

from coproduce.ledger import sql

POSTGRES_UP = [sql.read("transfer_post_v2.sql")]
# Back to the function as 0003 made it.
POSTGRES_DOWN = [sql.read("transfer_post_v1.sql")]


def _run(statements):
    def run(apps, schema_editor):
        # 0002 has already refused any database but SQLite and PostgreSQL.
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_postgres_transfer_post")]

    operations = [migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN))]
