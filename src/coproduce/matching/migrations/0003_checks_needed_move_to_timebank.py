"""The rule "this kind of help needs a current check of that kind" moves from the matching
settings to the time bank (`TimeBank.checks_needed`), because every path that arranges an
exchange enforces it now, not only matching. Each time bank keeps the rules it had."""

from django.db import migrations


def copy_rules(apps, schema_editor):
    MatchingSettings = apps.get_model("matching", "MatchingSettings")
    TimeBank = apps.get_model("community", "TimeBank")
    for timebank_id, rules in MatchingSettings.objects.values_list("timebank_id", "safeguarding"):
        TimeBank.objects.filter(pk=timebank_id).update(checks_needed=rules or {})


def copy_rules_back(apps, schema_editor):
    MatchingSettings = apps.get_model("matching", "MatchingSettings")
    TimeBank = apps.get_model("community", "TimeBank")
    rules = dict(TimeBank.objects.values_list("pk", "checks_needed"))
    for settings in MatchingSettings.objects.all():
        settings.safeguarding = rules.get(settings.timebank_id) or {}
        settings.save(update_fields=["safeguarding"])


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_term_rank_copies"),
        ("community", "0006_safeguarding_pauses_incidents_reminders"),
    ]

    operations = [
        migrations.RunPython(copy_rules, copy_rules_back),
        migrations.RemoveField(model_name="matchingsettings", name="safeguarding"),
    ]
