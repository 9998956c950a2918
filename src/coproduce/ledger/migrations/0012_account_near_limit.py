"""Each account says whether its balance is within an hour of a limit (`near_limit`, a column the
database computes from the balance and the limits), indexed where it does, by time bank: the
coordinator's "balances near the limit" reads the few accounts near their limits from that
index instead of every page of the accounts' table (issue 17).

The column is computed by the database on every write of the row, so nothing else writes it and
it cannot drift (`ledger verify` compares it with the rule all the same). An index on the balance
itself, or one whose condition read it, would be written on every posting and end the HOT
updates of ledger 0003; this column changes only when a balance crosses into or out of the hour.

Written out per database rather than by Django's AddField: on SQLite that would copy the table
into a new one (a stored column cannot be added in place) and drop its triggers (ledger 0002's
refusal to delete an account); SQLite adds the column in place as a virtual one, computed when
read, which an index holds like any other. On PostgreSQL it is stored (adding it rewrites the
table once, under its lock).
"""

from django.db import migrations, models
from django.db.models.expressions import CombinedExpression

RULE = "(balance <= min_balance + 60 OR (max_balance IS NOT NULL AND balance > max_balance - 60))"


def _add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        column = f"boolean NOT NULL GENERATED ALWAYS AS {RULE} STORED"
    else:
        column = f"bool GENERATED ALWAYS AS {RULE} VIRTUAL"
    schema_editor.execute(f"ALTER TABLE ledger_account ADD COLUMN near_limit {column}")


def _drop(apps, schema_editor):
    schema_editor.execute("ALTER TABLE ledger_account DROP COLUMN near_limit")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0011_sqlite_entry_copies_checked_in_one_lookup")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_add, _drop)],
            state_operations=[
                migrations.AddField(
                    model_name="account",
                    name="near_limit",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=models.Q(  # type: ignore[arg-type]
                            (
                                "balance__lte",
                                CombinedExpression(models.F("min_balance"), "+", models.Value(60)),
                            ),
                            models.Q(
                                (
                                    "balance__gt",
                                    CombinedExpression(
                                        models.F("max_balance"), "-", models.Value(60)
                                    ),
                                ),
                                ("max_balance__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        output_field=models.BooleanField(),
                    ),
                )
            ],
        ),
        migrations.AddIndex(
            model_name="account",
            index=models.Index(
                condition=models.Q(("near_limit", True)),
                fields=["timebank"],
                name="ledger_account_near_limit",
            ),
        ),
    ]
