"""The exchanges' cast, on the shared people (tests/conftest.py): alice helps bob, her
neighbour; carol coordinates Riverside; dan and erin come to alice's group sessions; dr_patel
works at Riverside Surgery, which sometimes pays; harry coordinates Hillside and must never see
Riverside's exchanges. `step` walks an exchange through its lifecycle."""

from __future__ import annotations

import pytest

from coproduce.community.models import Organisation
from coproduce.core.categories import Category
from coproduce.exchanges.models import Exchange
from coproduce.exchanges.services.exchanges import (
    exchange_agree,
    exchange_confirm,
    exchange_mark_done,
    exchange_propose,
)
from coproduce.ledger.models import Account
from tests.conftest import _join, _person


@pytest.fixture
def dan(riverside):
    return _join(riverside, _person("dan", "Dan", "Davies"))


@pytest.fixture
def erin(riverside):
    return _join(riverside, _person("erin", "Erin", "Evans"))


@pytest.fixture
def surgery(dr_patel) -> Organisation:
    return Organisation.objects.get(slug="riverside-surgery")


def balance(who) -> int:
    """A person's or organisation's hour balance in minutes."""
    if isinstance(who, Organisation):
        return Account.objects.get(organisation=who, kind="organisation").balance
    return Account.objects.get(person=who, kind="member").balance


def propose(timebank, provider, receiver, acting=None, minutes=120, **extra) -> Exchange:
    providers = provider if isinstance(provider, list) else [provider]
    receivers = receiver if isinstance(receiver, list) else [receiver]
    return exchange_propose(
        timebank=timebank,
        acting=acting or receivers[0],
        providers=providers,
        receivers=receivers,
        title=extra.pop("title", "Help with the garden"),
        category=extra.pop("category", Category.GARDENING),
        expected_minutes=minutes,
        **extra,
    )


def step(exchange: Exchange, to: str, minutes: int | None = None) -> Exchange:
    """Take a proposed exchange forward to `to`, each step by its own people."""
    providers = [p.person for p in exchange.participants.filter(side="provider")]
    receivers = [p.person for p in exchange.participants.filter(side="receiver")]
    order = ["agreed", "done", "confirmed"]
    for status in order[: order.index(to) + 1]:
        if status == "agreed":
            proposer_gives = exchange.proposed_by in providers
            agreeing = receivers[0] if proposer_gives else providers[0]
            exchange = exchange_agree(exchange=exchange, acting=agreeing)
        elif status == "done":
            exchange = exchange_mark_done(
                exchange=exchange,
                acting=providers[0],
                actual_minutes=minutes or exchange.expected_minutes,
            )
        else:
            for receiver in receivers:
                exchange = exchange_confirm(exchange=exchange, acting=receiver)
    return exchange


@pytest.fixture
def garden(riverside, alice, bob) -> Exchange:
    """Bob asks alice to help with his garden for two hours."""
    return propose(riverside, alice, bob)
