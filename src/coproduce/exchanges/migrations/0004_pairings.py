"""Pairings: who helped whom in each confirmed exchange (see `Pairing`). Exchanges already
confirmed get theirs from their participants and transfer; the first provider and first
receiver (by id) carry `counts_exchange`."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
INSERT INTO exchanges_pairing (timebank_id, exchange_id, transfer_id, provider_id, receiver_id,
    category, minutes, occurred_at, counts_exchange)
SELECT x.timebank_id, x.id, x.transfer_id, p.account_id, r.account_id, x.category,
    COALESCE(x.actual_minutes, 0), t.occurred_at,
    p.id = (SELECT MIN(f.id) FROM exchanges_participant f
            WHERE f.exchange_id = x.id AND f.side = 'provider')
    AND r.id = (SELECT MIN(f.id) FROM exchanges_participant f
                WHERE f.exchange_id = x.id AND f.side = 'receiver')
FROM exchanges_exchange x
JOIN ledger_transfer t ON t.id = x.transfer_id
JOIN exchanges_participant p ON p.exchange_id = x.id AND p.side = 'provider'
JOIN exchanges_participant r ON r.exchange_id = x.id AND r.side = 'receiver'
WHERE x.status = 'confirmed'
"""


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0002_profile_induction_checks"),
        ("exchanges", "0003_listing_search"),
        ("ledger", "0005_entry_occurred_at_and_kind"),
    ]

    operations = [
        migrations.CreateModel(
            name="Pairing",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("care", "Care"),
                            ("companionship", "Companionship"),
                            ("transport", "Transport"),
                            ("household", "Household"),
                            ("gardening", "Gardening"),
                            ("learning", "Learning"),
                            ("admin", "Admin and paperwork"),
                            ("creative", "Creative"),
                            ("health", "Health and wellbeing"),
                            ("children", "Children and families"),
                            ("neighbourhood", "Neighbourhood"),
                            ("civic", "Civic and co-design"),
                        ],
                        max_length=16,
                    ),
                ),
                ("minutes", models.PositiveIntegerField()),
                ("occurred_at", models.DateTimeField()),
                ("counts_exchange", models.BooleanField()),
                (
                    "exchange",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pairings",
                        to="exchanges.exchange",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.account",
                    ),
                ),
                (
                    "receiver",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.account",
                    ),
                ),
                (
                    "timebank",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="community.timebank",
                    ),
                ),
                (
                    "transfer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.transfer",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["timebank", "occurred_at"], name="exchanges_p_timeban_730393_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("exchange", "provider", "receiver"), name="one_pairing_per_pair"
                    )
                ],
            },
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
