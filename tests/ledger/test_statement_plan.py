"""An account's statement is read through the account's own entries, whatever the ledger's size.

Ordered by the transfers' `occurred_at`, PostgreSQL could walk every transfer of every bank
newest first through that column's index and look up each one's entries for the account (12 to
16 s at 1,000,000 transfers when it did, for a member with a few old entries). The statement is
ordered by the entry's own copy of the moment (`ledger verify` checks it agrees), which only the
account's (account, occurred_at) index serves. Here the planner is told to avoid sorting,
which is exactly when it would take that walk if it could.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.ledger.services import transfer_post
from coproduce.ledger.statements import statement_for
from coproduce.partners.selectors import pool_contributions
from tests.plans import plans_without_sorting


@pytest.mark.postgres
def test_alices_statement_never_walks_every_transfer_newest_first(story):
    transfer_post(
        timebank=story.timebank,
        acting=story.alice,
        payer=story.bob_account,
        payee=story.alice_account,
        minutes=90,
    )
    entries = statement_for(account=story.alice_account).entries
    assert [entry.amount for entry in entries] == [90]
    (plan,) = plans_without_sorting([entries.all()[:20]])
    assert "ledger_transfer_occurred_at" not in plan, plan


@pytest.mark.postgres
def test_a_pools_contributions_never_walk_every_transfer_newest_first(story):
    """`pool_contributions` reads a pool's account as a statement does (any account will do)."""
    transfer_post(
        timebank=story.timebank,
        acting=story.alice,
        payer=story.alice_account,
        payee=story.bob_account,
        minutes=30,
    )
    pool = SimpleNamespace(account=story.bob_account)
    with CaptureQueriesContext(connection) as queries:
        assert [entry.amount for entry in pool_contributions(pool)] == [30]  # type: ignore[arg-type]
    (listing,) = [q["sql"] for q in queries if q["sql"].startswith('SELECT "ledger_entry"')]
    (plan,) = plans_without_sorting([listing])
    assert "ledger_transfer_occurred_at" not in plan, plan
