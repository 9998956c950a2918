"""A person's exchanges are read from their own participations, whatever the bank's size.

With an index on `created_at` and a LIMIT, PostgreSQL may walk the bank's exchanges newest first
and test each against the person's participations: for someone whose exchanges are old, every
exchange of the bank (home took 3.6 s at 1,000,000 exchanges). The list's order is written so
that no index can serve it; here the planner is told to avoid sorting, which is exactly when it
would take that walk if it could.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.exchanges.selectors.exchanges import (
    exchanges_for_person,
    exchanges_grouped_for_person,
)
from tests.exchanges.conftest import propose, step


def _plans_without_sorting(listings: list[str]) -> list[str]:
    """How PostgreSQL would run each listing if it could avoid sorting."""
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_sort', 'off', true)")
        for listing in listings:
            cursor.execute(f"EXPLAIN {listing}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.mark.postgres
def test_alices_newest_exchanges_are_never_found_by_walking_the_banks_exchanges(
    riverside, alice, bob
):
    propose(riverside, alice, bob)
    with CaptureQueriesContext(connection) as queries:
        shown = exchanges_for_person(timebank=riverside, person=alice, limit=5, my_part=False)
    assert len(shown) == 1
    listing = next(q["sql"] for q in queries if q["sql"].startswith('SELECT "exchanges_exchange"'))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_sort', 'off', true)")
        cursor.execute(f"EXPLAIN {listing}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "exchanges_exchange_created_at" not in plan, plan


@pytest.mark.postgres
def test_the_my_exchanges_page_never_walks_the_banks_exchanges_either(riverside, alice, bob):
    """The page's open and finished lists (25 s at 1,000,000 exchanges for a member whose
    exchanges were old, when each of the bank's exchanges was tested newest first)."""
    propose(riverside, alice, bob)
    step(propose(riverside, alice, bob), "confirmed")
    with CaptureQueriesContext(connection) as queries:
        mine = exchanges_grouped_for_person(timebank=riverside, person=alice)
    assert len(mine.waiting + mine.active) == 1 and len(mine.finished) == 1
    listings = [q["sql"] for q in queries if q["sql"].startswith('SELECT "exchanges_exchange"')]
    assert len(listings) == 2
    for plan in _plans_without_sorting(listings):
        assert "exchanges_exchange_created_at" not in plan, plan
        assert "exchanges_e_timeban" not in plan, plan  # (timebank, status, created_at)
