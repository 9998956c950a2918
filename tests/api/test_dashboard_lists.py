"""A coordinator reads each of the dashboard's "see all" lists through the API: the same rows in
the same order as the page, a page at a time, for the same cost however long the page; nobody
else reads them, and safeguarding stays out."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.api.dashboard_lists import LEFT_OUT, LISTS
from coproduce.coordination.selectors import SECTIONS, section_queryset_for
from tests.coordination.conftest import populate

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(riverside, carol):
    populate(riverside, 3, "busy")
    return riverside


def _row_id(key: str, row) -> str:
    """The public id a list names a row by: the person's, or the object's own."""
    if key in ("only-receiving", "only-giving"):
        return str(row.public_id)
    if key in ("applications", "inactive", "near-limit"):
        return str(row.person.public_id)
    return str(row.public_id)


def _item_id(key: str, item: dict) -> str:
    return item["person"]["public_id"] if "person" in item else item["public_id"]


def _paged(api, key: str, limit: int) -> list[dict]:
    items, cursor = [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = api.get(f"/coordinator/dashboard/{key}", **params)
        assert response.status_code == 200, response.content
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


@pytest.mark.parametrize("key", sorted(LISTS))
def test_each_list_gives_the_pages_rows_in_its_order_a_page_at_a_time(api_as, carol, busy, key):
    _kind, rows = section_queryset_for(carol, busy, key)
    expected = [_row_id(key, row) for row in rows]
    assert len(expected) >= 3, key

    items = _paged(api_as(carol), key, limit=2)

    assert [_item_id(key, item) for item in items] == expected


def test_members_who_never_had_an_exchange_come_first_on_both_databases(
    api_as, carol, alice, bob, busy
):
    from tests.coordination.conftest import backdate_joining, make_exchange

    for person in (alice, bob):
        backdate_joining(busy, person, 200)
    make_exchange(busy, provider=alice, receiver=bob, days=100)

    items = _paged(api_as(carol), "inactive", limit=1)

    lasts = [item["last_exchange"] for item in items]
    never = [last for last in lasts if last is None]
    assert never and lasts[: len(never)] == never  # no exchange yet: first, as on the page
    assert [i["person"]["username"] for i in items if i["last_exchange"]] == ["alice", "bob"]


def test_every_dashboard_section_has_a_list_but_safeguarding(api_as, carol, riverside):
    assert set(LISTS) | LEFT_OUT == set(SECTIONS)
    assert not set(LISTS) & LEFT_OUT
    for key in LEFT_OUT:
        assert api_as(carol).get(f"/coordinator/dashboard/{key}").status_code == 404


def test_a_disputed_exchange_says_what_went_wrong_and_who_takes_part(api_as, carol, busy):
    item = api_as(carol).get("/coordinator/dashboard/disputes", limit=1).json()["items"][0]

    assert item["status"] == "disputed"
    assert {p["side"] for p in item["participants"]} == {"provider", "receiver"}
    assert "since" in item and "dispute_reason" in item


def test_a_balance_near_its_limit_says_how_much_room_is_left(api_as, carol, busy):
    item = api_as(carol).get("/coordinator/dashboard/near-limit", limit=1).json()["items"][0]

    assert item["balance"]["minutes"] == 0
    assert item["max_balance"]["minutes"] == 30
    assert item["room_above"] == {"minutes": 30, "hmm": "0:30"}


@pytest.mark.parametrize("who", ["alice", "bob", "dr_patel"])
@pytest.mark.parametrize("key", sorted(LISTS))
def test_no_one_but_a_coordinator_reads_a_list(request, api_as, busy, who, key):
    response = api_as(request.getfixturevalue(who)).get(f"/coordinator/dashboard/{key}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("key", sorted(LISTS))
def test_another_banks_coordinator_reads_only_his_own_bank(api_as, harry, busy, key):
    response = api_as(harry).get(f"/coordinator/dashboard/{key}")

    assert response.status_code == 200
    assert response.json()["items"] == []


# The token and its person (1 query: token, person, membership), the coordinator check (1), the
# page (1), and for exchanges everyone taking part (1); for members with no exchange lately, the
# people in exchanges still under way, read before the list (1), and the page's people, read after
# it is cut rather than joined to every quiet member (1; issue 17); near the limit, the page's
# people likewise, read after the cut rather than joined to every account near it (1).
MOST = {"unconfirmed": 4, "disputes": 4, "inactive": 5, "near-limit": 4}


@pytest.mark.parametrize("key", sorted(LISTS))
def test_a_list_costs_the_same_for_a_page_of_1_and_of_50(api_as, carol, busy, key):
    api = api_as(carol)
    api.get(f"/coordinator/dashboard/{key}")  # the token's last use, written once
    counts = []
    for limit in (1, 50):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"/coordinator/dashboard/{key}", limit=limit)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], (key, counts)
    assert counts[1] <= MOST.get(key, 3), (key, counts, [q["sql"] for q in queries])
