"""The coordinator's members list and its CSV export: filtered, paginated, bounded queries."""

from __future__ import annotations

import csv
import io

import pytest

from coproduce.community.models import Membership
from coproduce.ledger.models import Account
from coproduce.ledger.services import transfer_post
from tests.conftest import _join, _person


def _neighbours(riverside, count):
    for n in range(count):
        _join(
            riverside,
            _person(f"neighbour{n:02d}", f"Neighbour{n:02d}", "Smith"),
            area="Southbank" if n % 2 else "Northbank",
        )


def _csv(response):
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_carol_sees_every_member_with_their_balance(login, carol, alice, bob, riverside):
    transfer_post(
        timebank=riverside,
        acting=carol,
        payer=Account.objects.get(person=bob),
        payee=Account.objects.get(person=alice),
        minutes=90,
    )
    content = login(carol).get("/members/").content.decode()
    assert "Alice Ahmed" in content and "Bob Brown" in content
    assert "1:30" in content and "-1:30" in content
    assert "3 people" in content


@pytest.mark.parametrize("count", [5, 40])
def test_the_list_uses_the_same_number_of_queries_however_many_members(
    login, carol, riverside, count, django_assert_max_num_queries
):
    _neighbours(riverside, count)
    client = login(carol)
    with django_assert_max_num_queries(9):
        response = client.get("/members/")
    assert response.content.decode().count("Neighbour") >= count


@pytest.mark.parametrize("count", [5, 40])
def test_the_export_uses_the_same_number_of_queries_however_many_members(
    login, carol, riverside, count, django_assert_max_num_queries
):
    _neighbours(riverside, count)
    client = login(carol)
    with django_assert_max_num_queries(8):
        rows = _csv(client.get("/members/export.csv"))
    assert len(rows) == count + 2  # the header, carol, and the neighbours


def test_the_list_is_paginated_by_fifty(login, carol, riverside):
    _neighbours(riverside, 55)
    client = login(carol)
    first = client.get("/members/").content.decode()
    assert first.count('scope="row"') == 50
    assert "Page 1 of 2" in first
    second = client.get("/members/?page=2").content.decode()
    assert second.count('scope="row"') == 6
    assert client.get("/members/?page=nonsense").status_code == 200


def test_filters_by_status_role_area_and_name(login, carol, alice, bob, dr_patel, riverside):
    Membership.objects.filter(person=bob).update(status="paused", area="Southbank")
    client = login(carol)
    paused = client.get("/members/?status=paused").content.decode()
    assert "Bob Brown" in paused and "Alice Ahmed" not in paused
    professionals = client.get("/members/?role=professional").content.decode()
    assert "Priya Patel" in professionals and "Alice Ahmed" not in professionals
    northbank = client.get("/members/?area=Northbank").content.decode()
    assert "Alice Ahmed" in northbank and "Bob Brown" not in northbank
    named = client.get("/members/?q=ahm").content.decode()
    assert "Alice Ahmed" in named and "Bob Brown" not in named
    # A filter value that is not one of the choices is ignored, never an error page.
    assert client.get("/members/?status=bogus&role=king").status_code == 200


def test_the_export_has_the_agreed_columns_and_follows_the_filters(
    login, carol, alice, bob, riverside
):
    alice.email, alice.phone = "alice@example.org", "07700 900001"
    alice.save()
    transfer_post(
        timebank=riverside,
        acting=carol,
        payer=Account.objects.get(person=bob),
        payee=Account.objects.get(person=alice),
        minutes=90,
    )
    response = login(carol).get("/members/export.csv?area=Northbank&q=alice")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv(response)
    assert header == [
        "name", "username", "email", "phone", "area", "role", "status", "joined", "balance"
    ]  # fmt: skip
    assert len(rows) == 1
    name, username, email, phone, area, role, status, joined, balance = rows[0]
    assert (name, username, email, phone, area) == (
        "Alice Ahmed", "alice", "alice@example.org", "07700 900001", "Northbank"
    )  # fmt: skip
    assert (role, status, balance) == ("member", "active", "1.5")
    assert len(joined) == 10


def test_a_name_that_looks_like_a_formula_is_defused_in_the_export(login, carol, riverside):
    _join(riverside, _person("mallory", "=HYPERLINK(1)", ""))
    rows = _csv(login(carol).get("/members/export.csv?q=mallory"))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_a_member_without_an_account_has_no_balance(login, carol, riverside):
    from coproduce.community.models import Membership as M

    M.objects.create(timebank=riverside, person=_person("newbie", "Newbie", "Jones"))
    rows = _csv(login(carol).get("/members/export.csv?q=newbie"))
    assert rows[1][-1] == ""
