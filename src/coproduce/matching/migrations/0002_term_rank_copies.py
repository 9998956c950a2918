"""Copy what the first cut of the ranking reads onto each term row, index the rows in ranking
order per term (and per term and area), and keep terms for active members only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Portable SQL (SQLite and PostgreSQL): fill the copies from the profiles, so an existing index
# keeps working without a rebuild.
FILL = """
DELETE FROM matching_matchterm WHERE profile_id IN (
    SELECT id FROM matching_matchprofile WHERE NOT active
);
UPDATE matching_matchterm SET
    person_id = (SELECT p.person_id FROM matching_matchprofile p WHERE p.id = profile_id),
    area = (SELECT p.area FROM matching_matchprofile p WHERE p.id = profile_id),
    availability_mask = (
        SELECT p.availability_mask FROM matching_matchprofile p WHERE p.id = profile_id
    ),
    excluded_mask = (SELECT p.excluded_mask FROM matching_matchprofile p WHERE p.id = profile_id),
    prior = (
        SELECT CASE WHEN p.given_recently = 0 THEN 100 WHEN p.given_recently <= 2 THEN 60
                    WHEN p.given_recently <= 5 THEN 30 ELSE 0 END
        FROM matching_matchprofile p WHERE p.id = profile_id
    );
"""


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="matchterm", name="matching_ma_timeban_3fdfcd_idx"),
        migrations.AddField(
            model_name="matchterm",
            name="person",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                default=0,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="matchterm",
            name="area",
            field=models.CharField(blank=True, max_length=80, default=""),
        ),
        migrations.AddField(
            model_name="matchterm",
            name="availability_mask",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="matchterm",
            name="excluded_mask",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="matchterm",
            name="prior",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="matchterm",
            index=models.Index(
                fields=["timebank", "term", "area", "-weight", "-prior", "person"],
                name="matchterm_by_area",
            ),
        ),
        migrations.AddIndex(
            model_name="matchterm",
            index=models.Index(
                fields=["timebank", "term", "-weight", "-prior", "person"],
                name="matchterm_by_rank",
            ),
        ),
    ]
