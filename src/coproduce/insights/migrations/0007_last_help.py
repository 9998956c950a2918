"""Each account's last help kept beside the account months (`insights.LastHelp`, folded from
nothing by the next `coproduce insights refresh`: until then the report looks each account up
as before), and the latest date of the entries already folded into the account months
(`SummaryState.latest_at`), worked out here from the entries up to the watermark so that the
summaries already built can be read with it at once."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max


def latest_folded(apps, schema_editor):
    """The latest `occurred_at` of the entries the account months hold (as `summary._fold`
    folds them: hour entries up to the watermark, reversals' own left out)."""
    state_model = apps.get_model("insights", "SummaryState")
    entry_model = apps.get_model("ledger", "Entry")
    using = schema_editor.connection.alias
    for state in state_model.objects.using(using).filter(watermark__gt=0):
        state.latest_at = (
            entry_model.objects.using(using)
            .filter(id__lte=state.watermark, unit="hour")
            .exclude(kind="reversal")
            .aggregate(latest=Max("occurred_at"))["latest"]
        )
        state.save(update_fields=["latest_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0017_membership_quiet_index"),
        ("insights", "0006_tie_spans"),
        ("ledger", "0011_sqlite_entry_copies_checked_in_one_lookup"),
    ]

    operations = [
        migrations.AddField(
            model_name="summarystate",
            name="last_help_watermark",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="summarystate",
            name="latest_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(latest_folded, migrations.RunPython.noop),
        migrations.CreateModel(
            name="LastHelp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("last_at", models.DateTimeField()),
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
                    models.UniqueConstraint(fields=("timebank", "account"), name="one_last_help")
                ],
            },
        ),
    ]
