"""Fill community 0016's `Membership.last_exchange_at` from the kept activity: the later of each
person's last giving and receiving in the membership's time bank (exchanges.services.tallies
keeps it from now on). One UPDATE; on the 10,000-member demo about a second."""

from datetime import UTC, datetime

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, NullIf

_NEVER = datetime(1900, 1, 1, tzinfo=UTC)


def fill(apps, schema_editor):
    Membership = apps.get_model("community", "Membership")
    PersonActivity = apps.get_model("exchanges", "PersonActivity")
    latest = NullIf(
        Greatest(
            Coalesce("last_gave_at", Value(_NEVER)), Coalesce("last_received_at", Value(_NEVER))
        ),
        Value(_NEVER),
    )
    Membership.objects.using(schema_editor.connection.alias).update(
        last_exchange_at=Subquery(
            PersonActivity.objects.filter(timebank=OuterRef("timebank"), person=OuterRef("person"))
            .annotate(latest=latest)
            .values("latest")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0016_membership_last_exchange"),
        ("exchanges", "0011_listing_search_document"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
