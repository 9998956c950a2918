"""A person's exchanges are read from their own participations, whatever the bank's size.

With an index on `created_at` and a LIMIT, PostgreSQL may walk the bank's exchanges newest first
and test each against the person's participations: for someone whose exchanges are old, every
exchange of the bank (home took 3.6 s at 1,000,000 exchanges). The list's order is written so
that no index can serve it; here the planner is told to avoid sorting, which is exactly when it
would take that walk if it could.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.exchanges.selectors.exchanges import (
    exchanges_for_person,
    exchanges_grouped_for_person,
)
from tests.exchanges.conftest import propose, step
from tests.plans import plans_without_sorting, sqlite_statistics

# SQLite's statistics from the 1,000,000-exchange set (`ANALYZE`), where it took the walks.
_SQLITE_STATISTICS = [
    ("exchanges_exchange", "exchanges_exchange_created_at_decebe59", "1000000 1"),
    ("exchanges_exchange", "exchanges_e_timeban_7c9dd9_idx", "1000000 1000000 1000000 1"),
    ("exchanges_exchange", "exchanges_exchange_timebank_id_010b8626", "1000000 1000000"),
    ("exchanges_participant", "exchanges_p_person__c1dd8d_idx", "2000000 200 100 100 1"),
    ("exchanges_participant", "exchanges_participant_person_id_ada7e82f", "2000000 200"),
    ("exchanges_participant", "exchanges_participant_exchange_id_5a958920", "2000000 2"),
    ("ledger_transfer", "sqlite_autoindex_ledger_transfer_2", "1000000 1000000"),
]


def _scans_of_the_list(plan: str) -> list[str]:
    """The plan's lines that read the listed exchanges themselves, not a subquery's (which reads
    one exchange by its alias, `v3` on PostgreSQL, `V3` on SQLite). A walk is one of these: an
    index scan in the index's order."""
    own = re.compile(r" on exchanges_exchange\s+\(cost|^\s*(SCAN|SEARCH) exchanges_exchange\b")
    return [line for line in plan.splitlines() if own.search(line)]


@pytest.fixture
def as_at_a_million():
    """On SQLite, the planner given the 1,000,000-exchange set's statistics (put back after)."""
    with sqlite_statistics(_SQLITE_STATISTICS):
        yield


def test_alices_newest_exchanges_are_never_found_by_walking_the_banks_exchanges(
    riverside, alice, bob, as_at_a_million
):
    propose(riverside, alice, bob)
    with CaptureQueriesContext(connection) as queries:
        shown = exchanges_for_person(timebank=riverside, person=alice, limit=5, my_part=False)
    assert len(shown) == 1
    listing = next(q["sql"] for q in queries if q["sql"].startswith('SELECT "exchanges_exchange"'))
    (plan,) = plans_without_sorting([listing])
    assert "exchanges_exchange_created_at" not in plan, plan


def test_the_my_exchanges_page_never_walks_the_banks_exchanges_either(
    riverside, alice, bob, as_at_a_million
):
    """The page's open and finished lists (at 1,000,000 exchanges, for a member whose exchanges
    were old, 20 s on PostgreSQL and 43 s on SQLite when each of the bank's exchanges was tested
    newest first), and whether each was reversed asked of the index on SQLite, not by scanning
    every transfer (its statistics call `reverses_id`'s index useless: nearly all are empty)."""
    propose(riverside, alice, bob)
    step(propose(riverside, alice, bob), "confirmed")
    with CaptureQueriesContext(connection) as queries:
        mine = exchanges_grouped_for_person(timebank=riverside, person=alice)
    assert len(mine.waiting + mine.active) == 1 and len(mine.finished) == 1
    listings = [q["sql"] for q in queries if q["sql"].startswith('SELECT "exchanges_exchange"')]
    assert len(listings) == 2
    for plan in plans_without_sorting(listings):
        assert "exchanges_exchange_created_at" not in plan, plan
        # (timebank, status, created_at): it may serve a subquery's look-up of one exchange
        # (on the test's near-empty tables PostgreSQL's costs tie), never the list's own scan.
        scans = _scans_of_the_list(plan)
        assert scans, plan
        assert not any("exchanges_e_timeban" in line for line in scans), plan
        assert "SCAN ledger_transfer" not in plan, plan  # SQLite
