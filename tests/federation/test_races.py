"""Two exchanges crossing the same two banks in opposite directions, confirmed at the same
moment on real concurrent PostgreSQL transactions: every account of both postings is locked in
id order first, so they queue rather than deadlock, and the clearing accounts still mirror."""

from __future__ import annotations

import pytest

from coproduce.exchanges.services.exchanges import exchange_confirm
from coproduce.exchanges.services.listings import listing_create
from coproduce.ledger.selectors import ledger_verify
from tests.exchanges.test_races import race
from tests.federation.conftest import clearing_balances, done_across


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_opposite_crossings_confirmed_together_both_settle(
    riverside, hillside, alice, hank, hanks_offer, partners
):
    alices_offer = listing_create(
        kind="offer", timebank=riverside, acting=alice, title="Piano lessons", category="learning"
    )
    to_alice = done_across(riverside=riverside, alice=alice, hank=hank, offer=hanks_offer)
    # Hank proposes to Alice's offer from Hillside: the same helper with the banks swapped.
    to_hank = done_across(
        riverside=hillside, alice=hank, hank=alice, offer=alices_offer, minutes=60
    )
    results = race(
        lambda: exchange_confirm(exchange=to_alice, acting=alice),
        lambda: exchange_confirm(exchange=to_hank, acting=hank),
    )
    assert [r.status for r in results] == ["confirmed", "confirmed"]  # type: ignore[union-attr]
    assert clearing_balances(partners) == (30, -30)
    assert ledger_verify().ok
