"""The member picker: carol, Riverside's coordinator, types part of a name where she names a
member and is offered usernames from her own time bank only; without JavaScript the same search
is a page; the field takes a username or a public id."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coproduce.core.models import Attempt
from coproduce.exchanges.models import Exchange
from tests.conftest import _join, _person

SEARCH = reverse("community:member_search")


def found(response):
    return [m["username"] for m in response.json()["members"]]


@pytest.mark.django_db
def test_carol_finds_bob_by_part_of_his_name_as_she_types(login, carol, alice, bob):
    client = login(carol)
    response = client.get(SEARCH, {"q": "bro"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["members"] == [
        {"username": "bob", "name": "Bob Brown", "id": str(bob.public_id)}
    ]
    assert found(client.get(SEARCH, {"q": "a ahm", "format": "json"})) == ["alice"]
    assert found(client.get(SEARCH, {"q": "b", "format": "json"})) == []  # two letters at least


@pytest.mark.django_db
def test_without_javascript_the_search_is_a_page_listing_usernames(login, carol, bob):
    page = login(carol).get(SEARCH, {"q": "bob"}).content.decode()
    assert "<code>bob</code>" in page and "Bob Brown" in page
    assert 'role="search"' in page


@pytest.mark.django_db
def test_harry_finds_no_one_from_riverside(login, harry, bob, hillside):
    assert found(login(harry).get(SEARCH, {"q": "bob", "format": "json"})) == []


@pytest.mark.django_db
def test_members_professionals_and_visitors_cannot_search(client, login, alice, bob, dr_patel):
    assert client.get(SEARCH, {"q": "bob"}).status_code == 302
    for person in (alice, dr_patel):
        assert login(person).get(SEARCH, {"q": "bob", "format": "json"}).status_code == 404
    assert not Attempt.objects.exists()


@pytest.mark.django_db
def test_results_are_bounded_and_searches_throttled(login, carol, riverside, monkeypatch):
    from coproduce.community import member_search_views
    from coproduce.core.throttle import Limit

    for i in range(12):
        _join(riverside, _person(f"sam{i}", "Sam", f"Smith{i}"))
    client = login(carol)
    assert len(found(client.get(SEARCH, {"q": "sam", "format": "json"}))) == 10
    monkeypatch.setattr(
        member_search_views,
        "SEARCH_PER_MINUTE",
        Limit("member-search", 2, member_search_views.SEARCH_PER_MINUTE.window),
    )
    assert client.get(SEARCH, {"q": "sam", "format": "json"}).status_code == 200
    refused = client.get(SEARCH, {"q": "sam", "format": "json"})
    assert refused.status_code == 429 and refused.json()["members"] == []


@pytest.mark.django_db
def test_the_picker_searches_on_a_coordinators_form_only(login, carol, alice):
    grant = login(carol).get(reverse("account:grant")).content.decode()
    assert f'data-member-search="{SEARCH}"' in grant
    assert 'list="id_person-members"' in grant and '<datalist id="id_person-members">' in grant
    pool = login(alice).get(reverse("partners:pool_new")).content.decode()
    assert "data-member-search" not in pool and "<datalist" not in pool


@pytest.mark.django_db
def test_logging_an_exchange_takes_a_username_or_a_public_id(login, carol, alice, bob):
    client = login(carol)
    data = {
        "provider": str(bob.public_id),
        "receiver": " ALICE ",
        "title": "Carried the shopping",
        "category": "household",
        "hours": "1",
        "done_on": "2026-01-05",
    }
    response = client.post(reverse("exchanges:exchange_log"), data)
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert {p.person for p in exchange.participants.all()} == {alice, bob}


@pytest.mark.django_db
def test_an_unknown_member_is_refused_and_nothing_is_logged(login, carol, alice, harry):
    data = {
        "provider": str(harry.public_id),  # Hillside's
        "receiver": "alice",
        "title": "Carried the shopping",
        "category": "household",
        "hours": "1",
        "done_on": "2026-01-05",
    }
    response = login(carol).post(reverse("exchanges:exchange_log"), data)
    assert response.status_code == 200
    assert "No one in this time bank has the username" in response.content.decode()
    assert not Exchange.objects.exists()
