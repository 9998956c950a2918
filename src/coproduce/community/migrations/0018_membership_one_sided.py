"""Each membership also keeps copies of its person's exchanges.PersonActivity in that time bank
(when they last gave and last received, how many they gave and received: exchanges 0015 fills
them, exchanges.services.tallies keeps them), indexed after the status and role with the count
and the person first, so that the coordinator's "only giving" and "only receiving" read the
trading members' range of an index each, from the index alone: the most ever from its top (in
the index's order, stopping at the first rows), the total over the range, with no look-up of an
activity or a membership per person (the activity's own count indexes, exchanges 0014, are
dropped in exchanges 0015)."""

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
                    "gave_count",
                    "person",
                    "last_gave_at",
                    "last_received_at",
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
                    "received_count",
                    "person",
                    "last_received_at",
                    "last_gave_at",
                ],
                name="membership_only_receiving",
            ),
        ),
    ]
