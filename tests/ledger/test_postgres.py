"""The ledger under real concurrent transactions on PostgreSQL, and the database's own guards:
the deferred zero-sum constraint trigger and the append-only triggers, seen from a connection
that has nothing to do with Django."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable

import psycopg
import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Sum

from coproduce.community.models import Person, TimeBank
from coproduce.core.errors import Conflict
from coproduce.ledger.models import Account, AccountKind, Entry, Transfer
from coproduce.ledger.selectors import ledger_verify
from coproduce.ledger.services import LedgerError, transfer_post, transfer_reverse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
TRANSFERS = 2000
ACCOUNTS = 20


def in_threads(work: Callable[[int], None], threads: int = THREADS) -> list[BaseException]:
    """Run `work(n)` in `threads` threads started together; return what they raised."""
    start = threading.Barrier(threads)
    raised: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:
            raised.append(exc)
        finally:
            # Each thread has its own connection; the test database cannot be dropped while
            # one is open.
            connections.close_all()

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        # A lock cycle would hang here rather than fail: give up long before the CI does.
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in pool), "a posting thread is stuck"
    return raised


@pytest.fixture
def limited_pools(riverside: TimeBank) -> list[int]:
    """Twenty accounts with assorted limits, so some concurrent postings must be refused."""
    rng = random.Random(20261127)
    return [
        Account.objects.create(
            timebank=riverside,
            kind=AccountKind.POOL,
            name=f"Pool {i}",
            min_balance=-rng.choice([0, 60, 120, 300, 600]),
            max_balance=rng.choice([None, None, 300, 600, 900]),
        ).pk
        for i in range(ACCOUNTS)
    ]


@pytest.fixture
def roomy_pools(riverside: TimeBank) -> list[int]:
    """Twenty accounts that may each go ten hours below zero."""
    return [
        Account.objects.create(
            timebank=riverside, kind=AccountKind.POOL, name=f"Pool {i}", min_balance=-600
        ).pk
        for i in range(ACCOUNTS)
    ]


def test_concurrent_postings_end_with_exact_balances_and_no_deadlock(
    riverside: TimeBank, alice: Person, limited_pools: list[int]
) -> None:
    accounts = limited_pools
    posted: list[dict[int, int]] = []
    refused: Counter[str] = Counter()
    lock = threading.Lock()

    def post_many(n: int) -> None:
        rng = random.Random(n)
        for _i in range(TRANSFERS // THREADS):
            # Mostly one-to-one, some group sessions; the accounts come in random order, and
            # transfer_post must lock them in id order whatever order it is given.
            people = rng.sample(accounts, rng.choice([2, 2, 2, 3, 4]))
            minutes = rng.randint(1, 180)
            entries = {people[0]: minutes * (len(people) - 1)} | {
                payer: -minutes for payer in people[1:]
            }
            try:
                transfer_post(
                    timebank=riverside,
                    acting=alice,
                    entries=rng.sample(list(entries.items()), len(entries)),
                )
            except LedgerError as refusal:
                with lock:
                    refused[refusal.code] += 1
            else:
                with lock:
                    posted.append(entries)

    raised = in_threads(post_many)

    assert raised == [], f"postings failed with something other than a refusal: {raised[:3]}"
    assert len(posted) + sum(refused.values()) == TRANSFERS
    assert set(refused) == {"limit"}
    assert posted and refused, "the limits should refuse some postings and allow most"

    expected = Counter[int]()
    for entries in posted:
        expected.update(entries)
    balances = dict(Account.objects.filter(pk__in=accounts).values_list("pk", "balance"))
    entry_sums = dict(
        Entry.objects.values("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    for pk in accounts:
        assert balances[pk] == entry_sums.get(pk, 0) == expected[pk]
    assert sum(balances.values()) == 0
    assert Transfer.objects.count() == len(posted)
    # No limit was crossed however the postings interleaved.
    for account in Account.objects.filter(pk__in=accounts):
        assert account.balance >= account.min_balance
        assert account.max_balance is None or account.balance <= account.max_balance
    assert ledger_verify().ok


@pytest.mark.parametrize("same_accounts", [True, False])
def test_a_key_raced_from_eight_threads_posts_once(
    riverside: TimeBank, alice: Person, roomy_pools: list[int], same_accounts: bool
) -> None:
    accounts = roomy_pools
    transfers: list[int] = []

    def confirm(n: int) -> None:
        # The same exchange confirmed from eight browser tabs at once; with different accounts
        # the account locks do not serialise them and the unique index settles it.
        payer, payee = (accounts[0], accounts[1]) if same_accounts else accounts[2 * n : 2 * n + 2]
        transfer = transfer_post(
            timebank=riverside,
            acting=alice,
            payer=payer,
            payee=payee,
            minutes=30,
            idempotency_key="exchange:4e1d:confirm",
        )
        transfers.append(transfer.pk)

    assert in_threads(confirm) == []
    assert len(transfers) == THREADS
    assert len(set(transfers)) == 1
    assert Transfer.objects.count() == 1
    assert Entry.objects.count() == 2
    assert ledger_verify().ok


def test_racing_reversals_of_one_transfer_reverse_it_once(
    riverside: TimeBank, alice: Person, carol: Person, roomy_pools: list[int]
) -> None:
    a, b = roomy_pools[:2]
    mistake = transfer_post(timebank=riverside, acting=alice, payer=a, payee=b, minutes=90)
    reversed_by: list[int] = []

    def reverse(n: int) -> None:
        # The same mistake corrected from eight screens at once: half retry one reversal (one
        # key), half start their own (keys of their own). One reversal; the others get it back
        # or are told it is done.
        key = "same" if n % 2 else f"own:{n}"
        try:
            reversal = transfer_reverse(
                transfer=mistake, acting=carol, reason="Logged twice", idempotency_key=key
            )
        except Conflict as refusal:
            assert refusal.code == "already_reversed"
        else:
            reversed_by.append(reversal.pk)

    assert in_threads(reverse) == []
    assert Transfer.objects.filter(reverses=mistake).count() == 1
    assert set(reversed_by) <= set(
        Transfer.objects.filter(reverses=mistake).values_list("pk", flat=True)
    )
    assert dict(Account.objects.filter(pk__in=[a, b]).values_list("pk", "balance")) == {a: 0, b: 0}
    assert ledger_verify().ok


def test_a_posting_outside_a_transaction_is_one_statement(
    riverside: TimeBank, alice: Person, roomy_pools: list[int], django_assert_num_queries
) -> None:
    # One statement in autocommit mode is its own transaction: one round trip and one commit,
    # which is what makes PostgreSQL fast here (docs/DESIGN.md, "Speed").
    a, b = roomy_pools[:2]
    with django_assert_num_queries(1):
        transfer = transfer_post(
            timebank=riverside,
            acting=alice,
            payer=a,
            payee=b,
            minutes=60,
            idempotency_key="exchange:9c2b:confirm",
        )
    # The retry finds the first posting and fetches it: two.
    with django_assert_num_queries(2):
        again = transfer_post(
            timebank=riverside,
            acting=alice,
            payer=a,
            payee=b,
            minutes=60,
            idempotency_key="exchange:9c2b:confirm",
        )
    assert again.pk == transfer.pk
    assert dict(Account.objects.filter(pk__in=[a, b]).values_list("pk", "balance")) == {
        a: -60,
        b: 60,
    }


def insert_transfer(cursor, timebank: TimeBank, memo: str) -> int:
    cursor.execute(
        "INSERT INTO ledger_transfer (timebank_id, public_id, kind, memo, occurred_at, created_at,"
        " override_reason) VALUES (%s, gen_random_uuid(), 'gift', %s, now(), now(), '')"
        " RETURNING id",
        [timebank.pk, memo],
    )
    return cursor.fetchone()[0]


def insert_entry(cursor, transfer_id: int, account_id: int, timebank: TimeBank, amount: int):
    cursor.execute(
        "INSERT INTO ledger_entry (transfer_id, account_id, timebank_id, unit, amount,"
        " occurred_at, kind) SELECT id, %s, %s, 'hour', %s, occurred_at, kind"
        " FROM ledger_transfer WHERE id = %s",
        [account_id, timebank.pk, amount, transfer_id],
    )


def test_unbalanced_entries_written_behind_the_services_back_fail_at_commit(
    riverside: TimeBank, roomy_pools: list[int]
) -> None:
    a, b = roomy_pools[:2]
    with (
        pytest.raises(IntegrityError, match="does not balance: its hour entries sum to 30"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        transfer_id = insert_transfer(cursor, riverside, "conjured credits")
        insert_entry(cursor, transfer_id, a, riverside, -30)
        insert_entry(cursor, transfer_id, b, riverside, 60)
        # Each statement succeeded: the check waits for COMMIT.
    assert not Transfer.objects.filter(memo="conjured credits").exists()
    assert not Entry.objects.exists()


def test_entries_written_one_at_a_time_commit_once_they_balance(
    riverside: TimeBank, roomy_pools: list[int]
) -> None:
    # The constraint trigger is deferred so that a transfer may be written entry by entry.
    a, b, c = roomy_pools[:3]
    with transaction.atomic(), connection.cursor() as cursor:
        transfer_id = insert_transfer(cursor, riverside, "group session")
        insert_entry(cursor, transfer_id, a, riverside, 120)
        insert_entry(cursor, transfer_id, b, riverside, -60)
        insert_entry(cursor, transfer_id, c, riverside, -60)
    assert Entry.objects.filter(transfer_id=transfer_id).count() == 3


@pytest.fixture
def outsider() -> psycopg.Connection:
    """A plain psycopg connection to the test database, as a person at a SQL prompt would use."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"],
        port=settings["PORT"] or None,
        autocommit=True,
    ) as conn:
        yield conn


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entry SET amount = -amount",
        "DELETE FROM ledger_entry",
        "UPDATE ledger_transfer SET memo = 'tampered'",
        "DELETE FROM ledger_transfer",
        "DELETE FROM ledger_account",
    ],
)
def test_a_sql_prompt_cannot_change_posted_rows(
    riverside: TimeBank, alice: Person, roomy_pools: list[int], outsider, sql: str
) -> None:
    transfer = transfer_post(
        timebank=riverside,
        acting=alice,
        payer=roomy_pools[0],
        payee=roomy_pools[1],
        minutes=45,
        memo="Lift to the surgery",
    )
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
        outsider.execute(sql)
    assert Transfer.objects.get().memo == "Lift to the surgery"
    assert sorted(Entry.objects.filter(transfer=transfer).values_list("amount", flat=True)) == [
        -45,
        45,
    ]
    assert Account.objects.filter(pk__in=roomy_pools).count() == ACCOUNTS


def test_postings_on_a_new_database_read_no_table_whole(
    riverside: TimeBank, alice: Person, roomy_pools: list[int]
) -> None:
    # The test database is freshly migrated and small, which is when a plan made from the
    # statistics reads whole tables; the posting's plans must use the indexes whatever the
    # statistics say (migration ledger 0007), including its foreign-key checks and the zero-sum
    # trigger. A new connection has no plans yet; pg_stat_xact counts this transaction's scans.
    connection.close()
    rng = random.Random(17)
    ledger_tables = ["ledger_account", "ledger_transfer", "ledger_entry"]
    with transaction.atomic():
        for i in range(200):
            payer, payee = rng.sample(roomy_pools, 2)
            transfer_post(
                timebank=riverside,
                acting=alice,
                payer=payer,
                payee=payee,
                minutes=1,
                idempotency_key=f"scan:{i}",
            )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred zero-sum checks
            cursor.execute(
                "SELECT relname, seq_scan, idx_scan FROM pg_stat_xact_user_tables"
                " WHERE relname = ANY (%s)",
                [ledger_tables],
            )
            scans = {name: (seq, idx) for name, seq, idx in cursor.fetchall()}
    assert {name: seq for name, (seq, _idx) in scans.items()} == dict.fromkeys(ledger_tables, 0)
    # …and the look-ups did happen, by index: at least the zero-sum check of each entry.
    assert scans["ledger_entry"][1] >= 400
    assert Transfer.objects.filter(idempotency_key__startswith="scan:").count() == 200
