"""Every lookup is scoped to the token's person and time bank: other people's exchanges and other
communities' listings do not exist for them."""

from __future__ import annotations

import pytest

from coproduce.exchanges.services.listings import listing_create, listing_pause

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_exchange_with_carol(api_as, alice, carol):
    response = api_as(alice).post(
        "/exchanges",
        {
            "role": "receiving",
            "others": ["carol"],
            "title": "Help with my benefits form",
            "category": "admin",
            "minutes": 60,
        },
    )
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def alices_offer(alice, riverside):
    return listing_create(
        kind="offer", timebank=riverside, acting=alice, title="Dog walking", category="household"
    )


def test_bob_cannot_read_alices_exchange(api_as, bob, alices_exchange_with_carol):
    response = api_as(bob).get(f"/exchanges/{alices_exchange_with_carol['public_id']}")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such exchange.", "code": "not_found"}


@pytest.mark.parametrize("action", ["agree", "cancel", "confirm"])
def test_bob_cannot_act_on_alices_exchange(api_as, bob, alices_exchange_with_carol, action):
    response = api_as(bob).post(f"/exchanges/{alices_exchange_with_carol['public_id']}/{action}")

    assert response.status_code == 404


def test_harry_sees_nothing_of_riverside(api_as, harry, alices_exchange_with_carol, alices_offer):
    as_harry = api_as(harry)

    assert as_harry.get(f"/exchanges/{alices_exchange_with_carol['public_id']}").status_code == 404
    assert (
        as_harry.post(f"/exchanges/{alices_exchange_with_carol['public_id']}/agree").status_code
        == 404
    )
    assert as_harry.get(f"/offers/{alices_offer.public_id}").status_code == 404
    assert as_harry.get("/offers").json()["items"] == []
    assert as_harry.get("/exchanges").json()["items"] == []
    assert as_harry.get("/me").json()["timebank"]["slug"] == "hillside"


def test_harry_cannot_arrange_help_with_a_riverside_member(api_as, harry, alice):
    response = api_as(harry).post(
        "/exchanges",
        {
            "role": "giving",
            "others": ["alice"],
            "title": "Tea",
            "category": "companionship",
            "minutes": 30,
        },
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_member"


def test_harry_cannot_answer_a_riverside_offer(api_as, harry, alices_offer):
    response = api_as(harry).post(
        "/exchanges", {"offer": str(alices_offer.public_id), "minutes": 60}
    )

    assert response.status_code == 404


def test_carol_the_coordinator_can_read_an_exchange_she_is_not_in(api_as, alice, bob, carol):
    exchange = (
        api_as(alice)
        .post(
            "/exchanges",
            {
                "role": "giving",
                "others": ["bob"],
                "title": "Tea",
                "category": "companionship",
                "minutes": 30,
            },
        )
        .json()
    )

    response = api_as(carol).get(f"/exchanges/{exchange['public_id']}")

    assert response.status_code == 200
    assert "agree" in response.json()["actions"]


def test_a_paused_offer_is_hidden_from_bob_but_not_from_alice(api_as, alice, bob, alices_offer):
    listing_pause(listing=alices_offer, acting=alice)

    assert api_as(bob).get(f"/offers/{alices_offer.public_id}").status_code == 404
    assert api_as(alice).get(f"/offers/{alices_offer.public_id}").json()["status"] == "paused"
    assert api_as(bob).get("/offers").json()["items"] == []


def test_a_token_for_one_time_bank_sees_only_that_one(api_as, alice, hillside, alices_offer):
    from coproduce.community.models import Membership

    Membership.objects.create(timebank=hillside, person=alice, role="member", status="active")

    as_alice_in_hillside = api_as(alice, timebank=hillside)

    assert as_alice_in_hillside.get("/offers").json()["items"] == []
    assert as_alice_in_hillside.get(f"/offers/{alices_offer.public_id}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/me",
        "/offers",
        "/requests",
        "/exchanges",
        "/account/statement",
        "/exchanges/00000000-0000-0000-0000-000000000000",
    ],
)
def test_an_anonymous_visitor_gets_401_everywhere(anonymous, path):
    assert anonymous.get(path).status_code == 401


@pytest.mark.parametrize("path", ["/offers", "/requests", "/exchanges", "/gifts"])
def test_an_anonymous_visitor_cannot_post(anonymous, path):
    assert anonymous.post(path, {}).status_code == 401


def test_a_malformed_id_in_the_path_is_a_clear_422_not_a_500(api_as, alice):
    response = api_as(alice).get("/exchanges/not-a-uuid")

    assert response.status_code in (404, 422)
