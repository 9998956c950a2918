"""Two fewer index insertions for every transfer posted (issue 17).

- `ledger_transfer(on_behalf_of_id)` now holds only the transfers posted on someone's behalf. A
  full index of a nullable column holds a row for every NULL too, so every posting wrote one,
  though most act on nobody's behalf and nothing looks transfers up by a NULL. Its one reader,
  the PROTECT check before a person is deleted (`on_behalf_of_id IN (…)`), implies the column
  is not NULL, so both databases use the partial index for it.
- `ledger_transfer(occurred_at)` goes. No read looks the time bank's transfers up by date alone:
  statements and reports read the entries' own copies of the date (0005), meetings by date have
  `insights_meeting_by_date (timebank_id, occurred_at)`, and on SQLite `insights_transfer_by_date`
  begins with the column. On PostgreSQL it was a trap besides: a statement's plan could walk it
  newest first over every transfer (tests/ledger/test_statement_plan.py).

Django's own AlterField would not do here (see 0008): the database drops the old indexes by
name and adds the partial one; reversed, both come back as they were.
"""

from django.conf import settings
from django.db import migrations, models

# (column, Django's name for the index of that one column)
DROPPED = [
    ("on_behalf_of_id", "ledger_transfer_on_behalf_of_id_e21ed27e"),
    ("occurred_at", "ledger_transfer_occurred_at_eb2b38c6"),
]


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("ledger", "0009_transfer_post_returns_less"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    f"CREATE INDEX {name} ON ledger_transfer ({column})",
                )
                for column, name in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="transfer",
                    name="on_behalf_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="transfer",
                    name="occurred_at",
                    field=models.DateTimeField(),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="transfer",
            index=models.Index(
                condition=models.Q(on_behalf_of__isnull=False),
                fields=["on_behalf_of"],
                name="ledger_transfer_on_behalf",
            ),
        ),
    ]
