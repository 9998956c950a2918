"""Group sessions (alice teaches bob, dan and erin), team help (alice and dan help bob move), and
what carol the coordinator does: resolving problems, logging help for offline members, and
reversing a mistake."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.models import AuditEvent, Notification
from coproduce.exchanges.models import ExchangeStatus, PaidBy
from coproduce.exchanges.services.disputes import (
    exchange_dispute,
    exchange_resolve,
    exchange_reverse,
)
from coproduce.exchanges.services.exchanges import (
    exchange_agree,
    exchange_confirm,
    exchange_log_finished,
    exchange_mark_done,
    exchange_propose,
)
from coproduce.ledger.accounts import chest_get_or_open
from coproduce.ledger.models import Account, Transfer
from coproduce.ledger.selectors import ledger_verify
from coproduce.ledger.services import transfer_post
from tests.exchanges.conftest import balance, propose, step


@pytest.fixture
def session(riverside, alice, bob, dan, erin):
    """Alice runs a one-hour phone skills session for bob, dan and erin."""
    exchange = propose(riverside, alice, [bob, dan, erin], acting=alice, minutes=60)
    exchange = exchange_agree(exchange=exchange, acting=bob)
    return exchange_mark_done(exchange=exchange, acting=alice, actual_minutes=60)


def test_a_group_session_posts_only_when_every_receiver_confirmed(session, alice, bob, dan, erin):
    exchange_confirm(exchange=session, acting=bob)
    exchange_confirm(exchange=session, acting=dan)
    session.refresh_from_db()
    assert session.status == ExchangeStatus.DONE
    assert not Transfer.objects.exists()
    exchange_confirm(exchange=session, acting=erin)
    session.refresh_from_db()
    assert session.status == ExchangeStatus.CONFIRMED
    # Each receiver pays the hour; alice earns it once per receiver.
    assert [balance(p) for p in (alice, bob, dan, erin)] == [180, -60, -60, -60]
    assert Transfer.objects.count() == 1


def test_a_receiver_confirming_twice_in_a_group_changes_nothing(session, bob):
    exchange_confirm(exchange=session, acting=bob)
    exchange_confirm(exchange=session, acting=bob)
    assert session.participants.filter(confirmed_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(action="exchange.part_confirmed").count() == 1


def test_the_coordinator_confirms_the_rest_of_a_group(session, alice, bob, carol):
    exchange_confirm(exchange=session, acting=bob)
    exchange = exchange_confirm(exchange=session, acting=carol)
    assert exchange.status == ExchangeStatus.CONFIRMED
    assert exchange.logged_by == carol
    assert balance(alice) == 180


def test_a_group_session_paid_by_the_chest(riverside, alice, bob, dan, carol):
    chest = chest_get_or_open(timebank=riverside)
    transfer_post(
        timebank=riverside, acting=carol, payer=Account.objects.get(person=carol),
        payee=chest, minutes=300, kind="gift",
    )  # fmt: skip
    exchange = propose(
        riverside, alice, [bob, dan], acting=carol, minutes=90, paid_by=PaidBy.CHEST,
        on_behalf_of=alice,
    )  # fmt: skip
    assert exchange.paying_account == chest
    assert exchange.proposed_by == alice and exchange.logged_by == carol
    step(exchange, "done")
    exchange_confirm(exchange=exchange, acting=carol)
    chest.refresh_from_db()
    assert chest.balance == 300 - 180
    assert [balance(p) for p in (alice, bob, dan)] == [180, 0, 0]
    assert ledger_verify(timebank_id=riverside.pk).ok


def test_only_a_coordinator_spends_the_chest(riverside, alice, bob):
    with pytest.raises(PermissionDenied):
        propose(riverside, alice, bob, paid_by=PaidBy.CHEST)


def test_a_group_session_paid_by_the_surgery(riverside, alice, bob, dan, dr_patel, surgery):
    """Dr Patel arranges a walking group for two patients; the surgery pays for both."""
    exchange = propose(
        riverside, alice, [bob, dan], acting=dr_patel, minutes=60,
        paid_by=PaidBy.ORGANISATION, paying_organisation=surgery,
    )  # fmt: skip
    step(exchange, "confirmed")
    assert [balance(alice), balance(bob), balance(dan), balance(surgery)] == [120, 0, 0, -120]


def test_a_member_cannot_spend_an_organisations_credits(riverside, alice, bob, surgery):
    with pytest.raises(PermissionDenied):
        propose(
            riverside, alice, bob, paid_by=PaidBy.ORGANISATION,
            paying_organisation=surgery,
        )  # fmt: skip


def test_team_help_each_helper_earns_their_hours_and_the_receiver_pays_the_total(
    riverside, alice, bob, dan
):
    exchange = propose(riverside, [alice, dan], bob, minutes=120, title="Moving house")
    step(exchange, "confirmed", minutes=120)
    assert [balance(alice), balance(dan), balance(bob)] == [120, 120, -240]


def test_several_on_both_sides_is_refused(riverside, alice, bob, dan, erin):
    with pytest.raises(ApplicationError) as refused:
        propose(riverside, [alice, dan], [bob, erin])
    assert refused.value.code == "many_to_many"


def test_a_receiver_in_the_team_helps_the_organisation(riverside, alice, surgery, dr_patel):
    exchange = exchange_propose(
        timebank=riverside, acting=dr_patel, providers=[alice], receivers=[surgery],
        title="Reception volunteering", category="health", expected_minutes=180,
    )  # fmt: skip
    step(exchange, "done")
    # dr_patel confirms for the surgery he works for.
    exchange_confirm(exchange=exchange, acting=dr_patel)
    assert (balance(alice), balance(surgery)) == (180, -180)


# --- disputes -------------------------------------------------------------------------------


@pytest.fixture
def disputed(garden, bob, carol):
    step(garden, "done", minutes=180)
    return exchange_dispute(exchange=garden, acting=bob, reason="It took one hour")


def test_a_dispute_needs_a_reason(garden, bob):
    step(garden, "done")
    with pytest.raises(ApplicationError):
        exchange_dispute(exchange=garden, acting=bob, reason="  ")
    garden.refresh_from_db()
    assert garden.status == ExchangeStatus.DONE


def test_a_dispute_holds_the_credits_and_tells_the_coordinator(disputed, alice, carol):
    assert disputed.status == ExchangeStatus.DISPUTED
    assert disputed.dispute_reason == "It took one hour"
    assert Notification.objects.filter(person=carol, kind="exchange_disputed").exists()
    assert Notification.objects.filter(person=alice, kind="exchange_disputed").exists()
    assert not Transfer.objects.exists()


def test_a_dispute_cannot_be_raised_before_done_or_by_a_stranger(garden, bob, dan):
    with pytest.raises(Conflict):
        exchange_dispute(exchange=garden, acting=bob, reason="no")
    step(garden, "done")
    with pytest.raises(PermissionDenied):
        exchange_dispute(exchange=garden, acting=dan, reason="no")


def test_a_disputed_exchange_cannot_be_confirmed_by_the_members(disputed, bob):
    with pytest.raises(Conflict):
        exchange_confirm(exchange=disputed, acting=bob)


def test_carol_resolves_by_confirming(disputed, alice, bob, carol):
    exchange = exchange_resolve(
        acting=carol, exchange=disputed, outcome="confirm", note="Spoke to both; 3 hours is right"
    )
    assert exchange.status == ExchangeStatus.CONFIRMED
    assert (balance(alice), balance(bob)) == (180, -180)
    assert "3 hours is right" in exchange.notes


def test_carol_resolves_by_adjusting_the_time(disputed, alice, bob, carol):
    exchange = exchange_resolve(
        acting=carol, exchange=disputed, outcome="adjust", minutes=60, note="Agreed one hour"
    )
    assert exchange.actual_minutes == 60
    assert (balance(alice), balance(bob)) == (60, -60)
    event = AuditEvent.objects.get(action="exchange.resolved")
    assert (event.data["old_minutes"], event.data["new_minutes"]) == (180, 60)


def test_carol_resolves_by_cancelling(disputed, alice, carol):
    exchange = exchange_resolve(
        acting=carol, exchange=disputed, outcome="cancel", note="It did not happen"
    )
    assert exchange.status == ExchangeStatus.CANCELLED
    assert not Transfer.objects.exists()
    assert balance(alice) == 0


def test_only_a_coordinator_resolves_and_with_a_note(disputed, alice, harry, carol):
    with pytest.raises(PermissionDenied):
        exchange_resolve(acting=alice, exchange=disputed, outcome="confirm", note="ok")
    with pytest.raises(PermissionDenied):
        exchange_resolve(acting=harry, exchange=disputed, outcome="confirm", note="ok")
    with pytest.raises(ApplicationError):
        exchange_resolve(acting=carol, exchange=disputed, outcome="confirm", note="")
    with pytest.raises(ApplicationError):
        exchange_resolve(acting=carol, exchange=disputed, outcome="adjust", minutes=0, note="x")
    disputed.refresh_from_db()
    assert disputed.status == ExchangeStatus.DISPUTED


def test_resolving_refused_by_a_limit_leaves_the_dispute(disputed, bob, carol):
    Account.objects.filter(person=bob).update(min_balance=-60)
    with pytest.raises(ApplicationError, match="below its limit"):
        exchange_resolve(acting=carol, exchange=disputed, outcome="confirm", note="ok")
    disputed.refresh_from_db()
    assert disputed.status == ExchangeStatus.DISPUTED
    assert "ok" not in disputed.notes


# --- logging for offline members ------------------------------------------------------------


def test_carol_logs_a_finished_exchange_for_offline_members(riverside, alice, bob, carol):
    last_week = timezone.localdate() - datetime.timedelta(days=7)
    exchange = exchange_log_finished(
        timebank=riverside, acting=carol, provider=alice, receiver=bob, title="Shopping",
        category="household", minutes=75, done_on=last_week, note="Bob rang the office",
    )  # fmt: skip
    assert exchange.status == ExchangeStatus.CONFIRMED
    assert exchange.logged_by == carol
    assert timezone.localdate(exchange.transfer.occurred_at) == last_week
    assert (balance(alice), balance(bob)) == (75, -75)
    event = AuditEvent.objects.get(action="exchange.logged")
    assert (event.actor, event.on_behalf_of) == (carol, bob)
    assert Notification.objects.filter(person=alice, kind="exchange_confirmed").exists()
    assert Notification.objects.filter(person=bob, kind="exchange_confirmed").exists()


@pytest.mark.parametrize(
    ("who", "minutes", "days_ago", "message"),
    [
        ("alice", 60, 0, "can't exchange with yourself"),
        ("bob", 0, 0, "more than zero"),
        ("bob", 13 * 60, 0, "at most"),
        ("bob", 60, -2, "in the future"),
    ],
)
def test_logging_refuses_bad_input(riverside, alice, bob, carol, who, minutes, days_ago, message):
    receiver = {"alice": alice, "bob": bob}[who]
    with pytest.raises(ApplicationError, match=message):
        exchange_log_finished(
            timebank=riverside, acting=carol, provider=alice, receiver=receiver, title="x",
            category="household", minutes=minutes,
            done_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        )  # fmt: skip
    assert not Transfer.objects.exists()


def test_only_a_coordinator_of_this_time_bank_logs(riverside, alice, bob, dan, harry):
    for someone in (dan, harry):
        with pytest.raises(PermissionDenied):
            exchange_log_finished(
                timebank=riverside, acting=someone, provider=alice, receiver=bob, title="x",
                category="household", minutes=60, done_on=timezone.localdate(),
            )  # fmt: skip


# --- reversing --------------------------------------------------------------------------------


def test_carol_reverses_a_confirmed_exchange(garden, alice, bob, carol, riverside):
    step(garden, "confirmed")
    exchange = exchange_reverse(exchange=garden, acting=carol, reason="Logged twice")
    assert (balance(alice), balance(bob)) == (0, 0)
    assert exchange.transfer.reversed_by.override_reason == "Logged twice"
    assert "Logged twice" in exchange.notes
    with pytest.raises(Conflict, match="already been reversed"):
        exchange_reverse(exchange=garden, acting=carol, reason="again")
    assert ledger_verify(timebank_id=riverside.pk).ok


def test_reversing_needs_a_coordinator_a_reason_and_a_confirmed_exchange(garden, bob, carol):
    with pytest.raises(Conflict):
        exchange_reverse(exchange=garden, acting=carol, reason="x")
    step(garden, "confirmed")
    with pytest.raises(PermissionDenied):
        exchange_reverse(exchange=garden, acting=bob, reason="x")
    with pytest.raises(ApplicationError):
        exchange_reverse(exchange=garden, acting=carol, reason="")
    assert Transfer.objects.count() == 1
