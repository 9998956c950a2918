"""`coproduce import balances`: carol carries Riverside's balances over from the old system.
Each is one adjustment against the "Opening balances" clearing account, posted through
transfer_post whatever the member's limits, and never twice, however often the file is imported."""

from __future__ import annotations

import pytest

from coproduce.community.models import Membership, MembershipStatus
from coproduce.core.models import AuditEvent
from coproduce.ledger.accounts import member_account_get_or_open
from coproduce.ledger.models import Account, AccountKind, Transfer, TransferKind
from coproduce.ledger.selectors import ledger_verify
from tests.conftest import _join, _person

pytestmark = pytest.mark.django_db

REASON = "Opening balance carried over from the previous system"
BALANCES = "username,balance\nalice,2.5\nbob,-1:15\ndr_patel,0\n"


def balance_of(timebank, person) -> int:
    return member_account_get_or_open(timebank=timebank, person=person).balance


def clearing(timebank) -> Account:
    return Account.objects.get(timebank=timebank, kind=AccountKind.CLEARING)


@pytest.fixture
def carried_over(riverside, carol, alice, bob, dr_patel, csv_file):
    return csv_file(BALANCES, "balances.csv")


def import_balances(run, path, *extra, acting="carol"):
    return run("import", "balances", "--timebank", "riverside", "--acting", acting, path, *extra)


def test_carol_carries_over_each_members_balance_from_the_old_system(
    riverside, carol, alice, bob, carried_over, run
):
    result = import_balances(run, carried_over)

    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "posted 2 opening balances to Riverside Time Bank, 1 zero balance skipped",
        "together they come to 1:15 h",
    ]
    assert (balance_of(riverside, alice), balance_of(riverside, bob)) == (150, -75)
    opening = clearing(riverside)
    assert (opening.name, opening.balance) == ("Opening balances", -75)
    transfers = Transfer.objects.filter(timebank=riverside).order_by("id")
    assert [(t.kind, t.idempotency_key, t.created_by_id, t.memo) for t in transfers] == [
        (TransferKind.ADJUSTMENT, "import:opening-balance:riverside:alice", carol.pk, REASON),
        (TransferKind.ADJUSTMENT, "import:opening-balance:riverside:bob", carol.pk, REASON),
    ]
    assert ledger_verify(timebank_id=riverside.pk).ok


def test_each_opening_balance_is_audited_as_carols(riverside, carol, carried_over, run):
    import_balances(run, carried_over)

    posted = AuditEvent.objects.filter(action="ledger.transfer_posted", timebank_id=riverside.pk)
    assert list(posted.values_list("actor_id", flat=True)) == [carol.pk, carol.pk]
    summary = AuditEvent.objects.get(action="import.opening_balances")
    assert (summary.actor_id, summary.data) == (
        carol.pk,
        {"posted": 2, "minutes": 75, "file": "balances.csv"},
    )


def test_importing_the_same_balances_again_posts_nothing_twice(
    riverside, alice, bob, carried_over, run
):
    assert import_balances(run, carried_over).code == 0

    again = import_balances(run, carried_over)
    rehearsed = import_balances(run, carried_over, "--dry-run")

    assert again.code == 0, again.err
    assert again.out.splitlines()[0] == (
        "posted 0 opening balances to Riverside Time Bank, 2 already imported, "
        "1 zero balance skipped"
    )
    assert rehearsed.out.splitlines()[0].startswith("would post 0 opening balances")
    assert Transfer.objects.filter(timebank=riverside).count() == 2
    assert AuditEvent.objects.filter(action="import.opening_balances").count() == 1
    assert (balance_of(riverside, alice), balance_of(riverside, bob)) == (150, -75)
    assert run("ledger", "verify").code == 0
    assert ledger_verify().ok


def test_a_balance_that_differs_from_the_one_already_imported_is_refused(
    riverside, alice, carried_over, csv_file, run
):
    import_balances(run, carried_over)
    corrected = csv_file("username,balance\nalice,3\nbob,-1:15\n", "corrected.csv")

    result = import_balances(run, corrected)

    assert result.code == 1
    assert (
        "line 2: alice's opening balance was already imported as 2:30, not 3:00; correct it in "
        "the ledger, not by importing again"
    ) in result.err
    assert balance_of(riverside, alice) == 150


def test_an_opening_balance_is_not_refused_by_the_members_limits(
    riverside, carol, alice, bob, csv_file, run
):
    # The old system let alice run up 25 hours; bob's account here is capped at 5 hours.
    Account.objects.filter(person=bob).update(max_balance=5 * 60)
    path = csv_file("username,balance\nalice,-25\nbob,40:00\n")

    result = import_balances(run, path)

    assert result.code == 0, result.err
    assert (balance_of(riverside, alice), balance_of(riverside, bob)) == (-25 * 60, 40 * 60)
    reasons = set(
        Transfer.objects.filter(timebank=riverside).values_list("override_reason", flat=True)
    )
    assert reasons == {REASON}
    assert ledger_verify().ok


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("2.5", 150), ("-1.25", -75), ("2:30", 150), ("-1:15", -75), (".75", 45), ("+1", 60)],
)
def test_a_balance_is_read_as_decimal_hours_or_h_mm(
    riverside, carol, alice, csv_file, run, text, minutes
):
    result = import_balances(run, csv_file(f"username,balance\nalice,{text}\n"))

    assert result.code == 0, result.err
    assert balance_of(riverside, alice) == minutes


def test_every_bad_row_is_named_and_nothing_is_posted(
    riverside, hillside, carol, alice, bob, dr_patel, harry, csv_file, run
):
    newcomer = _person("nina", "Nina", "New")
    Membership.objects.create(timebank=riverside, person=newcomer, status=MembershipStatus.APPLIED)
    leaver = _join(riverside, _person("leo", "Leo", "Left"), status=MembershipStatus.LEFT)
    text = (
        "username,balance\n"
        "alice,2.5\n"  # 2: fine
        "ALICE,1\n"  # 3: alice twice
        "zed,1\n"  # 4: no such person
        "harry,1\n"  # 5: a member of Hillside, not Riverside
        "bob,1.333\n"  # 6: not whole minutes
        "dr_patel,2:75\n"  # 7: not h:mm
        "carol,lots\n"  # 8: not a number
        "nina,1\n"  # 9: applied, not yet a member
        f"{leaver.username},1\n"  # 10: left
        "bob,\n"  # 11: bob again, and no balance
        ",1\n"  # 12: no username
    )

    result = import_balances(run, csv_file(text))

    assert result.code == 1
    assert result.err.splitlines()[:-1] == [
        "line 3: the username “ALICE” is already on line 2",
        "line 4: no one has the username “zed”",
        "line 5: harry is not a member of Riverside Time Bank",
        "line 6: balance: “1.333” hours is not a whole number of minutes",
        "line 7: balance: “2:75” is not a balance: write hours as 2.5 or 2:30 "
        "(-1.25 or -1:15 below zero)",
        "line 8: balance: “lots” is not a balance: write hours as 2.5 or 2:30 "
        "(-1.25 or -1:15 below zero)",
        "line 9: nina has applied to Riverside Time Bank but is not a member yet",
        "line 10: leo has left Riverside Time Bank",
        "line 11: the username “bob” is already on line 6",
        "line 11: balance is missing",
        "line 12: username is missing",
    ]
    assert not Transfer.objects.exists()
    assert not Account.objects.filter(kind=AccountKind.CLEARING).exists()


def test_a_dry_run_says_what_it_would_post_and_writes_nothing(riverside, carried_over, run):
    result = import_balances(run, carried_over, "--dry-run")

    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "would post 2 opening balances to Riverside Time Bank, 1 zero balance skipped",
        "together they would come to 1:15 h",
        "dry run: nothing was written",
    ]
    assert not Transfer.objects.exists()
    assert not Account.objects.filter(kind=AccountKind.CLEARING).exists()
    assert not AuditEvent.objects.filter(action="import.opening_balances").exists()


@pytest.mark.parametrize(
    ("acting", "message"),
    [
        ("bob", "coproduce: bob is not an active coordinator of Riverside Time Bank; "
         "opening balances are imported by one"),
        ("harry", "coproduce: harry is not an active coordinator of Riverside Time Bank; "
         "opening balances are imported by one"),
        ("nobody", "coproduce: no one has the username 'nobody' (--acting)"),
    ],
)  # fmt: skip
def test_only_a_coordinator_of_the_time_bank_may_carry_balances_over(
    harry, carried_over, run, acting, message
):
    result = import_balances(run, carried_over, acting=acting)

    assert result.code == 2
    assert result.err.strip() == message
    assert not Transfer.objects.exists()


def test_acting_is_required(riverside, carried_over, run):
    with pytest.raises(SystemExit) as exit_:
        run("import", "balances", "--timebank", "riverside", carried_over)

    assert exit_.value.code == 2


def test_an_unknown_column_in_a_balances_file_is_named(riverside, carol, alice, csv_file, run):
    result = import_balances(run, csv_file("username,balance,hours_owed\nalice,1,2\n"))

    assert result.code == 1
    assert "line 1: unknown column hours_owed (the columns are username, balance)" in result.err
    assert not Transfer.objects.exists()


def test_another_time_banks_opening_balances_are_its_own(
    riverside, hillside, carol, alice, harry, carried_over, csv_file, run
):
    import_balances(run, carried_over)
    eve = _join(hillside, _person("eve", "Eve", "Evans"))
    hillside_file = csv_file("username,balance\neve,4\n", "hillside.csv")

    result = run("import", "balances", "--timebank", "hillside", "--acting", "harry", hillside_file)

    assert result.code == 0, result.err
    assert balance_of(hillside, eve) == 240
    assert clearing(hillside).balance == -240
    assert clearing(riverside).balance == -75
    assert ledger_verify().ok


def test_a_control_character_in_a_balance_file_is_a_bad_row(riverside, carol, csv_file, run):
    path = csv_file("username,balance\nalice\x00,2.5\n", "balances.csv")

    result = run("import", "balances", "--timebank", "riverside", "--acting", "carol", path)

    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "line 2: column “username” contains a control character (U+0000)"
    )
    assert not Transfer.objects.exists()
