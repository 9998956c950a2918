"""`core_auditevent(on_behalf_of_id)` holds only the acts done on another's behalf (issue 17).

A full index of a nullable column holds a row for every NULL too, so every audited act (every
posting among them) wrote one, though most are on nobody's behalf and nothing looks audit rows
up by a NULL. The one reader, the PROTECT check before a person is deleted (`on_behalf_of_id
IN (…)`), implies the column is not NULL, so both databases use the partial index for it.
The old index goes by name (as in 0006); reversed, it comes back.
"""

from django.conf import settings
from django.db import migrations, models

OLD = "core_auditevent_on_behalf_of_id_f3905630"


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("core", "0006_auditevent_timebank_index_once"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {OLD}",
                    f"CREATE INDEX {OLD} ON core_auditevent (on_behalf_of_id)",
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="on_behalf_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                )
            ],
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(on_behalf_of__isnull=False),
                fields=["on_behalf_of"],
                name="core_auditevent_on_behalf",
            ),
        ),
    ]
