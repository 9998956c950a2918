"""Planner settings hold for one block of queries on PostgreSQL, and only for it."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from coproduce.core.planner import planned_for_values, planner_settings


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_inside_a_transaction_the_settings_hold_for_the_block_and_are_put_back_after(db):
    with transaction.atomic():
        assert _setting("enable_sort") == "on"
        with (
            CaptureQueriesContext(connection) as queries,
            planner_settings(connection, enable_sort="off", enable_hashagg="off"),
        ):
            assert (_setting("enable_sort"), _setting("enable_hashagg")) == ("off", "off")
        assert (_setting("enable_sort"), _setting("enable_hashagg")) == ("on", "on")
        assert len(queries) == 4  # read and set in one, the two reads, put back in one


@pytest.mark.postgres
def test_outside_a_transaction_one_is_begun_and_its_end_ends_the_settings(
    transactional_db,
):
    assert not connection.in_atomic_block
    with planner_settings(connection, max_parallel_workers_per_gather="0"):
        assert connection.in_atomic_block
        assert _setting("max_parallel_workers_per_gather") == "0"
    assert not connection.in_atomic_block
    assert _setting("max_parallel_workers_per_gather") != "0"


@pytest.mark.postgres
def test_a_failing_query_rolls_the_settings_back_with_the_transaction(transactional_db):
    with (
        pytest.raises(Exception),  # noqa: B017 - the database's own error
        planner_settings(connection, enable_sort="off"),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 / 0")
    assert _setting("enable_sort") == "on"


def test_elsewhere_nothing_is_sent(db):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    with (
        CaptureQueriesContext(connection) as queries,
        planner_settings(connection, enable_sort="off"),
    ):
        pass
    assert len(queries) == 0


@pytest.mark.postgres
def test_inside_the_block_prepared_statements_are_planned_for_their_values_every_time(db):
    """A generic plan cached for a prepared statement is not made again when settings change,
    so it would skip the block's: inside it, every plan is made for the values."""
    with transaction.atomic():
        assert _setting("plan_cache_mode") == "auto"
        with planner_settings(connection, enable_sort="off"):
            assert _setting("plan_cache_mode") == "force_custom_plan"
        assert _setting("plan_cache_mode") == "auto"


@pytest.mark.postgres
def test_a_block_planned_for_its_values_prepares_nothing_and_then_prepares_again(db):
    """Inside `planned_for_values` a statement run again and again is never prepared (each
    run planned for its values); after it, the connection prepares repeated reads as before."""

    def prepared(text: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [text]
            )
            return cursor.fetchone()[0]

    def run(text: str) -> None:
        with connection.cursor() as cursor:
            for _ in range(8):
                cursor.execute(text % "%s", [2])
                assert cursor.fetchone()[0] == 42

    threshold = connection.connection.prepare_threshold
    with CaptureQueriesContext(connection) as queries, planned_for_values(connection):
        run("SELECT %s::int + 40 AS inside")
    assert len(queries) == 8  # no statement of its own
    assert connection.connection.prepare_threshold == threshold
    run("SELECT %s::int + 40 AS after")
    assert prepared("SELECT $1::int + 40 AS inside%") == 0
    assert prepared("SELECT $1::int + 40 AS after%") == 1
