"""Alice holds the garden pool: members see it and put hours in (with an Idempotency-Key, as
credits move), alice proposes spending it; harry from hillside sees nothing."""

from __future__ import annotations

import pytest

from coproduce.ledger.models import Transfer
from coproduce.partners.models import PoolSpend
from coproduce.partners.services.pools import pool_create
from tests.api.conftest import earn

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(riverside, alice, bob):
    earn(riverside, earner=bob, payer=alice, minutes=300)
    earn(riverside, earner=alice, payer=bob, minutes=600)
    return pool_create(
        timebank=riverside, acting=alice, name="Community garden", unit="hour", holders=[alice]
    )


def test_members_see_the_pool_and_bob_puts_an_hour_in(api_as, bob, pool):
    as_bob = api_as(bob)

    listed = as_bob.get("/pools").json()
    put_in = as_bob.post(f"/pools/{pool.public_id}/contribute", {"amount": 60}, key="k-1")
    again = as_bob.post(f"/pools/{pool.public_id}/contribute", {"amount": 60}, key="k-1")

    assert [p["name"] for p in listed["items"]] == ["Community garden"]
    assert put_in.status_code == 201, put_in.content
    assert put_in.json()["pool"]["balance"] == 60
    assert again.json() == put_in.json()
    assert again["Idempotent-Replayed"] == "true"
    assert as_bob.get(f"/pools/{pool.public_id}").json()["put_in"] == 60


def test_putting_in_needs_an_idempotency_key(api_as, bob, pool):
    before = Transfer.objects.count()

    response = api_as(bob).post(f"/pools/{pool.public_id}/contribute", {"amount": 60})

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert Transfer.objects.count() == before


def test_alice_spends_from_the_pool_she_holds(api_as, alice, bob, pool):
    api_as(bob).post(f"/pools/{pool.public_id}/contribute", {"amount": 120}, key="k-2")

    spent = api_as(alice).post(
        f"/pools/{pool.public_id}/spends",
        {"amount": 60, "purpose": "Seeds", "member": "bob"},
        key="k-3",
    )

    assert spent.status_code == 201, spent.content
    assert spent.json()["status"] == "spent"
    spends = api_as(alice).get(f"/pools/{pool.public_id}/spends").json()["items"]
    assert [s["purpose"] for s in spends] == ["Seeds"]


def test_bob_who_does_not_hold_it_cannot_spend_it(api_as, bob, pool):
    response = api_as(bob).post(
        f"/pools/{pool.public_id}/spends",
        {"amount": 60, "purpose": "Seeds", "member": "bob"},
        key="k-4",
    )

    assert response.status_code in (403, 404)
    assert PoolSpend.objects.count() == 0


def test_harry_sees_no_riverside_pool(api_as, harry, pool):
    as_harry = api_as(harry)

    assert as_harry.get(f"/pools/{pool.public_id}").status_code == 404
    assert as_harry.get("/pools").json()["items"] == []
