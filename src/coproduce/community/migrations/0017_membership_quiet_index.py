"""The quiet members' index (community 0016) carries what "no exchange lately" filters on after
the range (when they joined, who they are), so SQLite counts the list from the index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0016_membership_last_exchange"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="membership",
            name="membership_by_last_exchange",
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(
                fields=[
                    "timebank",
                    "status",
                    "role",
                    "last_exchange_at",
                    "activated_at",
                    "applied_at",
                    "person",
                ],
                name="membership_quiet_by_last",
            ),
        ),
    ]
