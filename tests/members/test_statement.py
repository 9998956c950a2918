"""Alice's statement: her balance, what she gave and received, and every movement with the
running balance, on screen, as CSV and printable; carol the coordinator can read it, nobody else."""

from __future__ import annotations

import csv
import io

import pytest

from coproduce.community.models import Membership
from coproduce.ledger.services import transfer_reverse
from coproduce.ledger.statements import StatementSpan, statement_for, statement_rows
from tests.members.conftest import account_of, day


@pytest.fixture
def alices_march(pay, alice, bob, carol):
    """Bob pays alice for gardening, carol for a lift, then alice pays bob for shopping."""
    pay(bob, alice, 90, when=day(2025, 3, 1), memo="Gardening")
    pay(alice, bob, 30, when=day(2025, 3, 5), memo="Shopping")
    # Logged late: the lift happened on the 3rd but reaches the ledger last.
    pay(carol, alice, 60, when=day(2025, 3, 3), memo="A lift to the surgery")


def test_running_balance_follows_when_the_help_happened(alices_march, alice):
    statement = statement_for(account=account_of(alice))
    rows = statement_rows(statement)
    assert [(r.description, r.minutes_in, r.minutes_out, r.balance) for r in rows] == [
        ("Shopping", 0, 30, 120),
        ("A lift to the surgery", 60, 0, 150),
        ("Gardening", 90, 0, 90),
    ]
    assert [r.other_party for r in rows] == ["Bob Brown", "Carol Jones", "Bob Brown"]
    assert statement.closing == account_of(alice).balance == 120


def test_a_group_session_names_who_was_on_the_other_side(riverside, alice, bob, carol, dr_patel):
    from coproduce.ledger.services import transfer_post
    from tests.conftest import _join, _person

    dan = _join(riverside, _person("dan", "Dan", "Davies"))
    receivers = [bob, carol, dr_patel, dan]
    transfer_post(
        timebank=riverside,
        acting=carol,
        entries=[(account_of(alice), 120)] + [(account_of(p), -30) for p in receivers],
        memo="Chair yoga",
    )
    (alices_row,) = statement_rows(statement_for(account=account_of(alice)))
    assert alices_row.other_party == "Bob Brown, Carol Jones, Priya Patel and 1 other"
    (bobs_row,) = statement_rows(statement_for(account=account_of(bob)))
    assert bobs_row.other_party == "Alice Ahmed"


def test_hours_given_and_received_count_help_not_gifts(alices_march, alice, bob, pay):
    pay(alice, bob, 15, kind="gift", memo="thanks")
    alices = statement_for(account=account_of(alice)).all_time
    bobs = statement_for(account=account_of(bob)).all_time
    assert (alices.given, alices.received, alices.donated) == (150, 30, 15)
    assert (bobs.given, bobs.received, bobs.gifts_received) == (30, 90, 15)


def test_a_reversed_exchange_no_longer_counts_as_help_given(pay, alice, bob, carol):
    mistake = pay(bob, alice, 120, when=day(2025, 3, 1), memo="Typed 2h instead of 1h")
    transfer_reverse(transfer=mistake, acting=carol, reason="Wrong amount")
    pay(bob, alice, 60, when=day(2025, 3, 1), memo="Gardening")
    statement = statement_for(account=account_of(alice))
    assert statement.all_time.given == 60
    assert statement.closing == 60


def test_a_period_has_its_opening_and_closing_balance(alices_march, alice):
    zone_start, zone_end = day(2025, 3, 2, 0), day(2025, 3, 5, 0)
    statement = statement_for(account=account_of(alice), period=StatementSpan(zone_start, zone_end))
    rows = statement_rows(statement)
    assert [r.description for r in rows] == ["A lift to the surgery"]
    assert rows[0].balance == 150
    assert (statement.opening, statement.closing) == (90, 150)
    assert statement.in_period.given == 60
    assert statement.all_time.given == 150


def test_alice_sees_her_balance_limits_and_history(login, alices_march, alice):
    response = login(alice).get("/account/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2:00 hours" in html
    assert "Lowest balance allowed: -10:00 hours." in html
    assert html.index("Shopping") < html.index("A lift to the surgery") < html.index("Gardening")
    assert "Bob Brown" in html


def test_alice_chooses_a_period_by_date(login, alices_march, alice):
    response = login(alice).get("/account/", {"date_from": "2025-03-02", "date_to": "2025-03-04"})
    html = response.content.decode()
    assert "A lift to the surgery" in html
    assert "Gardening" not in html
    assert "Opening balance: 1:30 hours." in html
    assert "Closing balance: 2:30 hours." in html


def test_a_british_date_is_understood_too(login, alices_march, alice):
    response = login(alice).get("/account/", {"date_from": "02/03/2025", "date_to": "04/03/2025"})
    assert "Gardening" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "31/02/2025"}, "Enter a date such as 31/12/2024."),
        ({"date_from": "yesterday"}, "Enter a date such as 31/12/2024."),
        ({"date_from": "2025-03-05", "date_to": "2025-03-01"}, "The end date is before the start"),
        ({"date_to": "0001-01-01"}, "Choose a date between 1990 and 2100."),
        ({"date_to": "9999-12-31"}, "Choose a date between 1990 and 2100."),
    ],
)
def test_a_bad_date_gets_a_clear_message_linked_to_its_field(
    login, alices_march, alice, query, message
):
    response = login(alice).get("/account/", query)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'aria-invalid="true"' in html
    assert "_error" in html and "aria-describedby" in html
    # The whole history is still shown below the message.
    assert "Gardening" in html


def test_a_bad_date_on_the_csv_is_a_clear_400(login, alices_march, alice):
    response = login(alice).get("/account/statement.csv", {"date_from": "31/02/2025"})
    assert response.status_code == 400
    assert b"Enter a date such as" in response.content


def test_history_is_paginated_by_25_with_the_right_running_balance(login, pay, alice, bob):
    for i in range(60):
        pay(bob, alice, 1, when=day(2025, 1, 1 + i % 28, 1 + i // 28))
    client = login(alice)
    first = client.get("/account/").content.decode()
    assert first.count("<tr>") == 25 + 1 + 1 + 4  # the rows, two header rows, four totals
    assert "Page 1 of 3" in first
    last = client.get("/account/", {"page": 3}).context["rows"]
    assert len(last) == 10
    assert last[-1].balance == 1
    assert client.get("/account/").context["rows"][0].balance == 60
    assert client.get("/account/", {"page": "nonsense"}).status_code == 200


def test_pagination_keeps_the_chosen_period(login, pay, alice, bob):
    for i in range(30):
        pay(bob, alice, 1, when=day(2025, 2, 1 + i % 28))
    html = login(alice).get("/account/", {"date_from": "2025-02-01"}).content.decode()
    assert "?date_from=2025-02-01&amp;page=2" in html


@pytest.mark.parametrize("entries", [3, 60])
def test_the_statement_page_uses_a_bounded_number_of_queries(
    login, pay, alice, bob, entries, django_assert_max_num_queries
):
    for i in range(entries):
        pay(bob, alice, 5, when=day(2025, 1, 1 + i % 28))
    client = login(alice)
    # (+1: whether the bank is in a Credit Commons network, for the "pay another network" link.)
    with django_assert_max_num_queries(10):
        response = client.get("/account/", {"date_from": "2025-01-01", "page": 2})
    assert response.status_code == 200


@pytest.mark.parametrize("entries", [3, 60])
def test_the_csv_and_print_use_a_bounded_number_of_queries(
    login, pay, alice, bob, entries, django_assert_max_num_queries
):
    for i in range(entries):
        pay(bob, alice, 5, when=day(2025, 1, 1 + i % 28))
    client = login(alice)
    with django_assert_max_num_queries(7):
        assert client.get("/account/statement.csv").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/account/statement/print/").status_code == 200


def test_the_csv_has_every_row_in_decimal_hours(login, alices_march, alice):
    response = login(alice).get("/account/statement.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["date", "description", "other party", "in (h)", "out (h)", "balance (h)"],
        ["2025-03-01", "Gardening", "Bob Brown", "1.5", "", "1.5"],
        ["2025-03-03", "A lift to the surgery", "Carol Jones", "1", "", "2.5"],
        ["2025-03-05", "Shopping", "Bob Brown", "", "0.5", "2"],
    ]


def test_a_memo_never_runs_as_a_spreadsheet_formula(login, pay, alice, bob):
    pay(bob, alice, 60, memo='=HYPERLINK("http://evil.example","Click")')
    rows = list(
        csv.reader(io.StringIO(login(alice).get("/account/statement.csv").content.decode()))
    )
    assert rows[1][1].startswith("'=")


def test_the_printable_statement_is_headed_for_a_benefits_office(login, alices_march, alice):
    response = login(alice).get(
        "/account/statement/print/", {"date_from": "2025-03-02", "date_to": "2025-03-31"}
    )
    html = response.content.decode()
    assert "Riverside Time Bank: time credit statement" in html
    assert "Alice Ahmed" in html
    assert "2 March 2025" in html and "31 March 2025" in html
    assert "Opening balance" in html and "1:30 hours" in html
    assert "Closing balance" in html and "2:00 hours" in html
    assert 'aria-label="Main"' in html  # the header is there for screen readers…
    assert "My account</a>" not in html  # …but without the menu


def test_an_applied_member_without_an_account_is_told_so(login, riverside):
    from tests.conftest import _person

    newcomer = _person("nina", "Nina", "New")
    Membership.objects.create(timebank=riverside, person=newcomer, status="applied")
    client = login(newcomer)
    assert b"do not have a time credit account" in client.get("/account/").content
    assert client.get("/account/statement.csv").status_code == 404


def test_carol_the_coordinator_reads_alices_statement(login, alices_march, alice, carol):
    client = login(carol)
    response = client.get(f"/account/members/{alice.public_id}/")
    assert response.status_code == 200
    assert b"Statement for Alice Ahmed" in response.content
    assert b"Gardening" in response.content
    assert client.get(f"/account/members/{alice.public_id}.csv").status_code == 200
    printed = client.get(f"/account/members/{alice.public_id}/print/")
    assert b"Alice Ahmed" in printed.content


def test_the_coordinator_view_is_bounded_in_queries(
    login, pay, alice, bob, carol, django_assert_max_num_queries
):
    for i in range(60):
        pay(bob, alice, 5, when=day(2025, 1, 1 + i % 28))
    client = login(carol)
    with django_assert_max_num_queries(10):
        assert client.get(f"/account/members/{alice.public_id}/").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/account/members/{id}/", "/account/members/{id}.csv", "/account/members/{id}/print/"],
)
def test_bob_cannot_see_alices_statement(login, alices_march, alice, bob, path):
    assert login(bob).get(path.format(id=alice.public_id)).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/account/members/{id}/", "/account/members/{id}.csv", "/account/members/{id}/print/"],
)
def test_harry_cannot_see_riverside_members_statements(login, alices_march, alice, harry, path):
    response = login(harry).get(path.format(id=alice.public_id))
    assert response.status_code == 404
    assert b"Gardening" not in response.content


def test_an_unknown_member_is_not_found(login, carol):
    import uuid

    assert login(carol).get(f"/account/members/{uuid.uuid4()}/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/account/",
        "/account/statement.csv",
        "/account/statement/print/",
        "/account/members/{id}/",
        "/account/members/{id}.csv",
        "/account/gift/",
        "/account/grant/",
    ],
)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, alice, path):
    response = client.get(path.format(id=alice.public_id))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
