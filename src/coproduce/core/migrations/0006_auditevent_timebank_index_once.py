"""`core_auditevent(timebank_id)` goes: the index on (timebank_id, action, created_at) begins
with the same column and serves every look-up by time bank, and each posting (issue 17) and
every other audited act wrote both."""

from django.db import migrations, models

NAME = "core_auditevent_timebank_id_a76e4813"


class Migration(migrations.Migration):
    dependencies = [("core", "0005_outgoing_email")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {NAME}",
                    f"CREATE INDEX {NAME} ON core_auditevent (timebank_id)",
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="timebank_id",
                    field=models.BigIntegerField(blank=True, null=True),
                )
            ],
        )
    ]
