"""On PostgreSQL the app's connection keeps a read it repeats prepared (`config.env`)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.postgres
def test_the_apps_connection_prepares_a_read_it_repeats(db):
    with connection.cursor() as cursor:
        for _ in range(6):
            cursor.execute("SELECT %s::int + 40", [2])
            assert cursor.fetchone()[0] == 42
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT $1::int + 40%"],
        )
        assert cursor.fetchone()[0] == 1
