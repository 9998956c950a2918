"""Arranging help through the API: propose → agree → done → confirm, and the ways it can end."""

from __future__ import annotations

import pytest

from coproduce.exchanges.models import Exchange, ExchangeStatus
from coproduce.ledger.models import Transfer
from coproduce.ledger.statements import member_account_for
from tests.api.conftest import earn

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_offer(api_as, alice):
    response = api_as(alice).post(
        "/offers",
        {"title": "Help with the garden", "category": "gardening", "tags": ["weeding"]},
    )
    assert response.status_code == 201, response.content
    return response.json()


def _balance(person, timebank) -> int:
    return member_account_for(person=person, timebank=timebank).balance


def test_bob_arranges_alices_gardening_and_the_credits_move_when_he_confirms(
    api_as, alice, bob, riverside, alices_offer
):
    as_alice, as_bob = api_as(alice), api_as(bob)

    proposed = as_bob.post("/exchanges", {"offer": alices_offer["public_id"], "minutes": 60})
    assert proposed.status_code == 201, proposed.content
    exchange = proposed.json()
    assert exchange["status"] == "proposed"
    assert exchange["title"] == "Help with the garden"
    assert exchange["offer"] == alices_offer["public_id"]
    sides = {p["party"]["name"]: p["side"] for p in exchange["participants"]}
    assert sides == {"Alice Ahmed": "provider", "Bob Brown": "receiver"}
    path = f"/exchanges/{exchange['public_id']}"

    assert as_alice.get(path).json()["actions"] == ["agree", "cancel"]
    agreed = as_alice.post(f"{path}/agree")
    assert agreed.status_code == 200, agreed.content
    assert agreed.json()["status"] == "agreed"

    done = as_alice.post(f"{path}/done", {"minutes": 90})
    assert done.status_code == 200, done.content
    assert done.json()["actual"] == {"minutes": 90, "hmm": "1:30"}
    assert as_bob.get(path).json()["actions"] == ["confirm", "dispute"]

    confirmed = as_bob.post(f"{path}/confirm", key="bob-confirms-garden")
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    assert body["status"] == "confirmed"
    assert body["transfer"] is not None

    assert _balance(alice, riverside) == 90
    assert _balance(bob, riverside) == -90
    assert as_alice.get("/me").json()["balance"] == {"minutes": 90, "hmm": "1:30"}
    statement = as_bob.get("/account/statement").json()
    assert statement["items"][0]["minutes_out"] == 90
    assert statement["items"][0]["other_party"] == "Alice Ahmed"


def test_confirming_twice_moves_the_credits_once(api_as, alice, bob, riverside):
    as_alice, as_bob = api_as(alice), api_as(bob)
    exchange = as_alice.post(
        "/exchanges",
        {
            "role": "giving",
            "others": ["bob"],
            "title": "Lift to the surgery",
            "category": "transport",
            "minutes": 30,
        },
    ).json()
    path = f"/exchanges/{exchange['public_id']}"
    as_bob.post(f"{path}/agree")
    as_alice.post(f"{path}/done", {"minutes": 30})

    first = as_bob.post(f"{path}/confirm")
    second = as_bob.post(f"{path}/confirm")

    assert first.status_code == second.status_code == 200
    assert Transfer.objects.filter(kind="exchange").count() == 1
    assert _balance(bob, riverside) == -30


def test_people_can_be_named_by_public_id(api_as, alice, bob):
    response = api_as(alice).post(
        "/exchanges",
        {
            "role": "receiving",
            "others": [str(bob.public_id)],
            "title": "Help with a form",
            "category": "admin",
            "minutes": 45,
        },
    )

    assert response.status_code == 201, response.content
    sides = {p["party"]["name"]: p["side"] for p in response.json()["participants"]}
    assert sides == {"Bob Brown": "provider", "Alice Ahmed": "receiver"}


def test_either_side_can_cancel_before_it_is_done_and_the_reason_is_kept(
    api_as, alice, bob, alices_offer
):
    exchange = api_as(bob).post("/exchanges", {"offer": alices_offer["public_id"], "minutes": 60})
    path = f"/exchanges/{exchange.json()['public_id']}"

    response = api_as(alice).post(f"{path}/cancel", {"reason": "My back is bad this week"})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert "My back is bad" in response.json()["notes"]


def test_a_cancelled_exchange_cannot_be_agreed_409(api_as, alice, bob, alices_offer):
    as_alice = api_as(alice)
    exchange = api_as(bob).post("/exchanges", {"offer": alices_offer["public_id"], "minutes": 60})
    path = f"/exchanges/{exchange.json()['public_id']}"
    as_alice.post(f"{path}/cancel", {})

    response = as_alice.post(f"{path}/agree")

    assert response.status_code == 409
    assert response.json() == {"detail": "This exchange was cancelled.", "code": "wrong_status"}


def test_bob_raises_a_problem_and_no_credits_move(api_as, alice, bob, riverside, alices_offer):
    as_alice, as_bob = api_as(alice), api_as(bob)
    exchange = as_bob.post("/exchanges", {"offer": alices_offer["public_id"], "minutes": 60})
    path = f"/exchanges/{exchange.json()['public_id']}"
    as_alice.post(f"{path}/agree")
    as_alice.post(f"{path}/done", {"minutes": 240})

    blank = as_bob.post(f"{path}/dispute", {"reason": "  "})
    response = as_bob.post(f"{path}/dispute", {"reason": "It took one hour, not four"})

    assert blank.status_code == 400
    assert blank.json()["code"] == "reason_required"
    assert response.status_code == 200
    assert response.json()["status"] == "disputed"
    assert _balance(bob, riverside) == 0


def test_the_proposer_cannot_agree_to_their_own_proposal_403(api_as, alice, bob, alices_offer):
    as_bob = api_as(bob)
    exchange = as_bob.post("/exchanges", {"offer": alices_offer["public_id"], "minutes": 60})

    response = as_bob.post(f"/exchanges/{exchange.json()['public_id']}/agree")

    assert response.status_code == 403
    assert response.json()["code"] == "not_other_side"


def test_my_exchanges_lists_only_mine_newest_first(api_as, alice, bob, carol, alices_offer):
    as_bob = api_as(bob)
    first = as_bob.post("/exchanges", {"offer": alices_offer["public_id"], "minutes": 60}).json()
    second = as_bob.post(
        "/exchanges",
        {
            "role": "giving",
            "others": ["alice"],
            "title": "Shopping",
            "category": "household",
            "minutes": 60,
        },
    ).json()

    mine = as_bob.get("/exchanges").json()
    carols = api_as(carol).get("/exchanges").json()

    assert [e["public_id"] for e in mine["items"]] == [second["public_id"], first["public_id"]]
    assert mine["next_cursor"] is None
    assert carols["items"] == []


def test_my_exchanges_page_through(api_as, alice, bob, alices_offer):
    as_bob = api_as(bob)
    made = [
        as_bob.post("/exchanges", {"offer": alices_offer["public_id"], "minutes": 30}).json()
        for _ in range(5)
    ]
    newest_first = [e["public_id"] for e in reversed(made)]

    page1 = as_bob.get("/exchanges", limit=2).json()
    page2 = as_bob.get("/exchanges", limit=2, cursor=page1["next_cursor"]).json()
    page3 = as_bob.get("/exchanges", limit=2, cursor=page2["next_cursor"]).json()

    assert [e["public_id"] for e in page1["items"]] == newest_first[:2]
    assert [e["public_id"] for e in page2["items"]] == newest_first[2:4]
    assert [e["public_id"] for e in page3["items"]] == newest_first[4:]
    assert page3["next_cursor"] is None


def test_waiting_shows_what_needs_me(api_as, alice, bob, alices_offer):
    api_as(bob).post("/exchanges", {"offer": alices_offer["public_id"], "minutes": 30})

    alices = api_as(alice).get("/exchanges", bucket="waiting").json()
    bobs = api_as(bob).get("/exchanges", bucket="waiting").json()

    assert len(alices["items"]) == 1
    assert bobs["items"] == []


# --- bad input: a clear message, nothing written, never a 500 --------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {
                "role": "giving",
                "others": ["bob"],
                "title": "Tea",
                "category": "companionship",
                "minutes": 0,
            },
            400,
            "bad_minutes",
        ),
        (
            {
                "role": "giving",
                "others": ["bob"],
                "title": "Tea",
                "category": "companionship",
                "minutes": 60 * 13,
            },
            400,
            "too_long",
        ),
        (
            {"others": ["bob"], "title": "Tea", "category": "companionship", "minutes": 60},
            400,
            "role_required",
        ),
        (
            {"role": "giving", "title": "Tea", "category": "companionship", "minutes": 60},
            400,
            "others_required",
        ),
        (
            {
                "role": "giving",
                "others": ["nobody-here"],
                "title": "Tea",
                "category": "companionship",
                "minutes": 60,
            },
            400,
            "unknown_member",
        ),
        (
            {
                "role": "giving",
                "others": ["harry"],
                "title": "Tea",
                "category": "companionship",
                "minutes": 60,
            },
            400,
            "unknown_member",
        ),
        (
            {
                "role": "giving",
                "others": ["alice"],
                "title": "Tea",
                "category": "companionship",
                "minutes": 60,
            },
            400,
            "self_exchange",
        ),
        (
            {
                "role": "giving",
                "others": ["bob"],
                "title": " ",
                "category": "companionship",
                "minutes": 60,
            },
            400,
            "title_required",
        ),
        ({"role": "giving", "others": ["bob"], "title": "Tea", "minutes": 60}, 400, "bad_category"),
        (
            {
                "role": "giving",
                "others": ["bob"],
                "title": "Tea",
                "category": "companionship",
                "minutes": 60,
                "paid_by": "chest",
            },
            403,
            "chest",
        ),
        (
            {
                "role": "giving",
                "others": ["bob"],
                "title": "Tea",
                "category": "knitting",
                "minutes": 60,
            },
            422,
            "invalid_request",
        ),
        (
            {
                "role": "giving",
                "others": ["bob"],
                "title": "Tea",
                "category": "companionship",
                "minutes": "an hour",
            },
            422,
            "invalid_request",
        ),
        (
            {
                "role": "giving",
                "others": ["bob"],
                "title": "Tea",
                "category": "companionship",
                "minutes": 1.5,
            },
            422,
            "invalid_request",
        ),
        (
            {"role": "giving", "others": ["bob"], "title": "Tea", "category": "companionship"},
            422,
            "invalid_request",
        ),
        ({"offer": "not-a-uuid", "minutes": 60}, 422, "invalid_request"),
        ({"offer": "00000000-0000-0000-0000-000000000000", "minutes": 60}, 404, "not_found"),
    ],
)
def test_a_bad_proposal_is_refused_clearly_and_nothing_is_written(
    api_as, alice, bob, harry, body, status, code
):
    response = api_as(alice).post("/exchanges", body)

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not Exchange.objects.exists()


def test_a_422_names_the_field_that_is_wrong(api_as, alice):
    response = api_as(alice).post("/exchanges", {"role": "giving", "minutes": "soon"})

    fields = [error["loc"][-1] for error in response.json()["detail"]]
    assert "minutes" in fields


def test_a_body_that_is_not_json_is_a_400(api_as, alice):
    response = api_as(alice).post("/exchanges", raw="{not json")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_marking_done_with_no_time_is_refused(api_as, alice, bob, alices_offer):
    exchange = api_as(bob).post("/exchanges", {"offer": alices_offer["public_id"], "minutes": 60})
    path = f"/exchanges/{exchange.json()['public_id']}"
    as_alice = api_as(alice)
    as_alice.post(f"{path}/agree")

    response = as_alice.post(f"{path}/done", {"minutes": -5})

    assert response.status_code == 400
    assert Exchange.objects.get().status == ExchangeStatus.AGREED


def test_an_exchange_past_bobs_limit_is_refused_at_confirm_and_stays_done(
    api_as, alice, bob, carol, riverside, alices_offer
):
    earn(riverside, earner=carol, payer=bob, minutes=9 * 60 + 30)  # bob is at -9:30
    as_alice, as_bob = api_as(alice), api_as(bob)
    exchange = as_bob.post("/exchanges", {"offer": alices_offer["public_id"], "minutes": 60})
    path = f"/exchanges/{exchange.json()['public_id']}"
    as_alice.post(f"{path}/agree")
    as_alice.post(f"{path}/done", {"minutes": 60})

    response = as_bob.post(f"{path}/confirm", key="k1")

    assert response.status_code == 400
    assert response.json()["code"] == "limit"
    assert Exchange.objects.get().status == ExchangeStatus.DONE
