"""The coordinator's "only receiving" and "only giving" totals are counted from the other side's
copy (exchanges 0015's columns): (time bank, status, role, when they last gave, when they last
received) for only receiving, the two sides the other way round for only giving. Each total is
two short ranges, of those who never took part on the other side and of those whose last time
there was before the year, read from the index alone; the lists' own indexes (0018) hold every
trading member, and the totals read all ~10,000 of them on the demo (issue 17, round 25)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0018_membership_one_sided"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(
                fields=["timebank", "status", "role", "last_gave_at", "last_received_at"],
                name="membership_by_last_gave",
            ),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(
                fields=["timebank", "status", "role", "last_received_at", "last_gave_at"],
                name="membership_by_last_received",
            ),
        ),
    ]
