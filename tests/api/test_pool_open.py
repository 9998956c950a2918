"""Opening a pool through the API, as on /pools/new/: a member who can trade opens one they
hold, with a second holder if they name one; nothing is opened on a refusal."""

from __future__ import annotations

import pytest

from coproduce.partners.models import Pool
from coproduce.partners.selectors import pool_holder_ids

pytestmark = pytest.mark.django_db


def test_alice_opens_an_hour_pool_with_bob_as_second_holder(api_as, alice, bob):
    response = api_as(alice).post(
        "/pools",
        {"name": "Allotment", "unit": "hour", "other_holder": "bob", "approvals_required": 2},
    )

    assert response.status_code == 201, response.content
    assert response.json()["i_hold_it"] is True
    pool = Pool.objects.get(name="Allotment")
    assert set(pool_holder_ids(pool)) == {alice.pk, bob.pk}


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Alone", "approvals_required": 2},
        {"name": "Dollars", "unit": "USD"},
        {"name": "Ghost", "other_holder": "nobody-here"},
    ],
)
def test_a_pool_that_cannot_be_opened_is_not(api_as, alice, body):
    response = api_as(alice).post("/pools", body)

    assert response.status_code == 400
    assert not Pool.objects.exists()


def test_a_read_only_token_opens_nothing(api_as, alice):
    response = api_as(alice, write=False).post("/pools", {"name": "Allotment"})

    assert response.status_code == 403
    assert not Pool.objects.exists()
