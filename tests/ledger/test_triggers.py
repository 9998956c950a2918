"""The database itself keeps the ledger append-only, whatever code or person at a SQL prompt
tries: these statements bypass the ORM and the services and must still be refused, on SQLite and
on PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from coproduce.ledger.models import Account, Entry, Transfer
from coproduce.ledger.services import transfer_post

from .conftest import Story


@pytest.fixture
def posted(story: Story) -> Transfer:
    r = story
    return transfer_post(
        timebank=r.timebank, acting=r.alice, payer=r.alice_account, payee=r.bob_account, minutes=60
    )


def raw(sql: str, params: list | None = None) -> None:
    # Each attempt in its own atomic block (a savepoint inside the test's transaction), so on
    # PostgreSQL the failed statement does not poison the rest of the test.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


REFUSED = [
    ("UPDATE ledger_entry SET amount = amount * 2 WHERE transfer_id = %s", "ledger_entry"),
    ("UPDATE ledger_entry SET account_id = account_id WHERE transfer_id = %s", "ledger_entry"),
    ("DELETE FROM ledger_entry WHERE transfer_id = %s", "ledger_entry"),
    ("UPDATE ledger_transfer SET memo = 'tampered' WHERE id = %s", "ledger_transfer"),
    ("DELETE FROM ledger_transfer WHERE id = %s", "ledger_transfer"),
]


@pytest.mark.parametrize(
    ("sql", "table"), REFUSED, ids=[sql.split()[0] + " " + t for sql, t in REFUSED]
)
def test_the_database_refuses_to_change_a_posted_transfer(
    posted: Transfer, sql: str, table: str
) -> None:
    entries_before = sorted(Entry.objects.values_list("id", "account_id", "amount"))
    with pytest.raises(IntegrityError, match=rf"append-only.*{table}"):
        raw(sql, [posted.pk])

    assert sorted(Entry.objects.values_list("id", "account_id", "amount")) == entries_before
    assert Transfer.objects.get(pk=posted.pk).memo == posted.memo


def test_the_database_refuses_to_delete_an_account(posted: Transfer, story: Story) -> None:
    # An account that never took part in a transfer is refused too: history is never pruned.
    for account in (story.alice_account, story.dan_account):
        with pytest.raises(IntegrityError, match=r"append-only.*ledger_account"):
            raw("DELETE FROM ledger_account WHERE id = %s", [account.pk])
        assert Account.objects.filter(pk=account.pk).exists()


def test_the_database_refuses_bulk_changes_through_the_orm(posted: Transfer) -> None:
    # An entry has no dependants, so the ORM deletes or updates it with one plain statement and
    # no Python-side check (the way an admin page would leave balances stale); the trigger stops
    # it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(transfer=posted).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(transfer=posted).update(unit="GBP")
    assert list(Entry.objects.filter(transfer=posted).values_list("unit", flat=True)) == [
        "hour",
        "hour",
    ]


def test_an_accounts_cached_balance_and_limits_may_still_be_updated(story: Story) -> None:
    # transfer_post writes the cached balance, and coordinators change limits and close accounts.
    raw(
        "UPDATE ledger_account SET min_balance = -120, closed_at = NULL WHERE id = %s",
        [story.alice_account.pk],
    )
    assert Account.objects.get(pk=story.alice_account.pk).min_balance == -120
