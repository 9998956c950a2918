"""Pools: members club hours (or budgets) together; holders approve the spending."""

from __future__ import annotations

import pytest

from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.ledger.models import Account, Transfer
from coproduce.ledger.services import LedgerError
from coproduce.partners.models import PoolSpend, SpendStatus
from coproduce.partners.services.pools import (
    pool_contribute,
    pool_create,
    pool_spend_approve,
    pool_spend_propose,
    pool_spend_refuse,
)


@pytest.fixture
def garden_pool(riverside, alice, bob):
    """alice and bob hold the Northbank garden pool; both must agree to spend."""
    return pool_create(
        timebank=riverside,
        acting=alice,
        name="Northbank community garden",
        unit="hour",
        holders=[alice, bob],
        approvals_required=2,
    )


def _balance(account: Account) -> int:
    account.refresh_from_db()
    return account.balance


def test_alice_opens_a_pool_with_its_own_account(garden_pool):
    account = garden_pool.account
    assert (account.kind, account.unit, account.min_balance) == ("pool", "hour", 0)
    assert garden_pool.holder_rows.count() == 2


def test_two_approvals_need_two_holders(riverside, alice):
    with pytest.raises(ApplicationError, match="second holder"):
        pool_create(
            timebank=riverside,
            acting=alice,
            name="x",
            unit="hour",
            holders=[alice],
            approvals_required=2,
        )


def test_alice_cannot_open_a_pool_only_bob_holds(riverside, alice, bob):
    with pytest.raises(PermissionDenied):
        pool_create(timebank=riverside, acting=alice, name="x", unit="hour", holders=[bob])


def test_a_pool_unit_must_be_hours_or_a_currency(riverside, alice):
    with pytest.raises(ApplicationError, match="currency"):
        pool_create(timebank=riverside, acting=alice, name="x", unit="pounds", holders=[alice])


def test_members_put_hours_in_through_the_ledger(garden_pool, carol, riverside):
    transfer = pool_contribute(pool=garden_pool, acting=carol, amount=120, token="t-1")
    assert transfer.kind == "pool"
    assert _balance(garden_pool.account) == 120
    # The same form sent twice puts the hours in once.
    again = pool_contribute(pool=garden_pool, acting=carol, amount=120, token="t-1")
    assert again.pk == transfer.pk
    assert _balance(garden_pool.account) == 120


def test_a_spend_needs_a_second_holder(garden_pool, alice, bob, carol):
    pool_contribute(pool=garden_pool, acting=carol, amount=180)
    spend = pool_spend_propose(
        pool=garden_pool, acting=alice, payee=carol, amount=60, purpose="Hedge trimming"
    )
    assert spend.status == SpendStatus.PENDING
    assert _balance(garden_pool.account) == 180
    with pytest.raises(PermissionDenied, match="you proposed it"):
        pool_spend_approve(spend=spend, acting=alice)
    spend = pool_spend_approve(spend=spend, acting=bob)
    assert spend.status == SpendStatus.SPENT
    assert spend.approved_by == bob
    assert spend.transfer.idempotency_key == f"pool-spend:{spend.public_id}"
    assert _balance(garden_pool.account) == 120
    with pytest.raises(Conflict, match="already been decided"):
        pool_spend_approve(spend=spend, acting=bob)


def test_one_approval_spends_at_once(riverside, alice, carol, surgery):
    pool = pool_create(
        timebank=riverside, acting=alice, name="Lunch club", unit="hour", holders=[alice]
    )
    pool_contribute(pool=pool, acting=alice, amount=60)
    spend = pool_spend_propose(
        pool=pool, acting=alice, payee=surgery, amount=60, purpose="Room hire"
    )
    assert spend.status == SpendStatus.SPENT
    assert spend.payee.organisation == surgery
    assert _balance(pool.account) == 0


def test_a_spend_over_the_balance_is_refused_when_asked_not_at_approval(garden_pool, alice, carol):
    """100 hours from a pool of 4:30 is refused at once, with what the pool can spend."""
    pool_contribute(pool=garden_pool, acting=carol, amount=270)
    with pytest.raises(ApplicationError, match="4:30 h to spend") as refused:
        pool_spend_propose(
            pool=garden_pool, acting=alice, payee=carol, amount=100 * 60, purpose="Everything"
        )
    assert refused.value.code == "over_balance"
    assert not PoolSpend.objects.exists()
    assert _balance(garden_pool.account) == 270


def test_proposals_waiting_for_approval_count_against_the_balance(garden_pool, alice, bob, carol):
    pool_contribute(pool=garden_pool, acting=carol, amount=120)
    pool_spend_propose(pool=garden_pool, acting=alice, payee=carol, amount=90, purpose="Seeds")
    with pytest.raises(ApplicationError, match="0:30 h to spend"):
        pool_spend_propose(pool=garden_pool, acting=bob, payee=carol, amount=60, purpose="Tools")
    assert PoolSpend.objects.count() == 1


def test_an_empty_pool_spends_nothing(riverside, alice, carol):
    pool = pool_create(
        timebank=riverside, acting=alice, name="Lunch club", unit="hour", holders=[alice]
    )
    with pytest.raises(ApplicationError, match="0:00 h to spend"):
        pool_spend_propose(pool=pool, acting=alice, payee=carol, amount=60, purpose="x")
    assert not PoolSpend.objects.exists()
    assert not Transfer.objects.filter(kind="pool").exists()


def test_a_failed_approval_leaves_the_proposal_waiting(garden_pool, alice, bob, carol):
    """A proposal older than the balance it needs (made before this check, or the pool emptied
    since by the ledger's own correction) stays waiting when the pool cannot cover it."""
    spend = PoolSpend.objects.create(
        timebank=garden_pool.timebank,
        pool=garden_pool,
        payee=Account.objects.get(person=carol, unit="hour"),
        amount=60,
        purpose="Seeds",
        proposed_by=alice,
    )
    with pytest.raises(LedgerError):
        pool_spend_approve(spend=spend, acting=bob)
    spend.refresh_from_db()
    assert spend.status == SpendStatus.PENDING and spend.transfer is None


def test_the_only_holder_cannot_pay_themselves_what_others_put_in(riverside, alice, bob):
    pool = pool_create(
        timebank=riverside, acting=alice, name="Lunch club", unit="hour", holders=[alice]
    )
    pool_contribute(pool=pool, acting=bob, amount=120)
    with pytest.raises(PermissionDenied, match="cannot pay yourself") as refused:
        pool_spend_propose(pool=pool, acting=alice, payee=alice, amount=120, purpose="For me")
    assert refused.value.code == "pays_self"
    assert not PoolSpend.objects.exists()
    assert _balance(pool.account) == 120
    assert Account.objects.get(person=alice, unit="hour").balance == 0


def test_a_money_pool_holder_cannot_pay_themselves_alone(riverside, alice, bob):
    pool = pool_create(
        timebank=riverside, acting=alice, name="Budgets", unit="GBP", holders=[alice, bob]
    )
    pool_contribute(pool=pool, acting=bob, amount=5000)
    with pytest.raises(PermissionDenied, match="cannot pay yourself"):
        pool_spend_propose(pool=pool, acting=alice, payee=alice, amount=5000, purpose="Mine")
    assert _balance(pool.account) == 5000
    # Another holder may propose it: then two people have agreed.
    spend = pool_spend_propose(pool=pool, acting=bob, payee=alice, amount=5000, purpose="Taxi")
    assert spend.status == SpendStatus.SPENT


def test_with_two_approvals_a_holder_may_propose_paying_themselves(garden_pool, alice, bob, carol):
    pool_contribute(pool=garden_pool, acting=carol, amount=120)
    spend = pool_spend_propose(
        pool=garden_pool, acting=alice, payee=alice, amount=60, purpose="Hedge, 1 hour"
    )
    assert spend.status == SpendStatus.PENDING  # bob decides
    assert pool_spend_approve(spend=spend, acting=bob).status == SpendStatus.SPENT


def test_ten_million_pounds_is_refused_with_the_limit(riverside, alice):
    pool = pool_create(
        timebank=riverside, acting=alice, name="Budgets", unit="GBP", holders=[alice]
    )
    with pytest.raises(ApplicationError, match=r"at most £50,000\.00") as refused:
        pool_contribute(pool=pool, acting=alice, amount=10_000_000_00)
    assert refused.value.code == "amount_too_large"
    assert _balance(pool.account) == 0
    assert not Transfer.objects.filter(kind="pool").exists()
    pool_contribute(pool=pool, acting=alice, amount=50_000_00)
    assert _balance(pool.account) == 50_000_00


def test_an_hour_pool_takes_at_most_500_hours_at_once(garden_pool, carol):
    with pytest.raises(ApplicationError, match="at most 500:00 h"):
        pool_contribute(pool=garden_pool, acting=carol, amount=501 * 60)
    assert _balance(garden_pool.account) == 0


def test_bob_says_no_with_a_reason(garden_pool, alice, bob, carol):
    pool_contribute(pool=garden_pool, acting=carol, amount=120)
    spend = pool_spend_propose(
        pool=garden_pool, acting=alice, payee=carol, amount=60, purpose="Seeds"
    )
    with pytest.raises(ApplicationError, match="why"):
        pool_spend_refuse(spend=spend, acting=bob)
    spend = pool_spend_refuse(spend=spend, acting=bob, reason="We have seeds")
    assert spend.status == SpendStatus.REFUSED
    with pytest.raises(Conflict):
        pool_spend_approve(spend=spend, acting=bob)


def test_alice_withdraws_her_own_proposal(garden_pool, alice, carol):
    pool_contribute(pool=garden_pool, acting=carol, amount=120)
    spend = pool_spend_propose(
        pool=garden_pool, acting=alice, payee=carol, amount=60, purpose="Seeds"
    )
    assert pool_spend_refuse(spend=spend, acting=alice).status == SpendStatus.WITHDRAWN


def test_carol_is_not_a_holder_and_cannot_spend_or_approve(garden_pool, alice, carol):
    with pytest.raises(PermissionDenied):
        pool_spend_propose(pool=garden_pool, acting=carol, payee=alice, amount=1, purpose="x")
    pool_contribute(pool=garden_pool, acting=carol, amount=120)
    spend = pool_spend_propose(
        pool=garden_pool, acting=alice, payee=carol, amount=60, purpose="Seeds"
    )
    with pytest.raises(PermissionDenied):
        pool_spend_approve(spend=spend, acting=carol)


def test_a_money_pool_records_budgets_clubbed_together(riverside, alice, bob, council):
    pool = pool_create(
        timebank=riverside,
        acting=alice,
        name="Shared support worker",
        unit="GBP",
        holders=[alice, bob],
        approvals_required=2,
    )
    pool_contribute(pool=pool, acting=alice, amount=5000)
    pool_contribute(pool=pool, acting=bob, amount=2550)
    alices = Account.objects.get(person=alice, unit="GBP", kind="member")
    assert alices.balance == -5000  # what she has put in from her own budget
    assert _balance(pool.account) == 7550
    spend = pool_spend_propose(
        pool=pool, acting=bob, payee=council, amount=7000, purpose="Support worker, March"
    )
    pool_spend_approve(spend=spend, acting=alice)
    council_gbp = Account.objects.get(organisation=council, unit="GBP")
    assert council_gbp.balance == 7000
    assert _balance(pool.account) == 550
    # Hours never mix with pounds.
    assert Account.objects.get(person=alice, unit="hour").balance == 0


def test_only_holders_add_to_a_money_pool(riverside, alice, carol):
    pool = pool_create(
        timebank=riverside, acting=alice, name="Budgets", unit="GBP", holders=[alice]
    )
    with pytest.raises(PermissionDenied):
        pool_contribute(pool=pool, acting=carol, amount=100)
