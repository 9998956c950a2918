"""The public profile's reads with their SQL kept (`core.kept_query`, issue 17) give what the
ORM's querysets gave: a person's own badges and public thanks in this time bank, and whether
two people agreed an exchange, for whoever asks and about whoever they ask."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest
from django.utils import timezone

from coproduce.community import profile_reads, selectors
from coproduce.community.models import Membership, SafeguardingCheck
from coproduce.community.safeguarding import safeguarding_pause
from coproduce.core.errors import NotFound
from coproduce.exchanges.models import Exchange, Feedback
from tests.conftest import _join, _person
from tests.exchanges.conftest import propose, step

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


@pytest.fixture
def dan(riverside):
    return _join(riverside, _person("dan", "Dan", "Davies"))


def _check(timebank, person, carol, kind, expires_on):
    return SafeguardingCheck.objects.create(
        timebank=timebank, person=person, kind=kind, checked_on=TODAY - timedelta(days=400),
        expires_on=expires_on, recorded_by=carol,
    )  # fmt: skip


def _thanks(timebank, author, about, message, *, private=False):
    exchange = Exchange.objects.create(
        timebank=timebank, title=message, category="gardening", expected_minutes=60,
        proposed_by=author, created_at=timezone.now(),
    )  # fmt: skip
    return Feedback.objects.create(
        timebank=timebank, exchange=exchange, author=author, about_person=about,
        message=message, private=private,
    )  # fmt: skip


def test_the_kept_reads_are_kept_on_this_database():
    assert profile_reads.checks_current.kept(timebank_id=1, person_id=2, today=TODAY)
    assert profile_reads.thanks_public.kept(person_id=1, timebank_id=2, limit=10)
    assert profile_reads.agreed_part.kept(person_id=1, other_id=2, timebank_id=3)


def test_badges_are_the_persons_own_current_checks_in_this_time_bank(
    riverside, hillside, alice, bob, carol, django_assert_num_queries
):
    _check(riverside, alice, carol, "enhanced", TODAY + timedelta(days=10))
    _check(riverside, alice, carol, "enhanced", None)  # no expiry beats a date
    _check(riverside, alice, carol, "reference", TODAY)  # over on its expiry date
    _check(riverside, alice, carol, "id_seen", TODAY + timedelta(days=1))
    _check(riverside, bob, carol, "reference", TODAY + timedelta(days=30))
    _check(hillside, alice, carol, "reference", TODAY + timedelta(days=30))

    for _ in range(2):  # compiled, then kept
        with django_assert_num_queries(1):
            badges = selectors.badges_for(alice, riverside, today=TODAY)
        assert [(b.kind, b.until) for b in badges] == [  # in CheckKind's order
            ("id_seen", TODAY + timedelta(days=1)),
            ("enhanced", None),
        ]
    assert [b.kind for b in selectors.badges_for(bob, riverside, today=TODAY)] == ["reference"]
    assert [b.kind for b in selectors.badges_for(alice, hillside, today=TODAY)] == ["reference"]
    # The next day is a shape of its own: the check that ran to it is over.
    tomorrow = TODAY + timedelta(days=1)
    assert [b.kind for b in selectors.badges_for(alice, riverside, today=tomorrow)] == ["enhanced"]


def test_public_thanks_are_about_this_person_in_this_time_bank_newest_first(
    riverside, hillside, alice, bob, carol, dan, django_assert_num_queries
):
    first = _thanks(riverside, bob, alice, "Alice transformed my garden")
    _thanks(riverside, bob, alice, "Just between us", private=True)
    _thanks(riverside, alice, bob, "Bob fixed my bike")
    second = _thanks(riverside, dan, alice, "A lovely chat")
    _thanks(hillside, carol, alice, "In another time bank")

    for _ in range(2):
        with django_assert_num_queries(1):
            thanks = selectors.public_thanks_for(alice, riverside)
            authors = [t.author.username for t in thanks]  # read with the thanks
        assert [t.pk for t in thanks] == [second.pk, first.pk]
        assert authors == ["dan", "bob"]
    assert [t.message for t in selectors.public_thanks_for(bob, riverside)] == ["Bob fixed my bike"]
    assert [t.pk for t in selectors.public_thanks_for(alice, riverside, limit=1)] == [second.pk]
    assert selectors.public_thanks_for(carol, riverside) == []


def test_an_agreed_exchange_is_between_these_two_people_in_this_time_bank(
    riverside, alice, bob, carol, dan
):
    exchange = propose(riverside, alice, bob)
    assert not selectors.have_agreed_exchange(person=bob, other=alice, timebank=riverside)
    step(exchange, "agreed")
    for person, other, expected in [
        (bob, alice, True),
        (alice, bob, True),
        (bob, dan, False),
        (dan, alice, False),
        (carol, bob, False),
    ]:
        found = selectors.have_agreed_exchange(person=person, other=other, timebank=riverside)
        assert found is expected, (person, other)


def test_a_profile_is_found_by_its_public_id_only_in_the_viewers_time_bank(
    riverside, hillside, alice, bob, carol, harry, django_assert_num_queries
):
    assert profile_reads.profile_membership.kept(timebank_id=1, public_id=bob.public_id)
    bobs = Membership.objects.get(person=bob, timebank=riverside)
    alices = Membership.objects.get(person=alice, timebank=riverside)
    for _ in range(2):
        with django_assert_num_queries(1):
            found = selectors.profile_get_for(
                alice, riverside, bob.public_id, viewer_membership=alices
            )
            assert found.person.username == "bob"  # read with the membership
        assert found.pk == bobs.pk and found.timebank == riverside
        assert found.safeguarding_paused is False
    assert selectors.profile_get_for(bob, riverside, str(alice.public_id)).person == alice
    with pytest.raises(NotFound):
        selectors.profile_get_for(alice, riverside, harry.public_id)  # in hillside
    with pytest.raises(NotFound):
        selectors.profile_get_for(alice, riverside, uuid4())


def test_a_paused_member_is_out_of_sight_but_not_of_the_coordinators(riverside, alice, bob, carol):
    safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason="Kept private")
    with pytest.raises(NotFound):
        selectors.profile_get_for(alice, riverside, bob.public_id)
    found = selectors.profile_get_for(carol, riverside, bob.public_id)
    assert found.person == bob and found.safeguarding_paused is True
