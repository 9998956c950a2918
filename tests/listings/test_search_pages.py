"""A page of the list is chosen on the listing table alone, and only the page's rows are then
read with their people (`page_of`, issue 17): every page shows the same listings in the same
order as slicing the search itself, and the page takes no extra query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.exchanges.models import Offer
from coproduce.exchanges.selectors.search import listings_search, page_of
from tests.plans import plans_without_sorting, sqlite_statistics

# SQLite's statistics of the 1,000,000-exchange set (`ANALYZE`), under which the page was sorted
# with its people.
_SQLITE_STATISTICS = [
    ("exchanges_offer", "exchanges_o_timeban_0ce79b_idx", "3334 3334 3334 3334 1 1"),
    ("exchanges_offer", "exchanges_o_timeban_1bf0f3_idx", "3334 3334 3334 3334"),
    ("exchanges_offer", "exchanges_o_timeban_41e8ed_idx", "3334 3334 3334 278"),
    ("exchanges_offer", "exchanges_offer_person_id_936d1909", "3334 1"),
    ("community_person", "sqlite_autoindex_community_person_1", "10000 1"),
    ("community_organisation", "sqlite_autoindex_community_organisation_1", "20 1"),
]


@pytest.fixture
def as_at_a_million():
    """On SQLite, the planner given the 1,000,000-exchange set's statistics (put back after)."""
    with sqlite_statistics(_SQLITE_STATISTICS):
        yield


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
    assert found.count() == 25
    for start, stop in ((0, 10), (10, 20), (20, 30), (30, 40)):
        page = list(page_of(found, start, stop))
        expected = list(found[start:stop])
        assert [o.pk for o in page] == [o.pk for o in expected], (start, stop)
        assert [o.rank for o in page] == [o.rank for o in expected]  # type: ignore[attr-defined]
    # The rows come with their people, read in the same query.
    first = page_of(found, 0, 10)[0]
    assert "person" in first._state.fields_cache


def test_every_page_of_a_filtered_list_shows_the_newest_first(riverside, alice, many_garden_offers):
    found = listings_search(timebank=riverside, kind="offer", category="gardening", viewer=alice)
    for start, stop in ((0, 10), (10, 20), (20, 30)):
        page = [o.pk for o in page_of(found, start, stop)]
        assert page == [o.pk for o in found[start:stop]], (start, stop)


def _page_plan(found):
    with CaptureQueriesContext(connection) as queries:
        assert list(page_of(found, 0, 20))
    (sql,) = [q["sql"] for q in queries]
    (plan,) = plans_without_sorting([sql])
    return plan


def _within(plan: str, node: str) -> str:
    """The part of an EXPLAIN (PostgreSQL's text: the node's line and those indented under it)
    or EXPLAIN QUERY PLAN (SQLite: the lines from the node to the next one that reads a table
    outside it, `SCAN page_of_ids`) that belongs to the first line holding `node`."""
    lines = plan.splitlines()
    first = next(n for n, line in enumerate(lines) if node in line)
    if connection.vendor == "sqlite":
        end = next(n for n, line in enumerate(lines) if line.startswith("SCAN page_of_ids"))
        return "\n".join(lines[first:end])
    depth = len(lines[first]) - len(lines[first].lstrip(" ->"))
    part = [lines[first]]
    for line in lines[first + 1 :]:
        if len(line) - len(line.lstrip(" ->")) <= depth:
            break
        part.append(line)
    return "\n".join(part)


@pytest.mark.parametrize("filters", [{"q": "garden"}, {"category": "gardening", "day": "tue"}])
def test_a_page_is_chosen_before_its_people_are_read(
    riverside, alice, many_garden_offers, as_at_a_million, filters
):
    """The page's ids are chosen (ranked, sorted, limited) on the listing table alone: the
    people and organisations are read only for the page's rows, not for every listing found
    (issue 17, round 19: at 1,000,000 exchanges SQLite sorted 3,334 whole rows, people
    included, to keep 20)."""
    plan = _page_plan(listings_search(timebank=riverside, kind="offer", viewer=alice, **filters))
    chosen = _within(plan, "MATERIALIZE page_of_ids" if connection.vendor == "sqlite" else "Limit")
    assert "exchanges_offer" in chosen, plan
    assert "community_person" not in chosen and "community_organisation" not in chosen, plan
    assert "community_person" in plan, plan
    if connection.vendor == "sqlite":
        # The outer loop is the page: each of its rows then finds its listing and person.
        outer = plan.splitlines()[plan.splitlines().index("SCAN page_of_ids") :]
        assert outer[1].startswith("SEARCH exchanges_offer USING INTEGER PRIMARY KEY"), plan


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


def test_a_page_reads_only_what_its_cards_show(riverside, alice, many_garden_offers):
    """A page's listings come with the columns the list shows (`LIST_FIELDS`), not whole rows:
    no person's password or profile, no listing's photo or availability (issue 17, round 21)."""
    found = listings_search(timebank=riverside, kind="offer", viewer=alice, q="garden")
    with CaptureQueriesContext(connection) as queries:
        page = list(page_of(found, 0, 20))
    (sql,) = [q["sql"] for q in queries]
    selected = sql[: sql.index(" FROM ")]
    for column in ('"password"', '"about"', '"photo"', '"availability"', '"updated_at"'):
        assert column not in selected, sql
    # What the cards read is there, without another query.
    with CaptureQueriesContext(connection) as more:
        shown = [(o.title, o.public_id, o.category, o.area, o.description) for o in page]
        who = [o.person.display_name for o in page if o.person is not None]
    assert len(shown) == 20 and len(who) == 20
    assert not more.captured_queries


def test_a_page_shows_the_same_cards_as_the_whole_rows(login, riverside, alice, bob):
    """The list page's cards from `LIST_FIELDS` are those of the whole rows: an erased
    member's listing shows "Former member", an organisation's shows its name."""
    from coproduce.community.models import Organisation

    surgery = Organisation.objects.create(timebank=riverside, slug="surgery", name="Surgery")
    Offer.objects.create(
        timebank=riverside,
        person=None,
        organisation=surgery,
        title="Flu clinic lifts",
        created_at=timezone.now(),
        category="transport",
        area="Castle Ward",
    )
    Offer.objects.create(
        timebank=riverside,
        person=bob,
        title="Garden tools to lend",
        created_at=timezone.now(),
        category="gardening",
        description="Spade and fork.",
    )
    bob.erased_at = timezone.now()
    bob.save(update_fields=["erased_at"])
    page = login(alice).get("/offers/").content.decode()
    assert "Surgery · Castle Ward" in page
    assert "Former member" in page and "Spade and fork." in page


@pytest.mark.postgres
def test_a_searched_page_is_planned_for_its_words_and_the_plain_list_is_kept_prepared(
    login, riverside, alice, many_garden_offers
):
    """PostgreSQL's generic plan of a prepared search parsed the words again for every match
    it ranked: a page that searches is sent unprepared (planned for its values every time),
    while the plain list's page, run as often, is prepared."""
    client = login(alice)
    for _ in range(8):
        assert client.get("/offers/?q=garden").status_code == 200
        assert client.get("/offers/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "exchanges_offer"%INNER JOIN (SELECT%'],
        )
        pages = [row[0] for row in cursor.fetchall()]
    assert pages, "the plain list's page is prepared"
    assert not [page for page in pages if "ts_rank" in page]
