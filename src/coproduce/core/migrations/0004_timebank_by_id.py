"""Core becomes the ground floor: audit rows and notifications name their time bank by id.

The column `timebank_id` stays where it is, with its values, its index and the composite audit
index; only the foreign-key constraint to `community_timebank` goes. Table names do not change,
so the application role's grants (core.db_grants) and the ledger's PostgreSQL posting function,
which inserts into `core_auditevent`, are untouched. The database step is Django's own
AlterField from the foreign key to a plain integer in the same column (on PostgreSQL it drops
the constraint; on SQLite it rebuilds the table, copying every row: core_auditevent has no
triggers to recreate). The model state then renames the field to `timebank_id`, which is the
same column, so nothing more happens in the database.
"""

from django.db import migrations, models


def _to_plain_id(
    model: str, *, index: models.Index | None = None
) -> migrations.SeparateDatabaseAndState:
    """The foreign key becomes a plain integer in the same column. The database step keeps the
    field's old name, so the audit's composite index is still in the state a SQLite rebuild
    reads; the state step then gives the field its new name and the index its new field."""
    state: list = []
    if index is not None:
        state.append(migrations.RemoveIndex(model_name=model, name=index.name))
    state += [
        migrations.RemoveField(model_name=model, name="timebank"),
        migrations.AddField(
            model_name=model,
            name="timebank_id",
            field=models.BigIntegerField(null=True, blank=True, db_index=True),
        ),
    ]
    if index is not None:
        state.append(migrations.AddIndex(model_name=model, index=index))
    return migrations.SeparateDatabaseAndState(
        database_operations=[
            migrations.AlterField(
                model_name=model,
                name="timebank",
                field=models.BigIntegerField(
                    null=True, blank=True, db_index=True, db_column="timebank_id"
                ),
            )
        ],
        state_operations=state,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_attempt"),
    ]

    operations = [
        _to_plain_id(
            "auditevent",
            index=models.Index(
                fields=["timebank_id", "action", "created_at"],
                name="core_audite_timeban_516b20_idx",
            ),
        ),
        _to_plain_id("notification"),
    ]
