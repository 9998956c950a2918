"""`coproduce export members|transfers`: Riverside's people and ledger go out as CSV or JSON —
only Riverside's, never Hillside's — in bounded queries however large the time bank, and a
members export reads back in with `import members` and `import balances`."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from coproduce.community.models import Membership, MembershipStatus, Organisation, Person
from coproduce.ledger.accounts import (
    chest_get_or_open,
    member_account_get_or_open,
    organisation_account_get_or_open,
)
from coproduce.ledger.models import Entry
from coproduce.ledger.selectors import ledger_verify
from coproduce.ledger.services import transfer_post
from tests.conftest import _join, _person

pytestmark = pytest.mark.django_db

MEMBER_COLUMNS = [
    "username", "first_name", "last_name", "email", "area", "phone", "joined", "balance",
]  # fmt: skip
TRANSFER_COLUMNS = [
    "transfer", "occurred_at", "kind", "memo", "account", "account_kind", "amount", "unit",
]  # fmt: skip


def account(timebank, person):
    return member_account_get_or_open(timebank=timebank, person=person)


def pay(timebank, payer, payee, minutes, memo="", *, days_ago=0, acting=None, **extra):
    return transfer_post(
        timebank=timebank,
        acting=acting,
        payer=payer,
        payee=payee,
        minutes=minutes,
        memo=memo,
        occurred_at=timezone.now() - timedelta(days=days_ago),
        **extra,
    )


@pytest.fixture
def riverside_story(riverside, hillside, carol, alice, bob, dr_patel, harry):
    """Alice gardens for bob; the surgery thanks alice; alice gives an hour to the chest, which
    pays bob. Nina has applied and leo has left; in Hillside, eve helps harry."""
    alice.email, alice.phone = "alice@example.org", "+44 7700 900001"
    alice.save()
    Membership.objects.filter(person=alice).update(
        activated_at=timezone.make_aware(timezone.datetime(2024, 3, 1))
    )
    surgery = organisation_account_get_or_open(
        organisation=Organisation.objects.get(slug="riverside-surgery")
    )
    chest = chest_get_or_open(timebank=riverside)
    pay(riverside, account(riverside, bob), account(riverside, alice), 90, "Weeding", days_ago=3)
    pay(riverside, surgery, account(riverside, alice), 60, "=HYPERLINK(evil)", days_ago=5)
    pay(riverside, account(riverside, alice), chest, 60, "For the chest", days_ago=1, kind="gift")
    pay(riverside, chest, account(riverside, bob), 30, "Grant", days_ago=1, kind="grant",
        acting=carol)  # fmt: skip
    Membership.objects.create(
        timebank=riverside,
        person=_person("nina", "Nina", "New"),
        status=MembershipStatus.APPLIED,
    )
    _join(riverside, _person("leo", "Leo", "Left"), status=MembershipStatus.LEFT)
    eve = _join(hillside, _person("eve", "Eve", "Evans"))
    pay(hillside, account(hillside, eve), account(hillside, harry), 120, "Hillside help")
    return riverside


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_members_export_lists_riversides_members_with_their_balance(riverside_story, run):
    result = run("export", "members", "--timebank", "riverside")

    assert result.code == 0, result.err
    header, *rows = csv_rows(result.out)
    assert header == MEMBER_COLUMNS
    today = timezone.localdate().isoformat()
    # Nina (applied), leo (left) and Hillside's people are not Riverside's members.
    assert rows == [
        ["carol", "Carol", "Jones", "", "", "", today, "0:00"],
        ["alice", "Alice", "Ahmed", "alice@example.org", "Northbank", "'+44 7700 900001",
         "2024-03-01", "1:30"],
        ["bob", "Bob", "Brown", "", "Northbank", "", today, "-1:00"],
        ["dr_patel", "Priya", "Patel", "", "", "", today, "0:00"],
    ]  # fmt: skip


def test_the_members_export_as_json_goes_to_a_file(riverside_story, tmp_path, run):
    path = tmp_path / "members.json"

    result = run("export", "members", "--timebank", "riverside", "--format", "json", "--output",
                 str(path))  # fmt: skip

    assert result.code == 0, result.err
    assert result.out == ""
    assert result.err.strip() == f"wrote 4 members of riverside to {path}"
    members = json.loads(path.read_text())
    assert [member["username"] for member in members] == ["carol", "alice", "bob", "dr_patel"]
    # No spreadsheet reads JSON: nothing is guarded.
    assert members[1]["phone"] == "+44 7700 900001"
    assert list(members[1]) == MEMBER_COLUMNS


def test_the_transfers_export_has_one_row_per_entry_oldest_first(riverside_story, run):
    result = run("export", "transfers", "--timebank", "riverside")

    assert result.code == 0, result.err
    header, *rows = csv_rows(result.out)
    assert header == TRANSFER_COLUMNS
    described = [(kind, memo, who, what, int(amount)) for _t, _o, kind, memo, who, what, amount,
                 _u in rows]  # fmt: skip
    assert described == [
        ("exchange", "'=HYPERLINK(evil)", "riverside-surgery", "organisation", -60),
        ("exchange", "'=HYPERLINK(evil)", "alice", "member", 60),
        ("exchange", "Weeding", "bob", "member", -90),
        ("exchange", "Weeding", "alice", "member", 90),
        ("gift", "For the chest", "alice", "member", -60),
        ("gift", "For the chest", "chest", "chest", 60),
        ("grant", "Grant", "chest", "chest", -30),
        ("grant", "Grant", "bob", "member", 30),
    ]
    occurred = [row[1] for row in rows]
    assert occurred == sorted(occurred)
    assert {row[7] for row in rows} == {"hour"}
    assert "Hillside help" not in result.out
    assert "harry" not in result.out and "eve" not in result.out


def test_the_transfers_export_as_json_keeps_amounts_as_numbers(riverside_story, run):
    result = run("export", "transfers", "--timebank", "riverside", "--format", "json")

    entries = json.loads(result.out)
    assert len(entries) == Entry.objects.filter(timebank=riverside_story).count() == 8
    assert entries[0]["memo"] == "=HYPERLINK(evil)"
    assert entries[0]["amount"] == -60
    assert sum(entry["amount"] for entry in entries) == 0


def test_opening_balances_show_against_their_clearing_account(
    riverside, carol, alice, csv_file, run
):
    path = csv_file("username,balance\nalice,2\n")
    run("import", "balances", "--timebank", "riverside", "--acting", "carol", path)

    result = run("export", "transfers", "--timebank", "riverside")

    _header, *rows = csv_rows(result.out)
    assert [(row[2], row[4], row[5], row[6]) for row in rows] == [
        ("adjustment", "Opening balances", "clearing", "-120"),
        ("adjustment", "alice", "member", "120"),
    ]


def test_an_empty_time_bank_exports_just_the_header_or_an_empty_list(riverside, run):
    assert run("export", "transfers", "--timebank", "riverside").out == (
        ",".join(TRANSFER_COLUMNS) + "\r\n"
    )
    assert (
        json.loads(run("export", "members", "--timebank", "riverside", "--format", "json").out)
        == []
    )


def test_a_members_export_reads_back_into_a_fresh_time_bank(
    riverside_story, hillside, tmp_path, run
):
    exported = tmp_path / "riverside-members.csv"
    assert run("export", "members", "--timebank", "riverside", "--output", str(exported)).code == 0
    before = csv_rows(exported.read_text())
    # A fresh installation: Riverside's people are not on it (usernames are unique site-wide),
    # so here they step aside under other names.
    Person.objects.filter(memberships__timebank=riverside_story).update(
        username=Concat(F("username"), Value("-old"))
    )

    imported = run("import", "members", "--timebank", "hillside", str(exported))
    balances = run(
        "import", "balances", "--timebank", "hillside", "--acting", "harry", str(exported)
    )

    assert imported.code == 0, imported.err
    assert imported.out.splitlines() == [
        "added 4 members to Hillside Time Bank",
        "note: the balance column is not read by this import: carry balances over with "
        "`coproduce import balances`, which reads the same file",
    ]
    assert balances.code == 0, balances.err
    assert balances.out.splitlines()[0] == (
        "posted 2 opening balances to Hillside Time Bank, 2 zero balances skipped"
    )
    after = csv_rows(run("export", "members", "--timebank", "hillside").out)
    hillside_people = {row[0]: row for row in after[1:] if row[0] not in {"harry", "eve"}}
    assert [hillside_people[row[0]] for row in before[1:]] == before[1:]
    assert ledger_verify().ok


def _more_members(timebank, count: int, start: int) -> None:
    for n in range(start, start + count):
        person = _join(timebank, _person(f"member{n}", "Member", str(n)))
        pay(timebank, account(timebank, person), chest_get_or_open(timebank=timebank), 15,
            kind="gift")  # fmt: skip


@pytest.mark.parametrize("what", ["members", "transfers"])
def test_the_export_takes_the_same_few_queries_however_many_members(
    riverside, carol, run, django_assert_max_num_queries, what
):
    _more_members(riverside, 3, 0)
    with django_assert_max_num_queries(3):
        small = run("export", what, "--timebank", "riverside")
    _more_members(riverside, 40, 3)
    with django_assert_max_num_queries(3):
        large = run("export", what, "--timebank", "riverside")

    assert len(csv_rows(large.out)) > len(csv_rows(small.out)) + 39


def test_an_unknown_time_bank_cannot_be_exported(db, run):
    result = run("export", "members", "--timebank", "nowhere")

    assert result.code == 2
    assert result.err.strip() == "coproduce: no time bank with the slug 'nowhere'"


def test_an_unknown_format_is_a_usage_error(riverside, run, capsys):
    with pytest.raises(SystemExit) as exit_:
        run("export", "members", "--timebank", "riverside", "--format", "xlsx")

    assert exit_.value.code == 2
    assert "invalid choice: 'xlsx'" in capsys.readouterr().err


def test_an_export_to_a_folder_that_does_not_exist_is_a_usage_error(riverside, tmp_path, run):
    result = run("export", "members", "--timebank", "riverside", "--output",
                 str(tmp_path / "missing" / "members.csv"))  # fmt: skip

    assert result.code == 2
    assert result.err.startswith("coproduce: cannot write ")


@pytest.mark.parametrize(
    "argv",
    [
        ["import", "--help"],
        ["import", "members", "--help"],
        ["import", "balances", "--help"],
        ["export", "--help"],
        ["export", "members", "--help"],
        ["export", "transfers", "--help"],
    ],
)
def test_import_and_export_explain_themselves(argv, capsys):
    from coproduce.cli import build_parser

    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(argv)

    assert exit_.value.code == 0
    assert "usage: coproduce" in capsys.readouterr().out
