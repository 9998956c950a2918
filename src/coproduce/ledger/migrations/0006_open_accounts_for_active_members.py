"""Open the hour account of every active member who has none (issue 12, "Accounts open on
activation"). Until now an account opened on first use, so a member welcomed but not yet in any
exchange had none: home said so and the statement's CSV and printable page were 404. From now on
an activation opens it (ledger/receivers.py); this opens the missing ones, at the time bank's
default limits, with no entry. Running it again opens nothing."""

from django.db import migrations

HOUR = "hour"


def open_missing_accounts(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Membership = apps.get_model("community", "Membership")
    TimeBank = apps.get_model("community", "TimeBank")
    for timebank in TimeBank.objects.order_by("pk").iterator():
        have = Account.objects.filter(timebank=timebank, kind="member", unit=HOUR).values(
            "person_id"
        )
        missing = (
            Membership.objects.filter(timebank=timebank, status="active")
            .exclude(person_id__in=have)
            .values_list("person_id", flat=True)
            .order_by("person_id")
        )
        Account.objects.bulk_create(
            [
                Account(
                    timebank=timebank,
                    person_id=person_id,
                    unit=HOUR,
                    kind="member",
                    min_balance=timebank.default_min_balance,
                    max_balance=timebank.default_max_balance,
                )
                for person_id in missing
            ],
            batch_size=500,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_entry_occurred_at_and_kind"),
        ("community", "0006_safeguarding_pauses_incidents_reminders"),
    ]

    operations = [migrations.RunPython(open_missing_accounts, migrations.RunPython.noop)]
