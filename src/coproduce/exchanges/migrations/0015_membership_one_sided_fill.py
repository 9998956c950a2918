"""Fill community 0018's copies of each person's activity on their membership (when they last
gave and last received, how many they gave and received in that time bank) from their
`PersonActivity` (exchanges.services.tallies keeps them from now on): one UPDATE. The activity's
two count indexes are dropped: the dashboard's one-sided lists read the membership's now."""

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Membership = apps.get_model("community", "Membership")
    PersonActivity = apps.get_model("exchanges", "PersonActivity")
    activity = PersonActivity.objects.filter(
        timebank=OuterRef("timebank"), person=OuterRef("person")
    )

    def kept(field):
        return Subquery(activity.values(field)[:1])

    Membership.objects.using(schema_editor.connection.alias).update(
        last_gave_at=kept("last_gave_at"),
        last_received_at=kept("last_received_at"),
        gave_count=Coalesce(kept("gave_count"), 0),
        received_count=Coalesce(kept("received_count"), 0),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0018_membership_one_sided"),
        ("exchanges", "0014_person_activity_counts"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="personactivity", name="activity_most_given"),
        migrations.RemoveIndex(model_name="personactivity", name="activity_most_received"),
    ]
