"""`ledger_verify` and `coproduce ledger verify`: recompute every balance from its entries and
check that everything sums to zero, and say exactly what is wrong when something does not."""

from __future__ import annotations

from django.db import connection

from coproduce.cli import main
from coproduce.ledger.selectors import ledger_verify
from coproduce.ledger.services import transfer_post, transfer_reverse

from .conftest import Story


def some_history(r: Story) -> None:
    transfer_post(
        timebank=r.timebank, acting=r.alice, payer=r.alice_account, payee=r.bob_account, minutes=90
    )
    session = transfer_post(
        timebank=r.timebank,
        acting=r.bob,
        entries=[(r.bob_account, 120), (r.dan_account, -60), (r.erin_account, -60)],
    )
    transfer_reverse(transfer=session, acting=r.carol, reason="Session cancelled")


def drift(account_id: int, balance: int) -> None:
    # Accounts allow UPDATE (their cached balance is written by transfer_post), so a careless
    # script can make the cache disagree with the entries; verify must notice.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_account SET balance = %s WHERE id = %s", [balance, account_id]
        )


def test_a_clean_ledger_verifies(story: Story) -> None:
    some_history(story)
    report = ledger_verify()

    assert report.ok
    assert report.problems == []
    assert (report.timebanks, report.transfers, report.entries) == (1, 3, 8)
    assert report.minutes_moved == 90 + 120 + 120
    assert report.accounts >= 6


def test_an_empty_ledger_verifies(db) -> None:
    report = ledger_verify()
    assert report.ok
    assert (report.transfers, report.entries, report.minutes_moved) == (0, 0, 0)


def test_it_names_an_account_whose_cached_balance_drifted(story: Story) -> None:
    some_history(story)
    drift(story.bob_account.pk, 999)

    report = ledger_verify()

    assert not report.ok
    assert (
        f"account {story.bob_account.public_id}: cached balance 999 but its entries sum to 90"
        in report.problems
    )
    # The drift also breaks the time bank's zero sum, and verify says so.
    assert "time bank riverside: hour balances sum to 909, not 0" in report.problems


def test_it_checks_one_time_bank_alone(story: Story, eve_account) -> None:
    some_history(story)
    drift(eve_account.pk, 30)

    assert ledger_verify(timebank_id=story.timebank.pk).ok
    assert not ledger_verify(timebank_id=eve_account.timebank_id).ok


def test_the_command_says_ok_and_exits_0_on_a_good_ledger(story: Story, capsys) -> None:
    some_history(story)

    assert main(["ledger", "verify"]) == 0

    out = capsys.readouterr().out
    assert "transfers:    3" in out
    assert "entries:      8" in out
    assert "hours moved:  5.5" in out
    assert "ledger ok" in out


def test_the_command_exits_1_and_names_the_drifted_account(story: Story, capsys) -> None:
    some_history(story)
    drift(story.alice_account.pk, 0)

    assert main(["ledger", "verify"]) == 1

    out = capsys.readouterr().out
    assert "LEDGER WRONG" in out
    assert f"account {story.alice_account.public_id}: cached balance 0" in out
    assert "its entries sum to -90" in out
    assert "transfers:    3" in out


def test_the_command_checks_one_time_bank_by_slug(story: Story, eve_account, capsys) -> None:
    some_history(story)
    drift(eve_account.pk, 30)

    assert main(["ledger", "verify", "--timebank", "riverside"]) == 0
    assert main(["ledger", "verify", "--timebank", "hillside"]) == 1
    assert main(["ledger", "verify", "--timebank", "nowhere"]) == 2
    assert "no time bank with the slug 'nowhere'" in capsys.readouterr().err
