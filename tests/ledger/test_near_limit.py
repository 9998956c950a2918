"""`Account.near_limit`: the database marks each account within an hour of one of its limits
(ledger 0012), for the coordinator's "balances near the limit"; it follows every posting and
every change of the limits, and `ledger verify` holds it to the rule."""

from __future__ import annotations

import pytest

from coproduce.ledger import selectors
from coproduce.ledger.limits import account_limits_set
from coproduce.ledger.models import Account
from coproduce.ledger.selectors import ledger_verify
from coproduce.ledger.services import transfer_post

from .conftest import Story


def near(account: Account) -> bool:
    return Account.objects.values_list("near_limit", flat=True).get(pk=account.pk)


def test_a_balance_is_marked_near_within_an_hour_of_the_lowest(story: Story) -> None:
    r = story
    assert not near(r.alice_account)  # 0:00, lowest -10:00

    def pay(minutes: int) -> None:
        transfer_post(
            timebank=r.timebank,
            acting=r.alice,
            payer=r.alice_account,
            payee=r.bob_account,
            minutes=minutes,
        )

    pay(539)  # -8:59: 61 minutes of room
    assert not near(r.alice_account)
    pay(1)  # -9:00: an hour of room, listed
    assert near(r.alice_account)
    transfer_post(
        timebank=r.timebank, acting=r.bob, payer=r.bob_account, payee=r.alice_account, minutes=1
    )
    assert not near(r.alice_account)


def test_a_balance_is_marked_near_less_than_an_hour_below_the_highest(story: Story) -> None:
    r = story
    account_limits_set(
        account=r.bob_account, min_balance=-600, max_balance=120, acting=r.carol, reason="Cap"
    )
    assert not near(r.bob_account)  # 2:00 below the highest
    transfer_post(
        timebank=r.timebank, acting=r.alice, payer=r.alice_account, payee=r.bob_account, minutes=60
    )
    assert not near(r.bob_account)  # exactly an hour below: not less
    transfer_post(
        timebank=r.timebank, acting=r.alice, payer=r.alice_account, payee=r.bob_account, minutes=1
    )
    assert near(r.bob_account)


def test_changing_the_limits_marks_the_account_again(story: Story) -> None:
    r = story
    account_limits_set(
        account=r.dan_account, min_balance=-30, max_balance=None, acting=r.carol, reason="New"
    )
    assert near(r.dan_account)
    account_limits_set(
        account=r.dan_account, min_balance=-600, max_balance=None, acting=r.carol, reason="Back"
    )
    assert not near(r.dan_account)


def test_verify_names_an_account_marked_against_the_rule(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The column follows ledger 0012's rule; were the rule's hour changed in the code without
    a migration, verify would say which accounts the database marks otherwise."""
    r = story
    transfer_post(
        timebank=r.timebank, acting=r.alice, payer=r.alice_account, payee=r.bob_account, minutes=510
    )  # -8:30: 90 minutes above the lowest
    assert ledger_verify().ok
    monkeypatch.setattr(selectors, "NEAR_LIMIT", 120)

    report = ledger_verify()

    assert (
        f"account {r.alice_account.public_id}: marked not near its limits, but its balance -510 "
        "is within 120 of them (lowest -600, highest None)"
    ) in report.problems
