"""The list endpoints use a bounded number of queries, however many rows they return."""

from __future__ import annotations

import pytest

from coproduce.exchanges.services.exchanges import exchange_propose
from coproduce.exchanges.services.listings import listing_create
from tests.api.conftest import earn

pytestmark = pytest.mark.django_db

# Token (with its person, time bank and membership) and its last_used_at: 2.
AUTH = 2


@pytest.fixture
def busy_riverside(riverside, alice, bob, carol, dr_patel):
    for n in range(12):
        owner = [alice, bob, carol][n % 3]
        for kind in ("offer", "request"):
            listing_create(
                kind=kind,
                timebank=riverside,
                acting=owner,
                title=f"Garden job {n}",
                category="gardening",
            )
    for n in range(8):
        exchange_propose(
            timebank=riverside,
            acting=alice,
            providers=[alice],
            receivers=[[bob, carol][n % 2]],
            title=f"Tea {n}",
            category="companionship",
            expected_minutes=30,
        )
    for _n in range(8):
        earn(riverside, earner=alice, payer=bob, minutes=5)
        earn(riverside, earner=alice, payer=carol, minutes=5)
    return riverside


@pytest.mark.parametrize(
    ("path", "params", "most"),
    [
        ("/offers", {"limit": 50}, AUTH + 1),
        ("/requests", {"limit": 50, "q": "garden"}, AUTH + 1),
        ("/requests", {"limit": 50, "day": "mon", "category": "gardening"}, AUTH + 1),
        # + the organisations the person works for, read before their exchanges.
        ("/exchanges", {"limit": 50}, AUTH + 3),
        ("/exchanges", {"limit": 50, "bucket": "active"}, AUTH + 3),
        ("/account/statement", {"limit": 50}, AUTH + 4),
        ("/me", {}, AUTH + 1),
    ],
)
def test_list_endpoints_use_a_bounded_number_of_queries(
    api_as, alice, busy_riverside, django_assert_max_num_queries, path, params, most
):
    as_alice = api_as(alice)

    with django_assert_max_num_queries(most):
        response = as_alice.get(path, **params)

    assert response.status_code == 200
    assert path == "/me" or len(response.json()["items"]) >= 8
