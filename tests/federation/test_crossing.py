"""Alice (Riverside) is helped by Hank (Hillside): one transaction posts in both ledgers through
the clearing accounts, with one idempotency key root, within every limit, and `ledger verify`
finds each ledger zero-sum and the two clearing accounts mirroring each other."""

from __future__ import annotations

import pytest

from coproduce.core.errors import ApplicationError, Conflict
from coproduce.exchanges.models import ExchangeStatus
from coproduce.exchanges.services.disputes import exchange_reverse
from coproduce.exchanges.services.exchanges import exchange_agree, exchange_confirm
from coproduce.federation.clearing import crossing_post
from coproduce.federation.services import (
    crossing_propose,
    partnership_limit_set,
    partnership_pause,
    partnership_stop,
)
from coproduce.ledger.models import Account, Entry, Transfer, TransferKind
from coproduce.ledger.selectors import ledger_verify
from coproduce.ledger.services import transfer_post
from tests.federation.conftest import (
    clearing_balances,
    confirmed_across,
    done_across,
    member_balance,
)


@pytest.fixture
def story(riverside, alice, hank, hanks_offer, partners):
    return {"riverside": riverside, "alice": alice, "hank": hank, "offer": hanks_offer}


def ledger_rows() -> tuple[int, int, list[int]]:
    return (
        Transfer.objects.count(),
        Entry.objects.count(),
        list(Account.objects.order_by("pk").values_list("balance", flat=True)),
    )


def test_alice_pays_hank_in_both_ledgers_through_the_clearing_accounts(
    story, riverside, hillside, alice, hank, partners
):
    exchange = confirmed_across(**story)
    assert exchange.status == ExchangeStatus.CONFIRMED
    assert member_balance(riverside, alice) == -90
    assert member_balance(hillside, hank) == 90
    # Riverside owes Hillside 1:30: its clearing account took Alice's credits in, Hillside's
    # paid Hank.
    assert clearing_balances(partners) == (90, -90)
    home, visiting = Transfer.objects.order_by("pk")
    assert exchange.transfer_id == home.pk and home.timebank_id == hillside.pk
    assert home.idempotency_key == f"exchange:{exchange.public_id}:confirm:hillside"
    assert visiting.idempotency_key == f"exchange:{exchange.public_id}:confirm:riverside"
    assert home.kind == visiting.kind == TransferKind.EXCHANGE
    for bank in (riverside, hillside):
        report = ledger_verify(timebank_id=bank.pk)
        assert report.ok, report.problems
    assert ledger_verify().ok


def test_the_exchange_belongs_to_the_listings_bank_and_alice_takes_part_from_hers(
    story, riverside, hillside, alice
):
    exchange = done_across(**story)
    assert exchange.timebank_id == hillside.pk
    banks = {p.person_id: p.timebank_id for p in exchange.participants.all()}
    assert banks[alice.pk] == riverside.pk
    # Her notices reach her in her own bank.
    assert set(alice.notifications.values_list("timebank_id", flat=True)) == {riverside.pk}


def test_a_retry_posts_nothing_twice(story, riverside, hillside, harry, alice, hank, partners):
    # The first posting uses all of Hillside's limit: the retry must still find it, not be
    # refused by the limit it used up.
    partnership_limit_set(partnership=partners, timebank=hillside, acting=harry, limit_minutes=90)
    exchange = confirmed_across(**story)
    before = ledger_rows()
    assert exchange_confirm(exchange=exchange, acting=alice).transfer_id == exchange.transfer_id
    again = crossing_post(
        home=hillside,
        legs=[
            (Account.objects.get(timebank=hillside, person=hank), 90),
            (Account.objects.get(timebank=riverside, person=alice), -90),
        ],
        acting=alice,
        memo="retry",
        key_root=f"exchange:{exchange.public_id}:confirm",
    )
    assert again.pk == exchange.transfer_id
    assert ledger_rows() == before


def test_past_the_clearing_limit_nothing_changes_in_either_bank(
    story, hillside, harry, alice, partners
):
    # Hillside lets Riverside owe it an hour at most.
    partnership_limit_set(partnership=partners, timebank=hillside, acting=harry, limit_minutes=60)
    exchange = done_across(**story)
    before = ledger_rows()
    with pytest.raises(ApplicationError, match="Riverside Time Bank may owe Hillside Time Bank"):
        exchange_confirm(exchange=exchange, acting=alice)
    assert ledger_rows() == before
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.DONE
    assert exchange.participants.get(person=alice).confirmed_at is None


def test_past_alices_own_limit_nothing_changes_in_either_bank(story, riverside, alice):
    Account.objects.filter(timebank=riverside, person=alice).update(min_balance=-60)
    exchange = done_across(**story)
    before = ledger_rows()
    with pytest.raises(ApplicationError, match="below its limit"):
        exchange_confirm(exchange=exchange, acting=alice)
    assert ledger_rows() == before


def test_an_exchange_arranged_before_a_stop_still_settles(story, riverside, carol, alice, partners):
    exchange = done_across(**story)
    partnership_stop(partnership=partners, timebank=riverside, acting=carol)
    exchange_confirm(exchange=exchange, acting=alice)
    assert clearing_balances(partners) == (90, -90)


def test_no_new_proposal_while_paused(story, riverside, hillside, harry, alice, partners):
    partnership_pause(partnership=partners, timebank=hillside, acting=harry)
    with pytest.raises(ApplicationError, match="no longer open"):
        crossing_propose(
            timebank=riverside, acting=alice, listing=story["offer"], expected_minutes=60
        )


def test_a_block_holds_across_banks(story, riverside, alice, hank):
    from coproduce.community.models import Block

    Block.objects.create(blocker=hank, blocked=alice)
    with pytest.raises(ApplicationError):
        crossing_propose(
            timebank=riverside, acting=alice, listing=story["offer"], expected_minutes=60
        )


def test_hank_agrees_and_marks_done_as_with_a_neighbour(story, riverside, alice, hank):
    exchange = crossing_propose(
        timebank=riverside, acting=alice, listing=story["offer"], expected_minutes=60
    )
    assert exchange_agree(exchange=exchange, acting=hank).status == ExchangeStatus.AGREED


def test_a_crossing_exchange_cannot_be_reversed_in_one_bank(story, harry, partners):
    exchange = confirmed_across(**story)
    before = ledger_rows()
    with pytest.raises(Conflict, match="partner bank"):
        exchange_reverse(exchange=exchange, acting=harry, reason="a mistake")
    assert ledger_rows() == before


def test_verify_catches_clearing_accounts_that_drift_apart(
    story, riverside, carol, alice, partners
):
    confirmed_across(**story)
    # A posting in one ledger only (not through crossing_post): the mirror is broken.
    transfer_post(
        timebank=riverside,
        acting=carol,
        payer=Account.objects.get(timebank=riverside, person=alice),
        payee=partners.proposer_clearing_id,
        minutes=30,
        kind=TransferKind.ADJUSTMENT,
    )
    report = ledger_verify(timebank_id=riverside.pk)
    assert [p for p in report.problems if "do not mirror" in p] == [
        "The clearing accounts of Riverside Time Bank and Hillside Time Bank do not mirror each"
        " other in hour: 120 and -90"
    ]


def test_erasing_alice_from_riverside_calls_off_her_exchange_with_hillside(
    story, riverside, carol, alice, hank
):
    from coproduce.community.models import Membership
    from coproduce.privacy.erasure import member_erase

    exchange = crossing_propose(
        timebank=riverside, acting=alice, listing=story["offer"], expected_minutes=60
    )
    member_erase(
        membership=Membership.objects.get(person=alice, timebank=riverside),
        acting=carol,
        reason="She asked us to.",
    )
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.CANCELLED


def test_erasure_waits_for_a_done_exchange_with_hillside(story, riverside, carol, alice):
    from coproduce.community.models import Membership
    from coproduce.privacy.erasure import member_erase

    done_across(**story)
    with pytest.raises(Conflict, match="Garden help"):
        member_erase(
            membership=Membership.objects.get(person=alice, timebank=riverside),
            acting=carol,
            reason="She asked us to.",
        )
