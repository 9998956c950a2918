"""`Idempotency-Key`: a retried POST gets the first answer and does nothing again."""

from __future__ import annotations

import pytest

from coproduce.api.models import IdempotencyRecord
from coproduce.exchanges.models import Offer
from coproduce.ledger.models import Transfer, TransferKind
from coproduce.ledger.statements import chest_balance, member_account_for
from tests.api.conftest import earn

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_has_earned_five_hours(alice, bob, riverside):
    earn(riverside, earner=alice, payer=bob, minutes=300)


def test_a_hundred_identical_gifts_give_once(api_as, alice, riverside, alice_has_earned_five_hours):
    as_alice = api_as(alice)
    body = {"to": "chest", "minutes": 60, "note": "For whoever needs it"}

    responses = [as_alice.post("/gifts", body, key="gift-2024-06-01") for _ in range(100)]

    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert responses[0].get("Idempotent-Replayed") is None
    assert all(r["Idempotent-Replayed"] == "true" for r in responses[1:])
    assert Transfer.objects.filter(kind=TransferKind.GIFT).count() == 1
    assert chest_balance(timebank=riverside) == 60
    assert member_account_for(person=alice, timebank=riverside).balance == 240


def test_the_same_key_with_a_different_body_is_refused_422(
    api_as, alice, alice_has_earned_five_hours
):
    as_alice = api_as(alice)
    as_alice.post("/gifts", {"to": "chest", "minutes": 60}, key="k-1")

    response = as_alice.post("/gifts", {"to": "chest", "minutes": 120}, key="k-1")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "Idempotency-Key reused with a different request",
        "code": "idempotency_key_reused",
    }
    assert Transfer.objects.filter(kind=TransferKind.GIFT).count() == 1


def test_the_same_key_on_another_path_is_refused_422(api_as, alice, alice_has_earned_five_hours):
    as_alice = api_as(alice)
    as_alice.post("/gifts", {"to": "chest", "minutes": 60}, key="k-1")

    response = as_alice.post("/offers", {"title": "Ironing", "category": "household"}, key="k-1")

    assert response.status_code == 422
    assert not Offer.objects.exists()


def test_the_same_json_with_other_spacing_is_the_same_request(
    api_as, alice, alice_has_earned_five_hours
):
    as_alice = api_as(alice)
    first = as_alice.post("/gifts", raw='{"to":"chest","minutes":60}', key="k-1")
    again = as_alice.post("/gifts", raw='{ "minutes": 60,  "to": "chest" }', key="k-1")

    assert again.status_code == 201
    assert again.content == first.content


def test_a_refusal_is_replayed_too_and_nothing_is_written(api_as, alice, riverside):
    as_alice = api_as(alice)  # alice has no hours to give yet

    first = as_alice.post("/gifts", {"to": "chest", "minutes": 60}, key="k-1")
    again = as_alice.post("/gifts", {"to": "chest", "minutes": 60}, key="k-1")

    assert first.status_code == again.status_code == 400
    assert first.json()["code"] == "not_enough"
    assert again.content == first.content
    assert not Transfer.objects.filter(kind=TransferKind.GIFT).exists()


def test_keys_belong_to_one_token(
    api_as, alice, bob, carol, riverside, alice_has_earned_five_hours
):
    earn(riverside, earner=bob, payer=carol, minutes=400)  # bob was -5:00 from alice

    from_alice = api_as(alice).post("/gifts", {"to": "chest", "minutes": 30}, key="same")
    from_bob = api_as(bob).post("/gifts", {"to": "chest", "minutes": 30}, key="same")

    assert from_alice.status_code == from_bob.status_code == 201
    assert Transfer.objects.filter(kind=TransferKind.GIFT).count() == 2


def test_a_gift_needs_an_idempotency_key(api_as, alice, alice_has_earned_five_hours):
    response = api_as(alice).post("/gifts", {"to": "chest", "minutes": 60})

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert not Transfer.objects.filter(kind=TransferKind.GIFT).exists()


@pytest.mark.parametrize("key", ["has a space", "x" * 201])
def test_a_malformed_key_is_refused(api_as, alice, key):
    response = api_as(alice).post("/gifts", {"to": "chest", "minutes": 60}, key=key)

    assert response.status_code == 400
    assert response.json()["code"] == "bad_idempotency_key"


def test_a_retried_offer_is_posted_once(api_as, alice):
    as_alice = api_as(alice)
    body = {"title": "Ironing", "category": "household"}

    first = as_alice.post("/offers", body, key="offer-1")
    again = as_alice.post("/offers", body, key="offer-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["public_id"] == first.json()["public_id"]
    assert Offer.objects.count() == 1
    assert IdempotencyRecord.objects.get().response_status == 201


def test_a_gift_to_bob_by_username(api_as, alice, bob, riverside, alice_has_earned_five_hours):
    before = member_account_for(person=bob, timebank=riverside).balance

    response = api_as(alice).post(
        "/gifts", {"to": "member", "member": "bob", "minutes": 45, "note": "Thank you"}, key="g"
    )

    assert response.status_code == 201, response.content
    assert response.json()["to"]["name"] == "Bob Brown"
    assert response.json()["amount"] == {"minutes": 45, "hmm": "0:45"}
    assert member_account_for(person=bob, timebank=riverside).balance == before + 45


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"to": "member", "minutes": 45}, 400, "member_required"),
        ({"to": "member", "member": "harry", "minutes": 45}, 400, "unknown_member"),
        ({"to": "member", "member": "alice", "minutes": 45}, 400, "yourself"),
        ({"to": "chest", "minutes": 0}, 400, "zero"),
        ({"to": "chest", "minutes": 60, "note": "x" * 201}, 422, "invalid_request"),
        ({"to": "the pub", "minutes": 60}, 422, "invalid_request"),
    ],
)
def test_a_bad_gift_is_refused_clearly(
    api_as, alice, harry, alice_has_earned_five_hours, body, status, code
):
    response = api_as(alice).post("/gifts", body, key="g")

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Transfer.objects.filter(kind=TransferKind.GIFT).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_retries_of_one_gift_give_once_on_postgres(alice, bob, riverside, token_for):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from tests.api.conftest import Api

    earn(riverside, earner=alice, payer=bob, minutes=300)
    plaintext = token_for(alice)

    def send(_n: int) -> tuple[int, bytes]:
        try:
            response = Api(plaintext).post("/gifts", {"to": "chest", "minutes": 60}, key="race")
            return response.status_code, response.content
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(24)))

    assert {status for status, _body in results} == {201}
    assert len({body for _status, body in results}) == 1
    assert Transfer.objects.filter(kind=TransferKind.GIFT).count() == 1
    assert chest_balance(timebank=riverside) == 60
