"""How many confirmed exchanges each person gave and received in each time bank, kept on their
`PersonActivity` (exchanges.services.tallies keeps them from now on), and filled here from the
participations: one UPDATE, each count one range of the (person, side, time bank,
exchange_confirmed_at) index; each count indexed after the time bank (with the moments and the
person), so the people who gave or received most are read from the top, from the index alone."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Participant = apps.get_model("exchanges", "Participant")
    PersonActivity = apps.get_model("exchanges", "PersonActivity")

    def count(side):
        return Coalesce(
            Subquery(
                Participant.objects.filter(
                    person=OuterRef("person"),
                    side=side,
                    timebank=OuterRef("timebank"),
                    exchange_confirmed_at__isnull=False,
                )
                .order_by()
                .values("person")
                .annotate(n=Count("*"))
                .values("n")[:1]
            ),
            0,
        )

    PersonActivity.objects.using(schema_editor.connection.alias).update(
        gave_count=count("provider"), received_count=count("receiver")
    )


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0013_listing_areas_index")]

    operations = [
        migrations.AddField(
            model_name="personactivity",
            name="gave_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="personactivity",
            name="received_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="personactivity",
            index=models.Index(
                fields=["timebank", "gave_count", "last_gave_at", "last_received_at", "person"],
                name="activity_most_given",
            ),
        ),
        migrations.AddIndex(
            model_name="personactivity",
            index=models.Index(
                fields=["timebank", "received_count", "last_received_at", "last_gave_at", "person"],
                name="activity_most_received",
            ),
        ),
    ]
