"""The list pages', home's and the menu's reads with their SQL kept (`core.kept_query`, issue
17) give each person what the ORM's querysets gave them: their own exchanges, their own unread
counts, their own paused listings, and nobody else's."""

from __future__ import annotations

from django.utils import timezone

from coproduce.community.models import Block, TimeBank
from coproduce.community.safeguarding import safeguarding_pause
from coproduce.core.models import Notification
from coproduce.exchanges.models import Offer, Request
from coproduce.exchanges.selectors.exchanges import (
    exchanges_for_person,
    exchanges_recent_for_person,
)
from coproduce.exchanges.selectors.listings import offers_recent, requests_recent
from coproduce.exchanges.selectors.search import (
    ListingPages,
    listings_counted,
    listings_search,
)
from coproduce.matching.for_you import _still_answerable
from coproduce.matching.suggestions import answerable_requests
from coproduce.members.notices import unread_counts
from tests.exchanges.conftest import propose


def _offer(timebank, person, title, **extra):
    return Offer.objects.create(
        timebank=timebank,
        person=person,
        title=title,
        category=extra.pop("category", "gardening"),
        created_at=extra.pop("created_at", timezone.now()),
        **extra,
    )


def test_my_recent_exchanges_are_mine_with_everyone_taking_part(
    riverside, alice, bob, carol, dan, dr_patel, django_assert_num_queries, on_postgres
):
    propose(riverside, alice, bob, title="Weeding")
    propose(riverside, bob, dan, title="A lift")  # not alice's
    propose(riverside, [alice, dan], carol, title="Moving day")

    for person in (alice, bob, dan, dr_patel):
        expected = exchanges_for_person(timebank=riverside, person=person, limit=5, my_part=False)
        # The organisations, (on PostgreSQL the exchange ids,) the exchanges, their people.
        with django_assert_num_queries(3 + on_postgres if expected else 2 + on_postgres):
            found = exchanges_recent_for_person(timebank=riverside, person=person, limit=5)
        assert [e.pk for e in found] == [e.pk for e in expected]
        for mine, theirs in zip(found, expected, strict=True):
            assert mine.proposed_by == theirs.proposed_by
            assert [(p.pk, p.person, p.organisation) for p in mine.participants.all()] == [
                (p.pk, p.person, p.organisation) for p in theirs.participants.all()
            ]
    titles = [
        e.title for e in exchanges_recent_for_person(timebank=riverside, person=alice, limit=5)
    ]
    assert titles == ["Moving day", "Weeding"]


def test_the_list_shows_a_paused_members_listings_to_them_and_not_to_others(
    riverside, alice, bob, carol
):
    _offer(riverside, alice, "Garden tidy")
    _offer(riverside, bob, "Garden hedge")
    safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason="Kept private")

    seen = {}
    for person in (alice, bob, carol, alice):
        pages = ListingPages(timebank=riverside, kind="offer", viewer=person, q="garden")
        found = listings_search(timebank=riverside, kind="offer", viewer=person, q="garden")
        assert [o.pk for o in pages[0:20]] == [o.pk for o in found[0:20]]
        counted = listings_counted(timebank=riverside, kind="offer", viewer=person, q="garden")
        seen[person.username] = ({o.title for o in pages[0:20]}, counted.count())
    assert seen["alice"] == ({"Garden tidy"}, 1)
    assert seen["bob"] == ({"Garden tidy", "Garden hedge"}, 2)  # his own, though paused
    assert seen["carol"] == ({"Garden tidy", "Garden hedge"}, 2)  # the coordinator


def test_a_page_of_the_list_is_the_pages_slice(riverside, alice, bob):
    for n in range(7):
        _offer(riverside, bob if n % 2 else alice, f"Offer {n}", area="Northbank" if n % 3 else "")
    pages = ListingPages(timebank=riverside, kind="offer", viewer=alice)
    found = listings_search(timebank=riverside, kind="offer", viewer=alice)
    for start, stop in ((0, 3), (3, 6), (6, 7)):
        assert [o.pk for o in pages[start:stop]] == [o.pk for o in found[start:stop]]
    assert pages.count() == 7
    assert pages[2].pk == found[2].pk
    northbank = ListingPages(timebank=riverside, kind="offer", viewer=alice, area="Northbank")
    assert {o.area for o in northbank[0:20]} == {"Northbank"}


def test_home_lists_only_its_own_banks_newest_listings(riverside, hillside, alice, bob, harry):
    _offer(riverside, alice, "Riverside offer")
    _offer(hillside, harry, "Hillside offer")
    Request.objects.create(
        timebank=hillside,
        person=harry,
        title="Hillside request",
        category="gardening",
        created_at=timezone.now(),
    )
    assert [o.title for o in offers_recent(timebank=riverside)] == ["Riverside offer"]
    assert [o.title for o in offers_recent(timebank=hillside)] == ["Hillside offer"]
    assert requests_recent(timebank=riverside) == []
    assert [r.title for r in requests_recent(timebank=hillside)] == ["Hillside request"]


def test_the_menus_unread_counts_are_each_persons_own(riverside, hillside, alice, bob):
    for person, kind, bank in (
        (alice, "exchange.proposed", riverside.pk),
        (alice, "conversation.message", riverside.pk),
        (alice, "account.note", None),
        (alice, "exchange.proposed", hillside.pk),  # another bank's: not counted in riverside
        (bob, "exchange.proposed", riverside.pk),
    ):
        Notification.objects.create(person=person, kind=kind, message="…", timebank_id=bank)
    assert unread_counts(person=alice, timebank=riverside) == (2, 1)
    assert unread_counts(person=bob, timebank=riverside) == (1, 0)
    assert unread_counts(person=alice, timebank=None) == (1, 0)
    Notification.objects.filter(person=bob).update(read_at=timezone.now())
    assert unread_counts(person=bob, timebank=riverside) == (0, 0)


def test_the_requests_for_home_are_checked_again_for_the_person_asking(
    riverside, alice, bob, carol
):
    now = timezone.now()
    asks = [
        Request.objects.create(
            timebank=riverside,
            person=who,
            title=f"{who.username}'s",
            category="gardening",
            created_at=now,
        )
        for who in (alice, bob, carol)
    ]
    Block.objects.create(blocker=carol, blocked=bob)
    ids = [r.pk for r in asks]
    for person in (alice, bob, carol):
        kept = _still_answerable(
            timebank_id=riverside.pk, person_id=person.pk, now=now, request_ids=ids
        )
        expected = answerable_requests(person, riverside, now).in_bulk(ids)
        assert sorted(r.pk for r in kept) == sorted(expected)
    bobs = _still_answerable(timebank_id=riverside.pk, person_id=bob.pk, now=now, request_ids=ids)
    assert {r.title for r in bobs} == {"alice's"}  # not his own, not carol's who blocked him
    assert TimeBank.objects.count() == 1
