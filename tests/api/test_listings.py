"""Offers and requests through the API: search, read, post."""

from __future__ import annotations

import pytest

from coproduce.exchanges.models import Offer, Request
from coproduce.exchanges.services.listings import listing_create

pytestmark = pytest.mark.django_db


def _offer(timebank, person, title, category="gardening", **fields):
    return listing_create(
        kind="offer", timebank=timebank, acting=person, title=title, category=category, **fields
    )


def test_alice_posts_an_offer_and_bob_finds_it(api_as, alice, bob):
    posted = api_as(alice).post(
        "/offers",
        {
            "title": "Weeding and pruning",
            "category": "gardening",
            "description": "I have my own tools.",
            "tags": ["Garden", "weeding"],
            "availability": ["sat_am", "mon_am"],
        },
    )
    assert posted.status_code == 201, posted.content
    offer = posted.json()
    assert offer["owner"] == {
        "kind": "person",
        "public_id": str(alice.public_id),
        "name": "Alice Ahmed",
    }
    assert offer["area"] == "Northbank"  # blank means her own area
    assert offer["availability"] == ["mon_am", "sat_am"]
    assert offer["tags"] == ["garden", "weeding"]

    found = api_as(bob).get("/offers", q="garden").json()

    assert [o["public_id"] for o in found["items"]] == [offer["public_id"]]
    assert api_as(bob).get(f"/offers/{offer['public_id']}").json()["title"] == "Weeding and pruning"


def test_bob_posts_a_request(api_as, bob):
    response = api_as(bob).post(
        "/requests", {"title": "Lift to the surgery", "category": "transport"}
    )

    assert response.status_code == 201
    assert Request.objects.get().person == bob
    assert api_as(bob).get(f"/requests/{response.json()['public_id']}").status_code == 200


def test_search_filters_by_category_area_and_day(api_as, alice, bob, riverside):
    garden = _offer(riverside, alice, "Garden help", availability=["sat_am"])
    _offer(riverside, bob, "Cooking lessons", category="learning", area="Southbank")
    as_bob = api_as(bob)

    def titles(**params):
        return [o["title"] for o in as_bob.get("/offers", **params).json()["items"]]

    assert titles(category="gardening") == ["Garden help"]
    assert titles(area="Southbank") == ["Cooking lessons"]
    assert titles(day="sat") == ["Cooking lessons", "Garden help"]  # any time, or Saturday
    assert titles(day="mon") == ["Cooking lessons"]
    assert titles(q="lessons cooking") == ["Cooking lessons"]
    assert garden.title in titles()


def test_offers_page_through_newest_first(api_as, alice, riverside):
    for n in range(5):
        _offer(riverside, alice, f"Offer {n}")
    as_alice = api_as(alice)

    first = as_alice.get("/offers", limit=2).json()
    _offer(riverside, alice, "Posted while paging")
    second = as_alice.get("/offers", limit=2, cursor=first["next_cursor"]).json()
    last = as_alice.get("/offers", limit=2, cursor=second["next_cursor"]).json()

    assert [o["title"] for o in first["items"]] == ["Offer 4", "Offer 3"]
    assert [o["title"] for o in second["items"]] == ["Offer 2", "Offer 1"]
    assert [o["title"] for o in last["items"]] == ["Offer 0"]
    assert last["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "x" * 501}, "cursor"),
        ({"category": "knitting"}, "category"),
        ({"day": "someday"}, "day"),
    ],
)
def test_bad_search_parameters_are_a_422_naming_the_field(api_as, alice, params, field):
    response = api_as(alice).get("/offers", **params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_search_words_that_look_like_syntax_are_harmless(api_as, alice, riverside):
    _offer(riverside, alice, "Garden help")

    response = api_as(alice).get("/offers", q='garden" OR (* NEAR')

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"title": "  ", "category": "gardening"}, 400, "no_title"),
        ({"title": "Help", "category": "gardening", "availability": ["noon"]}, 400, "bad_slot"),
        ({"title": "Help", "category": "knitting"}, 422, "invalid_request"),
        ({"title": "x" * 141, "category": "gardening"}, 422, "invalid_request"),
        ({"category": "gardening"}, 422, "invalid_request"),
    ],
)
def test_a_bad_offer_is_refused_and_nothing_is_written(api_as, alice, body, status, code):
    response = api_as(alice).post("/offers", body)

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Offer.objects.exists()


def test_an_applicant_cannot_post_yet(api_as, alice):
    from coproduce.community.models import Membership

    response = api_as(alice)
    Membership.objects.filter(person=alice).update(status="applied")

    assert response.post("/offers", {"title": "Help", "category": "care"}).status_code == 401
