"""Exchanges by time bank, status and when they were confirmed (the home page's and the
dashboard's counts of the last month or year)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0002_profile_induction_checks"),
        ("exchanges", "0005_listing_text_rows"),
        ("ledger", "0005_entry_occurred_at_and_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="exchange",
            index=models.Index(
                fields=["timebank", "status", "confirmed_at"], name="exchanges_e_timeban_e28571_idx"
            ),
        ),
    ]
