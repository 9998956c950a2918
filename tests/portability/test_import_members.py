"""`coproduce import members`: carol brings Riverside's old spreadsheet of members in. Every row
is checked first; one bad row means nothing is written and every bad row is named by its line."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from coproduce.community.models import (
    ContactPreference,
    Membership,
    MembershipStatus,
    Person,
    Role,
)
from coproduce.core.models import AuditEvent
from coproduce.ledger.models import Account, AccountKind
from coproduce.matching.models import MatchProfile

pytestmark = pytest.mark.django_db

HEADER = "username,first_name,last_name,email,area,phone,joined\n"
SPREADSHEET = (
    HEADER
    + "dora,Dora,Dale,dora@example.org,Northbank,07700 900001,2023-04-01\n"
    + "ezra,Ezra,,,,,\n"
    + "fatima,Fatima,Noor,,Southbank,07700 900003,2024-11-30\n"
)


def people_count() -> int:
    return Person.objects.count()


def test_carol_imports_her_spreadsheet_of_members(riverside, carol, csv_file, run):
    result = run("import", "members", "--timebank", "riverside", csv_file(SPREADSHEET))

    assert result.code == 0, result.err
    assert result.out.splitlines() == ["added 3 members to Riverside Time Bank"]
    dora = Person.objects.get(username="dora")
    assert (dora.first_name, dora.last_name, dora.email, dora.phone) == (
        "Dora",
        "Dale",
        "dora@example.org",
        "07700 900001",
    )
    # No password yet: carol sets one, or dora uses password reset.
    assert not dora.has_usable_password()
    membership = Membership.objects.get(timebank=riverside, person=dora)
    assert (membership.role, membership.status, membership.area) == (
        Role.MEMBER,
        MembershipStatus.ACTIVE,
        "Northbank",
    )
    assert timezone.localtime(membership.activated_at).date() == date(2023, 4, 1)
    assert membership.applied_at == membership.activated_at
    account = Account.objects.get(timebank=riverside, person=dora, kind=AccountKind.MEMBER)
    assert (account.balance, account.min_balance) == (0, riverside.default_min_balance)


def test_each_imported_member_can_be_reached_the_way_their_row_allows(riverside, csv_file, run):
    assert run("import", "members", "--timebank", "riverside", csv_file(SPREADSHEET)).code == 0

    preferences = dict(
        Person.objects.filter(username__in=["dora", "ezra", "fatima"]).values_list(
            "username", "contact_preference"
        )
    )
    assert preferences == {
        "dora": ContactPreference.EMAIL,
        "ezra": ContactPreference.THROUGH_COORDINATOR,
        "fatima": ContactPreference.PHONE,
    }


def test_a_member_with_no_joined_date_joins_today(riverside, csv_file, run):
    run("import", "members", "--timebank", "riverside", csv_file(SPREADSHEET))

    ezra = Membership.objects.get(timebank=riverside, person__username="ezra")
    assert timezone.localtime(ezra.activated_at).date() == timezone.localdate()


def test_imported_members_are_ready_for_matching_and_the_import_is_audited(
    riverside, csv_file, run
):
    run("import", "members", "--timebank", "riverside", csv_file(SPREADSHEET))

    assert (
        MatchProfile.objects.filter(
            timebank=riverside, person__username__in=["dora", "ezra", "fatima"], active=True
        ).count()
        == 3
    )
    event = AuditEvent.objects.get(action="import.members")
    assert (event.timebank_id, event.data) == (
        riverside.pk,
        {"members": 3, "file": "members.csv"},
    )


def test_a_spreadsheet_saved_with_a_bom_and_columns_in_any_order_is_read(riverside, csv_file, run):
    text = "\ufeff First_Name ,USERNAME,Email\nGrace,grace,grace@example.org\n"

    result = run("import", "members", "--timebank", "riverside", csv_file(text))

    assert result.code == 0, result.err
    assert Person.objects.get(username="grace").email == "grace@example.org"


def test_blank_rows_at_the_end_of_a_spreadsheet_are_skipped(riverside, csv_file, run):
    text = SPREADSHEET + ",,,,,,\n\n,,,,,,\n"

    result = run("import", "members", "--timebank", "riverside", csv_file(text))

    assert result.code == 0, result.err
    assert "added 3 members" in result.out


def test_a_cell_an_export_guarded_against_formulas_is_read_as_it_was(riverside, csv_file, run):
    text = HEADER + "'+hal,Hal,,,,'+44 7700 900004,\n"

    assert run("import", "members", "--timebank", "riverside", csv_file(text)).code == 0

    assert Person.objects.get(username="+hal").phone == "+44 7700 900004"


def test_a_dry_run_says_what_it_would_do_and_writes_nothing(riverside, carol, csv_file, run):
    before = people_count()

    result = run("import", "members", "--timebank", "riverside", "--dry-run", csv_file(SPREADSHEET))

    assert result.code == 0
    assert result.out.splitlines() == [
        "would add 3 members to Riverside Time Bank",
        "dry run: nothing was written",
    ]
    assert people_count() == before
    assert not AuditEvent.objects.filter(action="import.members").exists()


def test_every_bad_row_is_named_and_nothing_is_imported(riverside, alice, carol, csv_file, run):
    text = (
        HEADER
        + "dora,Dora,,,,,\n"  # 2: fine
        + "DORA,Dorothy,,,,,\n"  # 3: twice in the file
        + "Alice,Alice,,,,,\n"  # 4: alice is taken, whatever the capitals
        + "ezra,Ezra,,ezra@,,,\n"  # 5: not an email address
        + "fatima,Fatima,,,,,31/01/2024\n"  # 6: not an ISO date
        + "gus,Gus,,,,,2999-01-01\n"  # 7: joined in the future
        + "hal,,,,,,\n"  # 8: no first name
        + "ivy green,Ivy,,,,,\n"  # 9: a space in a username
        + f"jo,Jo,,,{'x' * 81},,\n"  # 10: an area longer than a membership's area
        + ",Kit,,,,,\n"  # 11: no username
    )
    before = people_count()

    result = run("import", "members", "--timebank", "riverside", csv_file(text))

    assert result.code == 1
    errors = result.err.splitlines()
    assert errors[:-1] == [
        "line 3: the username “DORA” is already on line 2",
        "line 4: the username “Alice” is already taken (usernames are unique on the whole site, "
        "whatever their capitals)",
        "line 5: email “ezra@”: Enter a valid email address.",
        "line 6: joined “31/01/2024” is not a date: write it as YYYY-MM-DD",
        "line 7: joined 2999-01-01 is in the future",
        "line 8: first_name is missing",
        "line 9: username “ivy green”: Enter a valid username. This value may contain only "
        "letters, numbers, and @/./+/-/_ characters.",
        "line 10: area “" + "x" * 81 + "”: Ensure this value has at most 80 characters "
        "(it has 81).",
        "line 11: username is missing",
    ]
    assert errors[-1].startswith("coproduce: problems on 9 lines of ")
    assert errors[-1].endswith("members.csv: nothing was imported")
    assert "Traceback" not in result.err
    assert people_count() == before
    assert result.out == ""


def test_a_dry_run_reports_the_same_bad_rows(riverside, alice, csv_file, run):
    text = HEADER + "alice,Alice,,,,,\nezra,Ezra,,ezra@,,,\n"

    result = run("import", "members", "--timebank", "riverside", "--dry-run", csv_file(text))

    assert result.code == 1
    assert "line 2: the username “alice” is already taken" in result.err
    assert "line 3: email “ezra@”: Enter a valid email address." in result.err


def test_line_numbers_count_the_lines_of_the_file_not_the_rows(riverside, csv_file, run):
    # A quoted cell may run over two lines, as spreadsheets write an address; every column read
    # is one line of text, so that row is bad too, and the next row starts on line 4.
    text = HEADER + 'dora,Dora,,,"Mill Lane,\nNorthbank",,\n' + "ezra,Ez\x01ra,,,,,\n"

    result = run("import", "members", "--timebank", "riverside", csv_file(text))

    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "line 2: column “area” must be one line: it holds a line break or a tab",
        "line 4: column “first_name” contains a control character (U+0001)",
    ]


def test_a_row_with_more_cells_than_the_header_is_refused(riverside, csv_file, run):
    text = "username,first_name\ndora,Dora,surprise\n"

    result = run("import", "members", "--timebank", "riverside", csv_file(text))

    assert result.code == 1
    assert "line 2: this row has 3 cells but the header names 2 columns" in result.err
    assert not Person.objects.filter(username="dora").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file has no header row; the first line must name the columns: "),
        ("username,last_name\ndora,Dale\n", "line 1: the header has no first_name column"),
        (
            "username,first_name,nickname,shoe_size\ndora,Dora,Do,5\n",
            "line 1: unknown columns nickname, shoe_size (the columns are username, first_name, "
            "last_name, email, area, phone, joined)",
        ),
        (
            "username,first_name,username\ndora,Dora,dora\n",
            "line 1: the column username appears twice in the header",
        ),
    ],
)
def test_a_file_without_the_right_header_is_refused(riverside, csv_file, run, text, message):
    before = people_count()

    result = run("import", "members", "--timebank", "riverside", csv_file(text))

    assert result.code == 1
    assert message in result.err
    assert people_count() == before


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(riverside, csv_file, run):
    text = HEADER + "dora,Dora,,,,,\njose,José,,,,,\n"

    result = run("import", "members", "--timebank", "riverside", csv_file(text, encoding="latin-1"))

    assert result.code == 1
    assert (
        "line 3: this is not UTF-8 text (byte 0xE9); save the file as “CSV UTF-8” and try again"
        in result.err
    )
    assert not Person.objects.filter(username="dora").exists()


def test_a_missing_file_is_a_usage_error(riverside, tmp_path, run):
    result = run("import", "members", "--timebank", "riverside", str(tmp_path / "nope.csv"))

    assert result.code == 2
    assert result.err.strip() == f"coproduce: there is no file {tmp_path / 'nope.csv'}"


def test_an_unknown_time_bank_is_a_usage_error(db, csv_file, run):
    before = people_count()

    result = run("import", "members", "--timebank", "nowhere", csv_file(SPREADSHEET))

    assert result.code == 2
    assert result.err.strip() == "coproduce: no time bank with the slug 'nowhere'"
    assert people_count() == before


def test_a_member_of_another_time_bank_cannot_be_added_again_by_username(
    riverside, harry, csv_file, run
):
    result = run(
        "import", "members", "--timebank", "riverside", csv_file(HEADER + "harry,H,,,,,\n")
    )

    assert result.code == 1
    assert "line 2: the username “harry” is already taken" in result.err
    assert not Membership.objects.filter(timebank=riverside, person=harry).exists()


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        ("dora,Do\x00ra,,,,,", "first_name", "U+0000"),
        ("bo\x00b,Bob,,,,,", "username", "U+0000"),
        ("ezra,Ezra,,,North\x1bbank,,", "area", "U+001B"),
        ("fay,Fay,,fay@example.org\x07,,,", "email", "U+0007"),
        ("gil,Gil,Gr\x85ey,,,,", "last_name", "U+0085"),
    ],
)
def test_a_control_character_in_a_cell_is_a_bad_row_not_a_traceback(
    riverside, csv_file, run, row, column, code
):
    before = people_count()
    text = HEADER + "dora2,Dora,,,,,\n" + row + "\n"

    for dry_run in ([], ["--dry-run"]):
        result = run("import", "members", "--timebank", "riverside", *dry_run, csv_file(text))

        assert result.code == 1
        assert result.err.splitlines()[0] == (
            f"line 3: column “{column}” contains a control character ({code})"
        )
        assert "Traceback" not in result.err
        assert people_count() == before
