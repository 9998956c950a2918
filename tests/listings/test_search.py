"""listings_search: the same answers on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from coproduce.core.errors import ApplicationError
from coproduce.exchanges.models import Offer, Request
from coproduce.exchanges.selectors.search import listings_search, search_words
from coproduce.exchanges.services.listings import listing_close, listing_pause, listing_update


def titles(listings):
    return [listing.title for listing in listings]


@pytest.fixture
def riverside_offers(post, alice, bob):
    return {
        "gardening": post(
            alice,
            "offer",
            "Gardening and weeding",
            category="gardening",
            description="I love digging.",
            availability=["mon_am"],
        ),
        "shopping": post(
            bob,
            "offer",
            "Weekly shopping trip",
            category="transport",
            description="I drive to the market and can take you with me to the garden centre.",
            area="Southbank",
        ),
        "ironing": post(bob, "offer", "Ironing", description="Shirts and sheets.", tags="laundry"),
    }


def test_garden_finds_gardening(riverside, riverside_offers):
    found = titles(listings_search(timebank=riverside, kind="offer", q="garden"))
    assert set(found) == {"Gardening and weeding", "Weekly shopping trip"}


def test_a_word_in_the_title_ranks_above_one_in_the_description(riverside, riverside_offers):
    found = titles(listings_search(timebank=riverside, kind="offer", q="garden"))
    assert found[0] == "Gardening and weeding"


def test_every_word_must_match(riverside, riverside_offers):
    assert titles(listings_search(timebank=riverside, kind="offer", q="garden market")) == [
        "Weekly shopping trip"
    ]


def test_tags_and_descriptions_are_searched(riverside, riverside_offers):
    assert titles(listings_search(timebank=riverside, kind="offer", q="laundry")) == ["Ironing"]
    assert titles(listings_search(timebank=riverside, kind="offer", q="shirts")) == ["Ironing"]


def test_stop_words_are_ignored_on_both_databases(riverside, riverside_offers):
    assert search_words("Help with THE garden, please!") == ["help", "garden", "please"]
    assert titles(listings_search(timebank=riverside, kind="offer", q="the ironing")) == ["Ironing"]


def test_without_words_the_newest_come_first(riverside, riverside_offers):
    assert titles(listings_search(timebank=riverside, kind="offer", q=" the ")) == [
        "Ironing",
        "Weekly shopping trip",
        "Gardening and weeding",
    ]


@pytest.mark.parametrize(
    "odd",
    [
        '"weeding* OR (',
        "'; drop table exchanges_offer; --",
        "NEAR(garden weeding)",
        "garden:* & !weeding | ",
        "title:garden",
        "^garden AND -x",
        "½ ☃ 🌱 _ __init__ ''' \"\"\"",
        "é" * 300,
        "a " * 500,
    ],
)
def test_odd_characters_never_raise_an_error(riverside, riverside_offers, odd):
    found = list(listings_search(timebank=riverside, kind="offer", q=odd))
    assert all(isinstance(listing, Offer) for listing in found)


def test_quotes_and_operators_are_searched_as_plain_words(riverside, riverside_offers):
    assert titles(listings_search(timebank=riverside, kind="offer", q='"weeding* OR (')) == [
        "Gardening and weeding"
    ]


def test_category_area_and_day_filters(riverside, riverside_offers):
    def search(**filters):
        return set(titles(listings_search(timebank=riverside, kind="offer", **filters)))

    assert search(category="gardening") == {"Gardening and weeding"}
    assert search(area="Southbank") == {"Weekly shopping trip"}
    assert search(area="Northbank") == {"Gardening and weeding", "Ironing"}
    # No availability means any time, so bob's offers show on every day.
    assert search(day="mon") == {"Gardening and weeding", "Weekly shopping trip", "Ironing"}
    assert search(day="tue") == {"Weekly shopping trip", "Ironing"}
    assert search(q="garden", day="tue") == {"Weekly shopping trip"}


def test_an_unknown_day_is_a_clear_error(riverside):
    with pytest.raises(ApplicationError, match="not a day of the week"):
        listings_search(timebank=riverside, kind="offer", day="someday")


def test_another_time_banks_listings_never_show(riverside, hillside, riverside_offers, post, harry):
    post(harry, "offer", "Hillside gardening", category="gardening")
    assert "Hillside gardening" not in titles(
        listings_search(timebank=riverside, kind="offer", q="gardening")
    )
    assert titles(listings_search(timebank=hillside, kind="offer", q="garden")) == [
        "Hillside gardening"
    ]


def test_offers_and_requests_are_searched_apart(riverside, riverside_offers, post, alice):
    post(alice, "request", "Gardening help for my mum", category="gardening")
    assert titles(listings_search(timebank=riverside, kind="request", q="garden")) == [
        "Gardening help for my mum"
    ]


def test_paused_closed_and_out_of_date_listings_are_not_found(
    riverside, riverside_offers, alice, bob
):
    listing_pause(listing=riverside_offers["gardening"], acting=alice)
    listing_close(listing=riverside_offers["ironing"], acting=bob)
    Offer.objects.filter(pk=riverside_offers["shopping"].pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert titles(listings_search(timebank=riverside, kind="offer")) == []


def test_a_changed_title_is_found_by_its_new_words_only(riverside, riverside_offers, alice):
    listing_update(
        listing=riverside_offers["gardening"],
        acting=alice,
        title="Dog walking",
        category="household",
    )
    assert titles(listings_search(timebank=riverside, kind="offer", q="weeding")) == []
    assert titles(listings_search(timebank=riverside, kind="offer", q="dogs")) == ["Dog walking"]


@pytest.mark.postgres
@pytest.mark.parametrize("model", [Offer, Request])
def test_postgres_matches_read_the_stored_document_through_its_gin_index(db, model):
    from django.contrib.postgres.search import SearchQuery

    from coproduce.exchanges.selectors.search import _StoredDocument

    matching = model.objects.annotate(search=_StoredDocument()).filter(
        search=SearchQuery("'garden':*", search_type="raw", config="english")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = matching.explain()
    assert f"{model._meta.db_table}_search_document" in plan


@pytest.mark.postgres
def test_postgres_keeps_each_listings_stored_document_in_step_with_its_text(
    riverside, riverside_offers, alice
):
    from django.contrib.postgres.search import SearchVector

    from coproduce.exchanges.selectors.search import _StoredDocument

    # What 0003 indexed and ranked by: the stored column must hold exactly this, after an
    # insert and after an edit, or matches and their order would change.
    weighted = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("tags", weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
        + SearchVector("category", weight="D", config="english")
    )
    gardening = riverside_offers["gardening"]
    listing_update(
        listing=gardening, acting=alice, title="Dog walking", category=gardening.category
    )
    rows = Offer.objects.annotate(stored=_StoredDocument(), expected=weighted).values_list(
        "stored", "expected"
    )
    assert rows and all(stored == expected for stored, expected in rows)
    assert titles(listings_search(timebank=riverside, kind="offer", q="dogs")) == ["Dog walking"]


def test_the_ranked_search_still_works_inside_another_query(riverside, riverside_offers):
    best = listings_search(timebank=riverside, kind="offer", q="garden").values("pk")[:1]
    assert titles(Offer.objects.filter(pk__in=best)) == ["Gardening and weeding"]
