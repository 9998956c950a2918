"""Who each list of the coordinator's dashboard shows, and who it leaves out, case by case."""

from __future__ import annotations

import pytest

from coproduce.community.models import Membership, MembershipStatus
from coproduce.coordination import selectors as dashboard
from coproduce.core.errors import NotFound
from coproduce.exchanges.models import Request
from coproduce.ledger.accounts import chest_get_or_open
from coproduce.ledger.models import Account
from coproduce.ledger.services import transfer_post
from tests.conftest import _join, _person
from tests.coordination.conftest import (
    backdate_joining,
    days_ago,
    make_exchange,
    make_request,
)


@pytest.fixture
def dan(riverside):
    return _join(riverside, _person("dan", "Dan", "Davies"))


@pytest.fixture
def eve(hillside):
    return _join(hillside, _person("eve", "Eve", "Evans"))


# 1. Applications waiting


def test_applications_are_listed_oldest_first_and_only_while_waiting(riverside, hillside, alice):
    walter = _join(riverside, _person("walter", "Walter", "W"), status="applied")
    wendy = _join(riverside, _person("wendy", "Wendy", "W"), status="applied")
    Membership.objects.filter(person=wendy).update(applied_at=days_ago(9))
    _join(hillside, _person("hugo", "Hugo", "H"), status="applied")
    listed = [m.person for m in dashboard.applications_waiting(timebank=riverside)]
    assert listed == [wendy, walter]
    assert alice not in listed


# 2. Exchanges done but not confirmed


def test_an_exchange_done_eight_days_ago_waits_for_confirmation(riverside, alice, bob):
    late = make_exchange(riverside, provider=bob, receiver=alice, status="done", days=8)
    recent = make_exchange(riverside, provider=bob, receiver=alice, status="done", days=6)
    confirmed = make_exchange(riverside, provider=bob, receiver=alice, status="confirmed", days=30)
    listed = list(dashboard.exchanges_unconfirmed(timebank=riverside))
    assert late in listed
    assert recent not in listed
    assert confirmed not in listed


def test_another_time_banks_unconfirmed_exchange_is_not_listed(riverside, hillside, harry, eve):
    make_exchange(hillside, provider=harry, receiver=eve, status="done", days=30)
    assert not dashboard.exchanges_unconfirmed(timebank=riverside).exists()
    assert dashboard.exchanges_unconfirmed(timebank=hillside).count() == 1


# 3. Disputes


def test_only_disputed_exchanges_are_disputes(riverside, alice, bob):
    disputed = make_exchange(
        riverside, provider=bob, receiver=alice, status="disputed", dispute_reason="No-show"
    )
    make_exchange(riverside, provider=bob, receiver=alice, status="done", days=30)
    make_exchange(riverside, provider=bob, receiver=alice, status="cancelled")
    assert list(dashboard.exchanges_disputed(timebank=riverside)) == [disputed]


# 4. Requests with no answer


def test_a_request_fifteen_days_old_with_no_exchange_is_unanswered(riverside, alice, bob):
    unanswered = make_request(riverside, alice, days=15)
    young = make_request(riverside, alice, days=13)
    answered = make_request(riverside, alice, days=20)
    # Any exchange pointing at it counts as an answer, even one later cancelled.
    make_exchange(riverside, provider=bob, receiver=alice, status="cancelled", request=answered)
    closed = make_request(riverside, alice, days=20)
    Request.objects.filter(pk=closed.pk).update(status="closed")
    assert list(dashboard.requests_unanswered(timebank=riverside)) == [unanswered]
    assert young not in dashboard.requests_unanswered(timebank=riverside)


# 5. Members with no exchange in 60 days


def test_a_member_with_an_exchange_59_days_ago_is_not_inactive(riverside, alice, bob, dan):
    for person in (alice, bob, dan):
        backdate_joining(riverside, person, 200)
    make_exchange(riverside, provider=alice, receiver=dan, days=59)
    make_exchange(riverside, provider=bob, receiver=dan, days=61)
    listed = [m.person for m in dashboard.members_inactive(timebank=riverside)]
    assert alice not in listed
    assert dan not in listed  # his exchange with alice was 59 days ago
    assert bob in listed


def test_a_member_who_never_had_an_exchange_is_inactive_only_after_60_days(riverside, alice, bob):
    backdate_joining(riverside, alice, 61)
    backdate_joining(riverside, bob, 30)
    listed = [m.person for m in dashboard.members_inactive(timebank=riverside)]
    assert alice in listed
    assert bob not in listed


def test_a_cancelled_exchange_does_not_count_as_taking_part(riverside, alice, bob):
    backdate_joining(riverside, alice, 200)
    backdate_joining(riverside, bob, 200)
    make_exchange(riverside, provider=bob, receiver=alice, status="cancelled", days=3)
    make_exchange(riverside, provider=bob, receiver=alice, status="confirmed", days=90)
    rows = {m.person: m for m in dashboard.members_inactive(timebank=riverside)}
    assert alice in rows
    # The last one that counts is shown: the one confirmed 90 days ago.
    assert (days_ago(90) - rows[alice].last_exchange).total_seconds() < 60


def test_an_exchange_still_open_counts_from_its_last_step(riverside, alice, bob):
    backdate_joining(riverside, alice, 200)
    backdate_joining(riverside, bob, 200)
    make_exchange(riverside, provider=bob, receiver=alice, status="agreed", days=10)
    assert not dashboard.members_inactive(timebank=riverside).exists()


def test_an_open_exchange_that_stalled_dates_a_quiet_member_by_its_last_step(
    riverside, alice, bob, dan
):
    for person in (alice, bob, dan):
        backdate_joining(riverside, person, 400)
    # alice and bob agreed 90 days ago and never went on; alice also had an exchange confirmed
    # 200 days ago, so her open one is her last. dan's only exchange was confirmed 100 days ago.
    make_exchange(riverside, provider=bob, receiver=alice, status="agreed", days=90)
    make_exchange(riverside, provider=alice, receiver=dan, status="confirmed", days=200)
    make_exchange(riverside, provider=dan, receiver=bob, status="confirmed", days=100)
    rows = list(dashboard.members_inactive(timebank=riverside))
    assert [m.person for m in rows] == [dan, alice, bob]
    last = {m.person: m.last_exchange for m in rows}
    # An open exchange is dated by its last step: agreed 90 days ago (12 hours before "days").
    assert abs((days_ago(90.5) - last[alice]).total_seconds()) < 60
    assert abs((days_ago(90.5) - last[bob]).total_seconds()) < 60
    assert abs((days_ago(100) - last[dan]).total_seconds()) < 60


def test_only_the_people_in_an_open_exchange_that_moved_lately_are_left_out(
    riverside, alice, bob, dan
):
    fay = _join(riverside, _person("fay", "Fay", "Flores"))
    for person in (alice, bob, dan, fay):
        backdate_joining(riverside, person, 400)
    make_exchange(riverside, provider=alice, receiver=bob, status="done", days=5)
    make_exchange(riverside, provider=dan, receiver=fay, status="proposed", days=70)
    listed = [m.person for m in dashboard.members_inactive(timebank=riverside)]
    assert alice not in listed and bob not in listed
    assert dan in listed and fay in listed


def test_coordinators_and_people_of_other_banks_are_not_on_the_inactive_list(
    riverside, hillside, carol, eve
):
    backdate_joining(riverside, carol, 200)
    backdate_joining(hillside, eve, 200)
    assert not dashboard.members_inactive(timebank=riverside).exists()
    assert [m.person for m in dashboard.members_inactive(timebank=hillside)] == [eve]


# 6. Members only receiving, or only giving


def test_alice_only_receives_and_bob_only_gives(riverside, alice, bob, dan):
    make_exchange(riverside, provider=bob, receiver=alice, days=30)
    make_exchange(riverside, provider=bob, receiver=alice, days=40)
    # dan both gives and receives: on neither list.
    make_exchange(riverside, provider=dan, receiver=alice, days=10)
    make_exchange(riverside, provider=bob, receiver=dan, days=10)
    receiving = {p: p.times for p in dashboard.members_only_receiving(timebank=riverside)}
    giving = {p: p.times for p in dashboard.members_only_giving(timebank=riverside)}
    assert receiving == {alice: 3}
    assert giving == {bob: 3}


def test_only_confirmed_exchanges_of_the_last_12_months_count(riverside, alice, bob):
    make_exchange(riverside, provider=bob, receiver=alice, days=400)
    make_exchange(riverside, provider=bob, receiver=alice, status="done", days=10)
    make_exchange(riverside, provider=bob, receiver=alice, status="disputed", days=10)
    assert not dashboard.members_only_receiving(timebank=riverside).exists()
    assert not dashboard.members_only_giving(timebank=riverside).exists()
    # Once alice gave bob something this year, she is no longer only receiving.
    make_exchange(riverside, provider=bob, receiver=alice, days=100)
    assert list(dashboard.members_only_receiving(timebank=riverside)) == [alice]
    make_exchange(riverside, provider=alice, receiver=bob, days=5)
    assert not dashboard.members_only_receiving(timebank=riverside).exists()
    assert not dashboard.members_only_giving(timebank=riverside).exists()


# 7. Balances near the limit


def test_balances_within_an_hour_of_a_limit_are_listed(riverside, carol, alice, bob, dan):
    alice_account = Account.objects.get(person=alice)
    bob_account = Account.objects.get(person=bob)
    dan_account = Account.objects.get(person=dan)
    # alice: -9:30 with a lowest balance of -10:00 → near. bob: +9:30 and no highest balance.
    transfer_post(
        timebank=riverside, acting=carol, payer=alice_account, payee=bob_account, minutes=570
    )
    listed = list(dashboard.balances_near_limit(timebank=riverside))
    assert listed == [alice_account]
    assert listed[0].room == 30
    # dan: -8:00 is two hours from his limit → not near.
    transfer_post(
        timebank=riverside, acting=carol, payer=dan_account, payee=bob_account, minutes=480
    )
    assert dan_account not in dashboard.balances_near_limit(timebank=riverside)


def test_a_balance_within_an_hour_of_the_highest_is_listed(riverside, carol, alice, bob):
    chest = chest_get_or_open(timebank=riverside)
    Account.objects.filter(person__in=[alice, bob]).update(max_balance=600)
    alice_account = Account.objects.get(person=alice)
    # bob gives the chest 9:01 (it starts empty), and the chest grants alice 9:00, then 0:01.
    bob_account = Account.objects.get(person=bob)
    transfer_post(timebank=riverside, acting=carol, payer=bob_account, payee=chest, minutes=541)
    transfer_post(timebank=riverside, acting=carol, payer=chest, payee=alice_account, minutes=540)
    assert alice_account not in dashboard.balances_near_limit(timebank=riverside)  # 9:00 = 10 - 1
    transfer_post(timebank=riverside, acting=carol, payer=chest, payee=alice_account, minutes=1)
    rooms = {
        a: (a.room_below, a.room_above) for a in dashboard.balances_near_limit(timebank=riverside)
    }
    assert rooms[alice_account] == (1141, 59)  # 9:01 with limits -10:00 and 10:00
    # bob, now at -9:01 after his gift, is near his lowest balance instead.
    assert rooms[bob_account] == (59, 1141)


def test_the_chest_and_organisations_are_never_near_limit_rows(riverside, dr_patel):
    chest_get_or_open(timebank=riverside)  # balance 0 with a lowest balance of 0
    kinds = {a.kind for a in dashboard.balances_near_limit(timebank=riverside)}
    assert kinds <= {"member"}


# The dashboard as a whole


def test_the_dashboard_gives_ten_rows_and_the_true_total(riverside, carol):
    for i in range(12):
        _join(riverside, _person(f"applicant{i}", f"Applicant{i}", "A"), status="applied")
    sections = {s.key: s for s in dashboard.dashboard_for(carol, riverside)}
    assert len(sections["applications"].rows) == 10
    assert sections["applications"].total == 12
    assert sections["applications"].more == 2
    assert sections["disputes"].total == 0
    assert sections["disputes"].rows == []


def test_the_dashboard_selector_refuses_anyone_but_a_coordinator(riverside, hillside, alice, harry):
    with pytest.raises(NotFound):
        dashboard.dashboard_for(alice, riverside)
    with pytest.raises(NotFound):
        dashboard.dashboard_for(harry, riverside)
    with pytest.raises(NotFound):
        dashboard.section_queryset_for(harry, riverside, "applications")


def test_the_dashboard_reads_the_coordinator_rule_from_carols_membership_in_hand(
    riverside, carol, django_assert_num_queries
):
    membership = Membership.objects.get(person=carol, timebank=riverside)
    with django_assert_num_queries(0):
        dashboard._coordinator_check(carol, riverside, membership)
    membership.status = MembershipStatus.PAUSED  # as the request read it: paused
    with pytest.raises(NotFound), django_assert_num_queries(0):
        dashboard._coordinator_check(carol, riverside, membership)


def test_the_dashboard_asks_the_database_when_the_membership_is_someone_elses(
    riverside, hillside, carol, alice, harry, django_assert_num_queries
):
    carols = Membership.objects.get(person=carol, timebank=riverside)
    # Carol's membership does not make alice a coordinator, nor harry one of riverside.
    with pytest.raises(NotFound), django_assert_num_queries(1):
        dashboard.dashboard_for(alice, riverside, membership=carols)
    harrys = Membership.objects.get(person=harry, timebank=hillside)
    with pytest.raises(NotFound), django_assert_num_queries(1):
        dashboard.dashboard_for(harry, riverside, membership=harrys)


def test_an_organisations_recent_exchange_does_not_hide_quiet_members(
    riverside, alice, bob, dr_patel
):
    """The surgery takes part without a person; that must not empty the list of quiet members."""
    from coproduce.community.models import Organisation
    from coproduce.exchanges.models import Participant

    backdate_joining(riverside, alice, 200)
    backdate_joining(riverside, bob, 200)
    exchange = make_exchange(riverside, provider=alice, receiver=dr_patel, days=2)
    surgery = Organisation.objects.get(slug="riverside-surgery")
    Participant.objects.filter(exchange=exchange, person=dr_patel).update(
        person=None,
        organisation=surgery,
        account=Account.objects.get(organisation=surgery),
    )
    listed = [m.person for m in dashboard.members_inactive(timebank=riverside)]
    assert listed == [bob]
