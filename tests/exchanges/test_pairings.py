"""Pairings say who helped whom in a confirmed exchange; the insights report draws the network
and counts help by category from them alone. So on every way an exchange is confirmed, its
pairings must agree with its transfer: the same accounts, the provider's minutes summing to
what the ledger credited, the transfer's date, and exactly one pairing counting the exchange."""

from __future__ import annotations

import datetime

from django.db.models import Sum
from django.utils import timezone

from coproduce.exchanges.models import Exchange, PaidBy, Pairing
from coproduce.exchanges.services.disputes import exchange_dispute, exchange_resolve
from coproduce.exchanges.services.exchanges import (
    exchange_cancel,
    exchange_confirm,
    exchange_log_finished,
)
from coproduce.ledger.accounts import chest_get_or_open
from coproduce.ledger.models import Account, Entry
from coproduce.ledger.services import transfer_post
from tests.exchanges.conftest import propose, step


def agrees_with_its_transfer(exchange: Exchange) -> None:
    exchange.refresh_from_db()
    pairings = list(Pairing.objects.filter(exchange=exchange))
    assert pairings, "a confirmed exchange has its pairings"
    credited = Entry.objects.filter(transfer=exchange.transfer, amount__gt=0).aggregate(
        total=Sum("amount")
    )["total"]
    assert sum(p.minutes for p in pairings) == credited
    providers = set(exchange.participants.filter(side="provider").values_list("account_id"))
    receivers = set(exchange.participants.filter(side="receiver").values_list("account_id"))
    assert {(p.provider_id,) for p in pairings} == providers
    assert {(p.receiver_id,) for p in pairings} == receivers
    assert len(pairings) == len(providers) * len(receivers)
    assert sum(p.counts_exchange for p in pairings) == 1
    assert {p.transfer_id for p in pairings} == {exchange.transfer_id}
    assert {p.occurred_at for p in pairings} == {exchange.transfer.occurred_at}
    assert {p.category for p in pairings} == {exchange.category}


def test_alice_helps_bob_one_pairing(garden):
    agrees_with_its_transfer(step(garden, "confirmed"))


def test_a_group_session_has_a_pairing_per_receiver(riverside, alice, bob, dan, erin):
    exchange = propose(riverside, alice, [bob, dan, erin], acting=alice, minutes=60)
    step(exchange, "confirmed")
    agrees_with_its_transfer(exchange)
    assert Pairing.objects.filter(exchange=exchange).count() == 3


def test_team_help_has_a_pairing_per_helper(riverside, alice, bob, dan):
    exchange = propose(riverside, [alice, dan], bob, minutes=120, title="Moving house")
    step(exchange, "confirmed", minutes=120)
    agrees_with_its_transfer(exchange)


def test_a_session_paid_by_the_chest_pairs_the_people_not_the_chest(
    riverside, alice, bob, dan, carol
):
    chest = chest_get_or_open(timebank=riverside)
    transfer_post(
        timebank=riverside, acting=carol, payer=Account.objects.get(person=carol),
        payee=chest, minutes=300, kind="gift",
    )  # fmt: skip
    exchange = propose(
        riverside, alice, [bob, dan], acting=carol, minutes=90, paid_by=PaidBy.CHEST,
        on_behalf_of=alice,
    )  # fmt: skip
    step(exchange, "done")
    exchange_confirm(exchange=exchange, acting=carol)
    agrees_with_its_transfer(exchange)
    assert not Pairing.objects.filter(receiver=chest).exists()


def test_carol_adjusting_a_dispute_pairs_the_adjusted_time(garden, alice, bob, carol):
    step(garden, "done")
    exchange_dispute(exchange=garden, acting=bob, reason="It took one hour")
    exchange = exchange_resolve(
        acting=carol, exchange=garden, outcome="adjust", minutes=60, note="Agreed one hour"
    )
    agrees_with_its_transfer(exchange)
    assert Pairing.objects.get(exchange=exchange).minutes == 60


def test_carol_logging_last_weeks_help_dates_the_pairing_last_week(riverside, alice, bob, carol):
    last_week = timezone.localdate() - datetime.timedelta(days=7)
    exchange = exchange_log_finished(
        timebank=riverside, acting=carol, provider=alice, receiver=bob, title="Shopping",
        category="household", minutes=75, done_on=last_week, note="Bob rang the office",
    )  # fmt: skip
    agrees_with_its_transfer(exchange)
    assert timezone.localdate(Pairing.objects.get(exchange=exchange).occurred_at) == last_week


def test_confirming_again_writes_no_second_pairing(garden, bob):
    exchange = step(garden, "confirmed")
    exchange_confirm(exchange=exchange, acting=bob)
    assert Pairing.objects.filter(exchange=exchange).count() == 1


def test_a_cancelled_exchange_has_no_pairing(garden, alice):
    exchange_cancel(exchange=garden, acting=alice, reason="Rained off")
    assert not Pairing.objects.filter(exchange=garden).exists()
