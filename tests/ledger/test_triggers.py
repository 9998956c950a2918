"""The database itself keeps the ledger append-only, whatever code or person at a SQL prompt
tries: these statements bypass the ORM and the services and must still be refused, on SQLite and
on PostgreSQL alike. On PostgreSQL they run as the tables' owner (`owner`): the application's role
is not even granted these statements (tests/core/test_db_grants.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from coproduce.ledger.models import Account, Entry, Transfer
from coproduce.ledger.selectors import ledger_verify
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


@pytest.mark.owner
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


@pytest.mark.owner
def test_the_database_refuses_to_delete_an_account(posted: Transfer, story: Story) -> None:
    # An account that never took part in a transfer is refused too: history is never pruned.
    for account in (story.alice_account, story.dan_account):
        with pytest.raises(IntegrityError, match=r"append-only.*ledger_account"):
            raw("DELETE FROM ledger_account WHERE id = %s", [account.pk])
        assert Account.objects.filter(pk=account.pk).exists()


@pytest.mark.owner
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


def test_every_entry_carries_its_transfers_date_and_kind(posted: Transfer) -> None:
    assert set(Entry.objects.values_list("occurred_at", "kind")) == {
        (posted.occurred_at, posted.kind)
    }


def _entry_dated_otherwise(story: Story) -> None:
    """A balanced gift written behind the services' back whose entries say a week earlier."""
    r = story
    now = timezone.now().replace(microsecond=0)
    adapt = connection.ops.adapt_datetimefield_value
    transfer = Transfer(timebank=r.timebank, kind="gift", memo="backdated")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transfer (timebank_id, public_id, kind, memo, occurred_at,"
            " created_at, override_reason) VALUES (%s, %s, 'gift', 'backdated', %s, %s, '')",
            [
                r.timebank.pk,
                transfer.public_id.hex if connection.vendor == "sqlite" else transfer.public_id,
                adapt(now),
                adapt(now),
            ],
        )
        transfer_id = Transfer.objects.get(memo="backdated").pk
        for account, amount in ((r.alice_account, -30), (r.bob_account, 30)):
            cursor.execute(
                "INSERT INTO ledger_entry (transfer_id, account_id, timebank_id, unit, amount,"
                " occurred_at, kind) VALUES (%s, %s, %s, 'hour', %s, %s, 'gift')",
                [transfer_id, account.pk, r.timebank.pk, amount, adapt(now - timedelta(days=7))],
            )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's trigger; see below")
def test_sqlite_refuses_an_entry_dated_otherwise_than_its_transfer(story: Story) -> None:
    with (
        pytest.raises(IntegrityError, match="carries its transfer's occurred_at and kind"),
        transaction.atomic(),
    ):
        _entry_dated_otherwise(story)
    assert not Transfer.objects.filter(memo="backdated").exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's trigger")
def test_sqlite_refuses_an_entry_of_another_kind_than_its_transfer(story: Story) -> None:
    """The trigger looks the transfer up once for both copies (ledger 0011): a right date does
    not let a wrong kind through, nor an entry of a transfer that is not there."""
    r = story
    posted = transfer_post(
        timebank=r.timebank, acting=r.alice, payer=r.alice_account, payee=r.bob_account, minutes=30
    )
    adapt = connection.ops.adapt_datetimefield_value
    for transfer_id, kind in ((posted.pk, "gift"), (posted.pk + 1000, "exchange")):
        with (
            pytest.raises(IntegrityError, match="carries its transfer's occurred_at and kind"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "INSERT INTO ledger_entry (transfer_id, account_id, timebank_id, unit, amount,"
                " occurred_at, kind) VALUES (%s, %s, %s, 'hour', 30, %s, %s)",
                [transfer_id, r.bob_account.pk, r.timebank.pk, adapt(posted.occurred_at), kind],
            )
    assert Entry.objects.filter(transfer=posted).count() == 2


def test_verify_names_an_entry_dated_otherwise_than_its_transfer(story: Story) -> None:
    """PostgreSQL has no trigger for it (its posting function writes the copies from the same
    values); on either database `ledger verify` names such an entry."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER ledger_entry_as_transfer")
    _entry_dated_otherwise(story)
    report = ledger_verify()
    assert not report.ok
    dated_otherwise = [p for p in report.problems if "occurred_at and kind" in p]
    assert len(dated_otherwise) == 2
