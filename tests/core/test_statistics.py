"""`core.statistics`: after a bulk load the planner's statistics are refreshed on both databases;
on PostgreSQL a VACUUM joins them only where one can run (never inside a transaction)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.core.statistics import app_tables, statistics_refresh


def test_app_tables_names_every_table_of_the_apps():
    tables = app_tables("ledger", "community")

    assert {"ledger_account", "ledger_entry", "ledger_transfer", "community_person"} <= set(tables)
    assert not any(table.startswith("exchanges_") for table in tables)


@pytest.mark.django_db
def test_inside_a_transaction_a_bulk_load_is_only_analysed(riverside, alice):
    """A VACUUM would fail there ("cannot run inside a transaction block"): ANALYZE instead."""
    with CaptureQueriesContext(connection) as queries:
        statistics_refresh(["ledger_account", "community_person"], vacuum=True)

    statements = [query["sql"] for query in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert statements == ['ANALYZE "ledger_account", "community_person"']
    else:  # SQLite's ANALYZE takes one table at a time
        assert statements == ['ANALYZE "ledger_account"', 'ANALYZE "community_person"']


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_postgresql_vacuums_what_was_loaded():
    with CaptureQueriesContext(connection) as queries:
        statistics_refresh(["ledger_account"], vacuum=True)
        statistics_refresh()

    statements = [query["sql"] for query in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert statements == ['VACUUM (ANALYZE) "ledger_account"', "ANALYZE"]
    else:  # no visibility map: nothing to vacuum for
        assert statements == ['ANALYZE "ledger_account"', "ANALYZE"]
