"""PostgreSQL: `ledger_transfer_post` version 5 (`ledger/sql/transfer_post_v5.sql`, issue 17).

A posting no longer builds and returns seven arrays describing the locked accounts, which only a
refusal needs: it returns the legs' accounts and their balances after it, and a refusal reads the
(still locked) accounts once, for `transfer_post` to explain. Less for the server to build and
for the client to parse on every posting; the checks, locks and writes are version 4's.
"""

from django.db import migrations

from coproduce.ledger import sql


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(sql.read("transfer_post_v5.sql"))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(sql.read("transfer_post_v4.sql"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_drop_redundant_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
