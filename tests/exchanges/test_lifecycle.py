"""The everyday exchange: bob asks alice for two hours of gardening; she agrees, does it, marks it
done, and his confirmation moves the credits once."""

from __future__ import annotations

import pytest

from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.models import AuditEvent, Notification
from coproduce.exchanges.models import Exchange, ExchangeStatus
from coproduce.exchanges.services.exchanges import (
    exchange_agree,
    exchange_cancel,
    exchange_confirm,
    exchange_mark_done,
)
from coproduce.ledger.models import Account, Transfer
from coproduce.ledger.selectors import ledger_verify
from tests.exchanges.conftest import balance, propose, step


def test_bob_proposes_and_alice_is_told(garden, alice, bob):
    assert garden.status == ExchangeStatus.PROPOSED
    assert garden.proposed_by == bob
    assert {(p.side, p.person) for p in garden.participants.all()} == {
        ("provider", alice),
        ("receiver", bob),
    }
    assert Notification.objects.filter(person=alice, kind="exchange_proposed").count() == 1
    assert not Notification.objects.filter(person=bob).exists()
    assert AuditEvent.objects.filter(action="exchange.proposed", actor=bob).count() == 1


def test_proposing_opens_an_account_on_first_use(riverside, bob):
    from coproduce.community.models import Membership
    from tests.conftest import _person

    fay = _person("fay", "Fay", "Foster")
    Membership.objects.create(timebank=riverside, person=fay, status="active")
    propose(riverside, fay, bob)
    assert Account.objects.filter(person=fay, kind="member").count() == 1


@pytest.mark.parametrize(
    ("minutes", "code"), [(0, "bad_minutes"), (-30, "bad_minutes"), (13 * 60, "too_long")]
)
def test_a_proposal_needs_a_sensible_length_of_time(riverside, alice, bob, minutes, code):
    with pytest.raises(ApplicationError) as refused:
        propose(riverside, alice, bob, minutes=minutes)
    assert refused.value.code == code
    assert not Exchange.objects.exists()


def test_nobody_can_exchange_with_themselves(riverside, alice):
    with pytest.raises(ApplicationError, match="can't exchange with yourself"):
        propose(riverside, alice, alice)
    assert not Exchange.objects.exists()


def test_an_applicant_cannot_trade_yet(riverside, alice, bob):
    bob.memberships.update(status="applied")
    with pytest.raises(ApplicationError, match="not an active member") as refused:
        propose(riverside, alice, bob, acting=alice)
    assert refused.value.code == "not_active"


def test_someone_from_another_time_bank_cannot_take_part(riverside, alice, harry):
    with pytest.raises(ApplicationError, match="not an active member"):
        propose(riverside, alice, harry, acting=alice)


def test_bob_cannot_arrange_an_exchange_between_alice_and_dan(riverside, alice, bob, dan):
    with pytest.raises(PermissionDenied):
        propose(riverside, alice, dan, acting=bob)


def test_bob_cannot_agree_to_his_own_proposal(garden, bob):
    with pytest.raises(PermissionDenied):
        exchange_agree(exchange=garden, acting=bob)
    garden.refresh_from_db()
    assert garden.status == ExchangeStatus.PROPOSED


def test_dan_who_takes_no_part_cannot_agree(garden, dan):
    with pytest.raises(PermissionDenied):
        exchange_agree(exchange=garden, acting=dan)


def test_alice_agrees_and_bob_is_told(garden, alice, bob):
    exchange = exchange_agree(exchange=garden, acting=alice)
    assert exchange.status == ExchangeStatus.AGREED
    assert exchange.agreed_at is not None
    assert Notification.objects.filter(person=bob, kind="exchange_agreed").exists()


def test_only_the_helper_marks_it_done(garden, alice, bob):
    step(garden, "agreed")
    with pytest.raises(PermissionDenied):
        exchange_mark_done(exchange=garden, acting=bob, actual_minutes=60)
    exchange = exchange_mark_done(exchange=garden, acting=alice, actual_minutes=150)
    assert exchange.status == ExchangeStatus.DONE
    assert exchange.actual_minutes == 150
    assert Notification.objects.filter(person=bob, kind="exchange_done").exists()


def test_it_cannot_be_marked_done_before_it_is_agreed(garden, alice):
    with pytest.raises(Conflict):
        exchange_mark_done(exchange=garden, acting=alice, actual_minutes=60)


def test_marking_done_refuses_an_impossible_time(garden, alice):
    step(garden, "agreed")
    with pytest.raises(ApplicationError):
        exchange_mark_done(exchange=garden, acting=alice, actual_minutes=13 * 60)
    garden.refresh_from_db()
    assert garden.status == ExchangeStatus.AGREED


def test_bob_confirms_and_the_credits_move_once(garden, alice, bob, riverside):
    step(garden, "done", minutes=90)
    exchange = exchange_confirm(exchange=garden, acting=bob)
    assert exchange.status == ExchangeStatus.CONFIRMED
    assert exchange.transfer.idempotency_key == f"exchange:{garden.public_id}:confirm"
    assert exchange.transfer.occurred_at == exchange.done_at
    assert (balance(alice), balance(bob)) == (90, -90)
    assert Notification.objects.filter(person=alice, kind="exchange_confirmed").exists()
    assert ledger_verify(timebank_id=riverside.pk).ok


def test_confirming_twice_posts_one_transfer(garden, alice, bob):
    step(garden, "done")
    exchange_confirm(exchange=garden, acting=bob)
    again = exchange_confirm(exchange=garden, acting=bob)
    assert again.status == ExchangeStatus.CONFIRMED
    assert Transfer.objects.count() == 1
    assert (balance(alice), balance(bob)) == (120, -120)


def test_alice_cannot_confirm_the_help_she_gave(garden, alice):
    step(garden, "done")
    with pytest.raises(PermissionDenied):
        exchange_confirm(exchange=garden, acting=alice)
    assert not Transfer.objects.exists()


def test_it_cannot_be_confirmed_before_it_is_done(garden, bob):
    step(garden, "agreed")
    with pytest.raises(Conflict):
        exchange_confirm(exchange=garden, acting=bob)


def test_a_limit_refusal_leaves_the_exchange_done(garden, alice, bob):
    Account.objects.filter(person=bob).update(min_balance=-60)
    step(garden, "done", minutes=120)
    with pytest.raises(ApplicationError, match="below its limit"):
        exchange_confirm(exchange=garden, acting=bob)
    garden.refresh_from_db()
    assert garden.status == ExchangeStatus.DONE
    assert garden.transfer is None
    assert not garden.participants.filter(confirmed_at__isnull=False).exists()
    assert (balance(alice), balance(bob)) == (0, 0)


def test_either_side_may_cancel_before_it_is_done(garden, alice, bob):
    exchange = exchange_cancel(exchange=garden, acting=alice, reason="I hurt my back")
    assert exchange.status == ExchangeStatus.CANCELLED
    assert "I hurt my back" in exchange.notes
    note = Notification.objects.get(person=bob, kind="exchange_cancelled")
    assert "I hurt my back" in note.message


def test_dan_cannot_cancel_someone_elses_exchange(garden, dan):
    with pytest.raises(PermissionDenied):
        exchange_cancel(exchange=garden, acting=dan)


def test_it_cannot_be_cancelled_once_done(garden, bob):
    step(garden, "done")
    with pytest.raises(Conflict, match="raise a problem"):
        exchange_cancel(exchange=garden, acting=bob)


def test_cancel_after_confirm_is_refused(garden, alice, bob):
    step(garden, "confirmed")
    with pytest.raises(Conflict):
        exchange_cancel(exchange=garden, acting=bob)
    garden.refresh_from_db()
    assert garden.status == ExchangeStatus.CONFIRMED
    assert balance(alice) == 120


def test_confirm_after_cancel_is_refused(garden, alice, bob):
    step(garden, "agreed")
    exchange_cancel(exchange=garden, acting=bob)
    with pytest.raises(Conflict):
        exchange_confirm(exchange=garden, acting=bob)
    assert not Transfer.objects.exists()


def test_a_cancelled_exchange_cannot_be_agreed(garden, alice, bob):
    exchange_cancel(exchange=garden, acting=bob)
    with pytest.raises(Conflict):
        exchange_agree(exchange=garden, acting=alice)


def test_a_coordinator_confirms_for_an_offline_member(garden, alice, bob, carol):
    step(garden, "done")
    exchange = exchange_confirm(exchange=garden, acting=carol)
    assert exchange.status == ExchangeStatus.CONFIRMED
    assert exchange.logged_by == carol
    assert exchange.transfer.created_by == carol
    assert exchange.transfer.on_behalf_of == bob
    event = AuditEvent.objects.get(action="exchange.confirmed")
    assert (event.actor, event.on_behalf_of) == (carol, bob)


def test_a_coordinator_in_the_exchange_cannot_confirm_for_the_other_side(riverside, carol, bob):
    exchange = propose(riverside, carol, bob)
    step(exchange, "done")
    with pytest.raises(PermissionDenied):
        exchange_confirm(exchange=exchange, acting=carol)


def test_harry_from_hillside_cannot_confirm(garden, harry):
    step(garden, "done")
    with pytest.raises(PermissionDenied):
        exchange_confirm(exchange=garden, acting=harry)


def test_an_exchange_from_alices_offer(riverside, alice, bob):
    from django.utils import timezone

    from coproduce.exchanges.models import Offer

    offer = Offer.objects.create(
        timebank=riverside,
        person=alice,
        title="Lifts to the surgery",
        category="transport",
        created_at=timezone.now(),
    )
    exchange = propose(riverside, alice, bob, listing=offer, title=offer.title)
    assert exchange.offer == offer
    offer.status = "closed"
    offer.save()
    with pytest.raises(ApplicationError, match="no longer open"):
        propose(riverside, alice, bob, listing=offer)


def test_an_offer_must_be_answered_with_its_owner(riverside, alice, bob, dan):
    from django.utils import timezone

    from coproduce.exchanges.models import Offer

    offer = Offer.objects.create(
        timebank=riverside, person=alice, title="Lifts", category="transport",
        created_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(ApplicationError, match="who posted it"):
        propose(riverside, dan, bob, listing=offer)
