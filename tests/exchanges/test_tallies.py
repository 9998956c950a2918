"""The summaries kept on confirmation (exchanges.services.tallies) give the coordinator's lists
exactly what counting every participation gives: a story built through the real services —
confirmations, a group session, a coordinator's log, a reversal, past exchanges brought in, an
exchange still under way, a cancelled one and a member leaving — is read through the dashboard's
selectors and through a plain recount, at moments chosen to move each exchange in and out of
the windows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from coproduce.community.models import Membership, MembershipStatus, Role
from coproduce.community.services import membership_update
from coproduce.coordination import selectors as dashboard
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    Participant,
    PersonActivity,
    Side,
)
from coproduce.exchanges.selectors.exchanges import OPEN_STATUSES
from coproduce.exchanges.services.disputes import exchange_reverse
from coproduce.exchanges.services.exchanges import exchange_cancel, exchange_log_finished
from coproduce.exchanges.services.history import PastExchange, exchanges_record_past
from coproduce.exchanges.services.tallies import tallies_check, tallies_rebuild
from coproduce.ledger.accounts import member_account_get_or_open
from coproduce.ledger.selectors import ledger_verify
from tests.conftest import _join, _person
from tests.exchanges.conftest import propose, step


def _recount_one_sided(timebank, since, side):
    """Who took part on `side` only in confirmed exchanges since `since`, the most first."""
    counts: dict[int, dict[str, int]] = {}
    for part in Participant.objects.filter(
        timebank=timebank, person__isnull=False, exchange__status=ExchangeStatus.CONFIRMED
    ).select_related("exchange", "person"):
        if part.exchange.confirmed_at >= since:
            counts.setdefault(part.person_id, {Side.PROVIDER: 0, Side.RECEIVER: 0})
            counts[part.person_id][part.side] += 1
    other = Side.RECEIVER if side == Side.PROVIDER else Side.PROVIDER
    members = Membership.objects.filter(
        timebank=timebank, status=MembershipStatus.ACTIVE, role=Role.MEMBER
    ).select_related("person")
    rows = [
        (m.person, counts[m.person_id][side])
        for m in members
        if m.person_id in counts and counts[m.person_id][side] and not counts[m.person_id][other]
    ]
    rows.sort(key=lambda row: (-row[1], row[0].first_name, row[0].pk))
    return [(person.pk, times) for person, times in rows]


def _recount_quiet(timebank, since):
    """Members who joined before `since` with no exchange moving since, and when theirs last
    did: a confirmed one from their own bank's side, or one of the bank's still under way."""
    moved: dict[int, object] = {}
    for part in Participant.objects.filter(timebank=timebank, person__isnull=False).select_related(
        "exchange"
    ):
        x = part.exchange
        if x.status == ExchangeStatus.CONFIRMED:
            moment = x.confirmed_at
        elif x.status in OPEN_STATUSES and x.timebank_id == timebank.pk:
            moment = x.done_at or x.agreed_at or x.created_at
        else:
            continue
        if part.person_id not in moved or moment > moved[part.person_id]:
            moved[part.person_id] = moment
    rows = []
    for m in Membership.objects.filter(
        timebank=timebank, status=MembershipStatus.ACTIVE, role=Role.MEMBER
    ):
        joined = m.activated_at or m.applied_at
        last = moved.get(m.person_id)
        if joined < since and (last is None or last < since):
            rows.append((m.person_id, last, joined, m.pk))
    rows.sort(key=lambda r: (r[1] is not None, r[1] or joined, r[2], r[3]))
    return [(person_id, last) for person_id, last, _j, _pk in rows]


def _read(timebank, now):
    giving = dashboard.members_only_giving(timebank=timebank, now=now)
    receiving = dashboard.members_only_receiving(timebank=timebank, now=now)
    quiet = dashboard.members_inactive(timebank=timebank, now=now)
    return (
        [(p.pk, p.times) for p in giving],
        [(p.pk, p.times) for p in receiving],
        [(m.person_id, m.last_exchange) for m in quiet],
    )


def _recount(timebank, now):
    year = now - timedelta(days=dashboard.RECIPROCITY_DAYS)
    quiet = now - timedelta(days=dashboard.INACTIVE_AFTER_DAYS)
    return (
        _recount_one_sided(timebank, year, Side.PROVIDER),
        _recount_one_sided(timebank, year, Side.RECEIVER),
        _recount_quiet(timebank, quiet),
    )


@pytest.fixture
def story(riverside, alice, bob, carol):
    """A year and a half of Riverside, through the services."""
    dan = _join(riverside, _person("dan", "Dan", "Davies"))
    erin = _join(riverside, _person("erin", "Erin", "Evans"))
    fay = _join(riverside, _person("fay", "Fay", "Fox"))
    long_ago = timezone.now() - timedelta(days=800)
    Membership.objects.filter(timebank=riverside).update(activated_at=long_ago)
    for person in (alice, bob, dan, erin, fay):
        member_account_get_or_open(timebank=riverside, person=person)
    # alice helps bob, confirmed by bob.
    step(propose(riverside, alice, bob), "confirmed")
    # A group session: dan helps alice and bob.
    step(propose(riverside, dan, [alice, bob]), "confirmed")
    # carol logs help that erin gave dan last week, then reverses another that went wrong
    # (a reversal keeps the exchange confirmed, and in the counts).
    exchange_log_finished(
        timebank=riverside, acting=carol, provider=erin, receiver=dan, title="Shopping",
        category="transport", minutes=60, done_on=date.today() - timedelta(days=7),
    )  # fmt: skip
    wrong = step(propose(riverside, dan, erin), "confirmed")
    exchange_reverse(exchange=wrong, acting=carol, reason="Never happened")
    # The bank's past, brought in: fay helped bob 400 and 100 days ago, erin helped fay 450.
    now = timezone.now()
    exchanges_record_past(
        timebank=riverside,
        acting=carol,
        reason="Imported from the old system",
        past=[
            PastExchange(fay, bob, 90, now - timedelta(days=400), "Painting", "gardening", "p:1"),
            PastExchange(erin, fay, 30, now - timedelta(days=450), "Lift", "transport", "p:2"),
            PastExchange(fay, bob, 60, now - timedelta(days=100), "Painting", "gardening", "p:3"),
        ],
    )
    # Still under way (bob offers alice a lift), and one cancelled.
    propose(riverside, bob, alice)
    exchange_cancel(exchange=propose(riverside, fay, erin), acting=erin, reason="Changed plans")
    # dan leaves the time bank.
    membership_update(
        membership=Membership.objects.get(timebank=riverside, person=dan),
        acting=carol,
        role=Role.MEMBER,
        status=MembershipStatus.LEFT,
    )
    return riverside


def test_the_dashboards_lists_equal_a_recount_of_every_participation(story):
    for days_later in [0, 30, 61, 120, 250, 300, 366, 500]:
        now = timezone.now() + timedelta(days=days_later)
        assert _read(story, now) == _recount(story, now), f"{days_later} days later"


def test_the_story_reaches_every_list(story):
    giving, receiving, _quiet = _read(story, timezone.now())
    assert giving and receiving
    assert _read(story, timezone.now() + timedelta(days=120))[2]


def test_the_kept_activity_equals_a_rebuild_from_the_exchanges(story):
    kept = set(PersonActivity.objects.values_list("person_id", "last_gave_at", "last_received_at"))
    assert kept
    tallies_rebuild(timebank_id=story.pk)
    rebuilt = set(
        PersonActivity.objects.values_list("person_id", "last_gave_at", "last_received_at")
    )
    assert kept == rebuilt


def test_each_participation_carries_its_exchanges_confirmation(story):
    for part in Participant.objects.select_related("exchange"):
        confirmed = part.exchange.status == ExchangeStatus.CONFIRMED
        assert part.exchange_confirmed_at == (part.exchange.confirmed_at if confirmed else None)
    assert Exchange.objects.filter(status=ExchangeStatus.CONFIRMED).count() == 7


_COPIED = ("last_exchange_at", "last_gave_at", "last_received_at", "gave_count", "received_count")


def _kept_on_memberships(timebank):
    rows = Membership.objects.filter(timebank=timebank).values_list("person_id", *_COPIED)
    return {person_id: copied for person_id, *copied in rows}


def test_each_membership_keeps_its_activity_as_a_rebuild_does(story, alice, bob):
    kept = _kept_on_memberships(story)
    # Written by the confirmations themselves: alice's last is the group session dan gave her.
    alices = Exchange.objects.filter(
        status=ExchangeStatus.CONFIRMED, participants__person=alice, timebank=story
    )
    assert kept[alice.pk][0] == max(x.confirmed_at for x in alices)
    assert kept[bob.pk][0] is not None
    assert any(copied[0] is None for copied in kept.values())  # carol never exchanged
    # The copies of each person's activity: the reversed exchange dan gave erin still counts.
    for activity in PersonActivity.objects.filter(timebank=story):
        assert kept[activity.person_id][1:] == [getattr(activity, f) for f in _COPIED[1:]]
    assert tallies_check(story.pk, 10) == []
    Membership.objects.filter(timebank=story).update(
        last_exchange_at=None, last_gave_at=None, last_received_at=None, gave_count=0
    )
    tallies_rebuild(timebank_id=story.pk)
    assert _kept_on_memberships(story) == kept


def test_ledger_verify_names_a_membership_whose_last_exchange_drifted_and_a_rebuild_mends_it(
    story, alice
):
    assert ledger_verify(timebank_id=story.pk).ok
    Membership.objects.filter(timebank=story, person=alice).update(
        last_exchange_at=timezone.now() - timedelta(days=1000)
    )
    problems = ledger_verify(timebank_id=story.pk).problems
    assert len(problems) == 1
    assert "alice's membership of riverside" in problems[0]
    tallies_rebuild(timebank_id=story.pk)
    assert ledger_verify(timebank_id=story.pk).ok
