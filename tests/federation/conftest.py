"""Riverside and Hillside as partner banks: carol (Riverside's coordinator) proposed, harry
(Hillside's) accepted, each letting the other go 10 h into debt. hank is a Hillside member
offering garden help; alice (Riverside) takes him up on it."""

from __future__ import annotations

import pytest

from coproduce.exchanges.models import Offer
from coproduce.exchanges.services.exchanges import (
    exchange_agree,
    exchange_confirm,
    exchange_mark_done,
)
from coproduce.exchanges.services.listings import listing_create
from coproduce.federation.services import (
    crossing_propose,
    partnership_accept,
    partnership_propose,
)
from coproduce.ledger.models import Account
from tests.conftest import _join, _person

TEN_HOURS = 10 * 60


@pytest.fixture
def hank(hillside):
    """A Hillside member with a garden and time."""
    return _join(hillside, _person("hank", "Hank", "Green"), area="Uphill")


@pytest.fixture
def partners(riverside, hillside, carol, harry):
    partnership = partnership_propose(
        timebank=riverside, partner=hillside, acting=carol, limit_minutes=TEN_HOURS
    )
    return partnership_accept(
        partnership=partnership, timebank=hillside, acting=harry, limit_minutes=TEN_HOURS
    )


@pytest.fixture
def hanks_offer(hillside, hank) -> Offer:
    return listing_create(
        kind="offer",
        timebank=hillside,
        acting=hank,
        title="Garden help",
        category="gardening",
        description="Digging, weeding, hedges.",
    )


def member_balance(timebank, person) -> int:
    return Account.objects.get(timebank=timebank, person=person, kind="member").balance


def clearing_balances(partnership) -> tuple[int, int]:
    """(Riverside's clearing account for Hillside, Hillside's for Riverside)."""
    partnership.refresh_from_db()
    return (
        Account.objects.get(pk=partnership.proposer_clearing_id).balance,
        Account.objects.get(pk=partnership.partner_clearing_id).balance,
    )


def done_across(*, riverside, alice, hank, offer, minutes: int = 90):
    """Alice proposes to Hank's offer from Riverside; he agrees and marks it done."""
    exchange = crossing_propose(
        timebank=riverside, acting=alice, listing=offer, expected_minutes=minutes
    )
    exchange_agree(exchange=exchange, acting=hank)
    return exchange_mark_done(exchange=exchange, acting=hank, actual_minutes=minutes)


def confirmed_across(**kwargs):
    exchange = done_across(**kwargs)
    return exchange_confirm(exchange=exchange, acting=kwargs["alice"])
