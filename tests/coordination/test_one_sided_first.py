"""The dashboard reads the first rows of "only giving" and "only receiving" through a narrower
query (exchanges.selectors.participation.members_one_sided_first): it counts the last 12 months
only for the people whose count of exchanges ever could put them among those rows. Whatever the
histories, the rows, their order and their counts are exactly the first rows of the whole list
("see all"), at every moment and for every number of rows shown.

The story: givers with many exchanges long ago and few this year, givers tied on this year's
count (told apart by their first names), a coordinator and a member who left who gave the most
of all (neither is listed, so neither may set the bar), and a receiver-only mirror of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.community.models import Membership, Person
from coproduce.coordination import selectors
from coproduce.exchanges.models import Exchange, Participant, PersonActivity, Side
from coproduce.exchanges.selectors import participation
from coproduce.exchanges.services.tallies import tallies_check, tallies_rebuild
from coproduce.ledger.accounts import member_account_get_or_open
from tests.conftest import _join, _person

from .conftest import make_exchange

pytestmark = pytest.mark.django_db

# (first name, role, status, exchanges given this year, given 2 years ago).
GIVERS = [
    ("Olwen", "member", "active", 1, 30),  # the most ever, one this year
    ("Gwen", "member", "active", 4, 0),
    ("Bryn", "member", "active", 4, 0),  # tied with Gwen: Bryn first
    ("Aled", "member", "active", 3, 5),
    ("Ceri", "member", "active", 3, 0),
    ("Dafydd", "member", "active", 2, 9),
    ("Eira", "member", "active", 2, 0),
    ("Ffion", "member", "active", 1, 0),
    ("Huw", "coordinator", "active", 9, 40),  # not listed: a coordinator
    ("Iolo", "member", "left", 8, 40),  # not listed: left
]


@pytest.fixture
def story(riverside):
    """Each giver helps a receiver of their own (who only receives), `this year` times in the
    last few months and `long ago` times two years back."""
    now = timezone.now()
    exchanges = []
    for i, (first, role, status, this_year, long_ago) in enumerate(GIVERS):
        giver = _join(riverside, _person(f"giver{i}", first, "Giver"), role=role, status=status)
        receiver = _join(riverside, _person(f"receiver{i}", first, "Receiver"))
        moments = [now - timedelta(days=10 + 20 * n) for n in range(this_year)]
        moments += [now - timedelta(days=730 + n) for n in range(long_ago)]
        exchanges += [(giver, receiver, moment) for moment in moments]
    made = Exchange.objects.bulk_create(
        Exchange(
            timebank=riverside, title="Help", category="care", status="confirmed",
            expected_minutes=60, proposed_by=giver, created_at=moment, done_at=moment,
            confirmed_at=moment,
        )
        for giver, _receiver, moment in exchanges
    )  # fmt: skip
    if not made[0].pk:
        made = list(Exchange.objects.filter(timebank=riverside).order_by("id"))
    Participant.objects.bulk_create(
        Participant(
            timebank=riverside,
            exchange=exchange,
            side=side,
            person=person,
            account=member_account_get_or_open(timebank=riverside, person=person),
        )
        for exchange, (giver, receiver, _moment) in zip(made, exchanges, strict=True)
        for side, person in ((Side.PROVIDER, giver), (Side.RECEIVER, receiver))
    )
    tallies_rebuild(timebank_id=riverside.pk)
    return riverside


def _rows(people):
    return [(p.first_name, p.last_name, p.times) for p in people]


@pytest.mark.parametrize("side", [Side.PROVIDER, Side.RECEIVER])
def test_the_first_rows_are_the_whole_lists_first_rows_at_every_moment(story, side):
    for days_later in [0, 30, 100, 200, 380, 800]:
        since = timezone.now() + timedelta(days=days_later - selectors.RECIPROCITY_DAYS)
        whole = _rows(participation.members_one_sided(timebank=story, since=since, side=side))
        for count in range(1, len(GIVERS) + 2):
            first = participation.members_one_sided_first(
                timebank=story, since=since, side=side, count=count
            )[:count]
            assert _rows(first) == whole[:count], (days_later, count)


def test_the_bar_is_set_by_listed_people_only_and_ties_keep_their_order(story):
    since = timezone.now() - timedelta(days=selectors.RECIPROCITY_DAYS)
    first = participation.members_one_sided_first(
        timebank=story, since=since, side=Side.PROVIDER, count=3
    )[:3]
    # Huw and Iolo gave more, ever and this year, but are not listed.
    assert [(p.first_name, p.times) for p in first] == [("Bryn", 4), ("Gwen", 4), ("Aled", 3)]


def test_the_dashboard_shows_the_whole_lists_total_beside_its_first_rows(story, carol):
    sections = {s.key: s for s in selectors.dashboard_for(carol, story, limit=2)}
    assert sections["only-giving"].total == 8
    assert [p.first_name for p in sections["only-giving"].rows] == ["Bryn", "Gwen"]
    # Every receiver of a listed or unlisted giver is a member who only receives.
    assert sections["only-receiving"].total == 10


def test_the_counts_ever_are_kept_and_checked_against_a_recount(story):
    olwen = Person.objects.get(first_name="Olwen", last_name="Giver")
    activity = PersonActivity.objects.get(timebank=story, person=olwen)
    assert (activity.gave_count, activity.received_count) == (31, 0)
    assert tallies_check(story.pk, 10) == []
    PersonActivity.objects.filter(pk=activity.pk).update(gave_count=2)
    problems = tallies_check(story.pk, 10)
    assert len(problems) == 1 and "giver0 in riverside (gave 2, received 0)" in problems[0]
    tallies_rebuild(timebank_id=story.pk)
    assert tallies_check(story.pk, 10) == []
    assert not Membership.objects.filter(timebank=story, person__first_name="Nobody").exists()


def test_the_lists_read_the_copies_kept_on_the_membership_and_verify_names_a_drifted_one(
    story, carol
):
    olwen = Person.objects.get(first_name="Olwen", last_name="Giver")
    membership = Membership.objects.get(timebank=story, person=olwen)
    activity = PersonActivity.objects.get(timebank=story, person=olwen)
    copied = ("last_gave_at", "last_received_at", "gave_count", "received_count")
    assert [getattr(membership, f) for f in copied] == [getattr(activity, f) for f in copied]
    since = timezone.now() - timedelta(days=selectors.RECIPROCITY_DAYS)
    before = _rows(participation.members_one_sided(timebank=story, since=since, side="provider"))
    assert ("Olwen", "Giver", 1) in before
    # Her membership made to say she last gave before the year: the lists drop her, so they
    # read the membership's copy, not the activity.
    Membership.objects.filter(pk=membership.pk).update(last_gave_at=since - timedelta(days=1))
    whole = _rows(participation.members_one_sided(timebank=story, since=since, side="provider"))
    assert ("Olwen", "Giver", 1) not in whole
    sections = {s.key: s for s in selectors.dashboard_for(carol, story, limit=20)}
    assert sections["only-giving"].total == len(before) - 1
    problems = tallies_check(story.pk, 10)
    assert len(problems) == 1 and "giver0's membership of riverside" in problems[0], problems
    Membership.objects.filter(pk=membership.pk).update(gave_count=5)
    assert len(tallies_check(story.pk, 10)) == 1
    tallies_rebuild(timebank_id=story.pk)
    assert tallies_check(story.pk, 10) == []
    assert _rows(participation.members_one_sided(timebank=story, since=since, side="provider")) == (
        before
    )


def test_the_one_sided_totals_count_who_never_or_only_long_ago_took_the_other_side(story, carol):
    """Each total is counted in two ranges of the other side's index (never on the other side;
    last there before the year): at every moment it is the whole list's length, for people on
    the other side two years ago, this year, and never."""
    now = timezone.now()
    gwen = Person.objects.get(first_name="Gwen", last_name="Giver")
    bryn = Person.objects.get(first_name="Bryn", last_name="Giver")
    olwen = Person.objects.get(first_name="Olwen", last_name="Receiver")
    ceri = Person.objects.get(first_name="Ceri", last_name="Receiver")
    # Gwen received two years ago, Bryn this month: Gwen still only gives, Bryn no longer.
    make_exchange(story, provider=olwen, receiver=gwen, days=700)
    make_exchange(story, provider=ceri, receiver=bryn, days=5)
    tallies_rebuild(timebank_id=story.pk)
    for days_later in [0, 30, 200, 380, 800]:
        moment = now + timedelta(days=days_later)
        since = moment - timedelta(days=selectors.RECIPROCITY_DAYS)
        sections = {s.key: s for s in selectors.dashboard_for(carol, story, now=moment, limit=2)}
        for key, side in (("only-giving", Side.PROVIDER), ("only-receiving", Side.RECEIVER)):
            whole = participation.members_one_sided(timebank=story, since=since, side=side)
            assert sections[key].total == len(whole), (days_later, key)
    since = now - timedelta(days=selectors.RECIPROCITY_DAYS)
    giving = {p.first_name for p in participation.members_one_sided(
        timebank=story, since=since, side=Side.PROVIDER
    )}  # fmt: skip
    # Gwen is counted in the range of those whose last receiving was before the year.
    assert "Gwen" in giving and "Bryn" not in giving
    never, long_ago = participation.members_one_sided_counted(
        timebank=story, since=since, side=Side.PROVIDER
    )
    assert [m.person.first_name for m in long_ago] == ["Gwen"]
    assert never.count() + long_ago.count() == len(giving) == 7
