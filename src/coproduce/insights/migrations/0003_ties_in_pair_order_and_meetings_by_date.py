"""Two indexes for the insights report at 1M exchanges (issue 17).

- PostgreSQL: pairings in the order the ties are grouped in, each pair once whichever way the
  help went (LEAST, GREATEST of the two accounts; then category, for the coordinator's picture),
  with the date and transfer the query filters on and the two accounts it reads (INCLUDE: an
  index-only scan needs every column the query names). The report reads the ties from it in
  order (a group aggregate over an index-only scan, `insights.network._tie_rows`), about half
  the time of hashing the million pairings into 100,000 groups. It replaces 0002's pairings by
  (receiver, provider), which only SQLite's ties query reads, so a confirmed exchange writes as
  many index entries on PostgreSQL as before. SQLite keeps that one.
- Both databases: co-design meetings by date, a partial index holding only meeting transfers,
  for help by month (meetings are found through their transfers; without it the period's
  transfers were scanned to find none or a few). A posting of any other kind writes nothing to it.

The tables belong to other apps; the indexes are named `insights_*` so it is clear whose they are.
"""

from django.db import migrations

TIE = "insights_pairing_by_tie"
PAIR = "insights_pairing_by_pair"
MEETINGS = "insights_meeting_by_date"


def create(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(
            f"CREATE INDEX IF NOT EXISTS {TIE} ON exchanges_pairing (timebank_id, "
            "LEAST(receiver_id, provider_id), GREATEST(receiver_id, provider_id), category, "
            "occurred_at, transfer_id) INCLUDE (receiver_id, provider_id)"
        )
        execute(f"DROP INDEX IF EXISTS {PAIR}")
    execute(
        f"CREATE INDEX IF NOT EXISTS {MEETINGS} ON ledger_transfer (timebank_id, occurred_at) "
        "WHERE kind = 'meeting'"
    )
    execute("ANALYZE")


def drop(apps, schema_editor):
    execute = schema_editor.execute
    execute(f"DROP INDEX IF EXISTS {MEETINGS}")
    if schema_editor.connection.vendor == "postgresql":
        execute(
            f"CREATE INDEX IF NOT EXISTS {PAIR} ON exchanges_pairing "
            "(timebank_id, receiver_id, provider_id, category, occurred_at, transfer_id)"
        )
        execute(f"DROP INDEX IF EXISTS {TIE}")


class Migration(migrations.Migration):
    dependencies = [("insights", "0002_report_indexes")]

    operations = [migrations.RunPython(create, drop)]
