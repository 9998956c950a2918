"""Each account's quarters kept beside its months (`insights.AccountQuarter`), filled here from
the account months already folded, so that both summaries stand at the same watermark at once
(a quarter row is the sum of its three month rows; the next refresh folds both on)."""

import django.db.models.deletion
from django.db import migrations, models


def quarters_from_months(apps, schema_editor):
    """The quarter rows of the month rows there are, under the state row's lock so that no
    refresh folds months meanwhile."""
    state_model = apps.get_model("insights", "SummaryState")
    using = schema_editor.connection.alias
    list(state_model.objects.using(using).select_for_update().all())
    in_quarter = "(month % 100 - 1) % 3"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO insights_accountquarter (timebank_id, account_id, quarter, earned,"  # noqa: S608
            " spent, other_in, other_out, help_months, entries)"
            f" SELECT timebank_id, account_id, month - {in_quarter}, SUM(earned), SUM(spent),"
            f" SUM(other_in), SUM(other_out),"
            f" SUM(CASE WHEN help_entries > 0 THEN 1 << {in_quarter} ELSE 0 END), SUM(entries)"
            " FROM insights_accountmonth GROUP BY 1, 2, 3"
        )
        if schema_editor.connection.vendor == "postgresql":
            # Its statistics now, not at autovacuum's next pass: the report plans with them.
            cursor.execute("ANALYZE insights_accountquarter")


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0007_last_help"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountQuarter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("quarter", models.IntegerField()),
                ("earned", models.BigIntegerField(default=0)),
                ("spent", models.BigIntegerField(default=0)),
                ("other_in", models.BigIntegerField(default=0)),
                ("other_out", models.BigIntegerField(default=0)),
                ("help_months", models.IntegerField(default=0)),
                ("entries", models.IntegerField(default=0)),
                (
                    "account",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="ledger.account",
                    ),
                ),
                (
                    "timebank",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="community.timebank",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("timebank", "quarter", "account"), name="one_account_quarter"
                    )
                ],
            },
        ),
        migrations.RunPython(quarters_from_months, migrations.RunPython.noop),
    ]
