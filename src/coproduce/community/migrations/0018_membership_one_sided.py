"""Each membership also keeps copies of its person's exchanges.PersonActivity in that time bank
(when they last gave and last received, how many they gave and received: exchanges 0015 fills
them, exchanges.services.tallies keeps them), indexed after the status and role so that the
coordinator's "only giving" and "only receiving" are one range of an index each, counted from
the index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0017_membership_quiet_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="last_gave_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="membership",
            name="last_received_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="membership",
            name="gave_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="membership",
            name="received_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(
                fields=[
                    "timebank",
                    "status",
                    "role",
                    "last_gave_at",
                    "last_received_at",
                    "gave_count",
                    "person",
                ],
                name="membership_only_giving",
            ),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(
                fields=[
                    "timebank",
                    "status",
                    "role",
                    "last_received_at",
                    "last_gave_at",
                    "received_count",
                    "person",
                ],
                name="membership_only_receiving",
            ),
        ),
    ]
