"""Participations indexed by person, side, time bank and exchange (covering the dashboard's
yearly counts) instead of by person and side."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0002_profile_induction_checks"),
        ("exchanges", "0006_exchange_confirmed_index"),
        ("ledger", "0005_entry_occurred_at_and_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="participant",
            name="exchanges_p_person__561735_idx",
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(
                fields=["person", "side", "timebank", "exchange"],
                name="exchanges_p_person__c1dd8d_idx",
            ),
        ),
    ]
