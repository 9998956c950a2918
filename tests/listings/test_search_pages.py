"""A search's pages on PostgreSQL are ranked on the listing table alone and only the page's rows
are then read with their people (`RankedPages`, issue 17): every page shows the same listings in
the same order as slicing the ranked search itself, and the page takes no extra query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from coproduce.exchanges.models import Offer
from coproduce.exchanges.selectors.search import RankedPages, listings_search, pages_of


@pytest.fixture
def many_garden_offers(riverside, alice, bob):
    """Twenty-five offers naming the garden in the title, the tags or the description (so they
    rank differently), a few at the same moment (so the tie-breaks count), and others not."""
    now = timezone.now()
    for n in range(25):
        where = n % 3
        Offer.objects.create(
            timebank=riverside,
            person=alice if n % 2 else bob,
            category="gardening",
            title=f"Garden help {n}" if where == 0 else f"Help number {n}",
            tags="garden" if where == 1 else "",
            description="In the garden." if where == 2 else "Anything.",
            created_at=now - timedelta(minutes=n // 4),
        )
    for n in range(5):
        Offer.objects.create(
            timebank=riverside,
            person=alice,
            category="household",
            title=f"Ironing {n}",
            created_at=now,
        )


def test_every_page_of_a_search_shows_what_the_ranked_search_shows(
    riverside, alice, many_garden_offers
):
    found = listings_search(timebank=riverside, kind="offer", q="garden", viewer=alice)
    paged = RankedPages(found)
    assert paged.count() == found.count() == 25
    for page in (slice(0, 10), slice(10, 20), slice(20, 30), slice(30, 40)):
        assert [o.pk for o in paged[page]] == [o.pk for o in found[page]], page
    # The rows come with their people, read in the same query.
    first = paged[0:10][0]
    assert "person" in first._state.fields_cache


def test_the_list_page_ranks_on_postgresql_and_leaves_other_lists_as_they_are(
    riverside, alice, many_garden_offers
):
    searched = listings_search(timebank=riverside, kind="offer", q="garden")
    browsed = listings_search(timebank=riverside, kind="offer")
    assert pages_of(browsed) is browsed
    if connection.vendor == "postgresql":
        assert isinstance(pages_of(searched), RankedPages)
    else:
        assert pages_of(searched) is searched


def test_the_second_page_of_a_search_shows_the_next_listings(
    login, riverside, alice, many_garden_offers
):
    client = login(alice)
    first = client.get("/offers/", {"q": "garden"}).content.decode()
    second = client.get("/offers/", {"q": "garden", "page": 2}).content.decode()
    found = listings_search(timebank=riverside, kind="offer", q="garden", viewer=alice)
    ids = [str(offer.public_id) for offer in found]
    assert all(public_id in first for public_id in ids[:20])
    assert not any(public_id in first for public_id in ids[20:])
    assert all(public_id in second for public_id in ids[20:])
    assert not any(public_id in second for public_id in ids[:20])


# The first page also looks for partner banks' listings (one query more).
@pytest.mark.parametrize("params, queries", [({"q": "garden"}, 8), ({"q": "garden", "page": 2}, 7)])
def test_a_search_page_takes_a_pinned_number_of_queries(
    login, riverside, alice, many_garden_offers, params, queries, django_assert_num_queries
):
    client = login(alice)
    client.get("/offers/")
    with django_assert_num_queries(queries):
        assert client.get("/offers/", params).status_code == 200
