"""The insights report's kept summaries of the ledger (`insights.summary`)."""

import django.db.models.deletion
from django.db import migrations, models


def make_state(apps, schema_editor):
    """The one state row, empty (no time zone: not used until `coproduce insights refresh`)."""
    apps.get_model("insights", "SummaryState").objects.using(
        schema_editor.connection.alias
    ).get_or_create(pk=1)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("community", "0015_person_easy_read"),
        ("insights", "0003_ties_in_pair_order_and_meetings_by_date"),
        ("ledger", "0009_transfer_post_returns_less"),
    ]

    operations = [
        migrations.CreateModel(
            name="SummaryState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("watermark", models.BigIntegerField(default=0)),
                ("time_zone", models.CharField(blank=True, max_length=64)),
                ("refreshed_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name="AccountMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.IntegerField()),
                ("earned", models.BigIntegerField(default=0)),
                ("spent", models.BigIntegerField(default=0)),
                ("other_in", models.BigIntegerField(default=0)),
                ("other_out", models.BigIntegerField(default=0)),
                ("help_entries", models.IntegerField(default=0)),
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
                        fields=("timebank", "month", "account"), name="one_account_month"
                    )
                ],
            },
        ),
        migrations.RunPython(make_state, migrations.RunPython.noop),
    ]
