"""Every list pages by an opaque cursor in a stable order: a row added while paging is neither
repeated nor skipped, a cursor this list did not give is a clear 400, and `limit` is bounded."""

from __future__ import annotations

import base64

import pytest

from coproduce.exchanges.services.listings import listing_create

pytestmark = pytest.mark.django_db

LISTS = [
    "/offers",
    "/requests",
    "/exchanges",
    "/account/statement",
    "/conversations",
    "/blocks",
    "/pools",
    "/projects",
    "/referrals",
    "/coordinator/applications",
    "/coordinator/members",
]


def test_paging_sees_every_offer_once_even_when_one_is_posted_meanwhile(api_as, riverside, alice):
    for n in range(7):
        listing_create(
            kind="offer", timebank=riverside, acting=alice, title=f"Job {n}", category="gardening"
        )
    as_alice = api_as(alice)
    first = as_alice.get("/offers", limit=3).json()
    listing_create(
        kind="offer", timebank=riverside, acting=alice, title="Newer", category="gardening"
    )

    rest = walk_from(as_alice, "/offers", 3, first["next_cursor"])

    titles = [o["title"] for o in first["items"]] + rest
    assert titles == [f"Job {n}" for n in range(6, -1, -1)]


def walk_from(api, path, limit, cursor):
    titles = []
    while cursor:
        page = api.get(path, limit=limit, cursor=cursor).json()
        titles += [item["title"] for item in page["items"]]
        cursor = page["next_cursor"]
    return titles


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        base64.urlsafe_b64encode(b"[1]").decode(),
        base64.urlsafe_b64encode(b'["x", "y"]').decode(),
        base64.urlsafe_b64encode(b"{}").decode(),
    ],
)
def test_a_cursor_this_list_did_not_give_is_a_clear_400(api_as, carol, path, cursor):
    response = api_as(carol).get(path, cursor=cursor)

    assert response.status_code == 400, (path, response.content)
    assert response.json()["code"] == "bad_cursor"


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", [0, 101])
def test_limit_is_bounded(api_as, carol, path, limit):
    assert api_as(carol).get(path, limit=limit).status_code == 422
