"""My statement through the API: entries newest first, each with the balance after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import earn

pytestmark = pytest.mark.django_db


def test_alices_statement_shows_a_running_balance(api_as, alice, bob, riverside):
    earn(riverside, earner=alice, payer=bob, minutes=60)
    earn(riverside, earner=alice, payer=bob, minutes=30)
    earn(riverside, earner=bob, payer=alice, minutes=45)

    body = api_as(alice).get("/account/statement").json()

    assert [
        (r["minutes_in"], r["minutes_out"], r["balance"]["minutes"]) for r in body["items"]
    ] == [
        (0, 45, 45),
        (30, 0, 90),
        (60, 0, 60),
    ]
    assert body["balance"] == {"minutes": 45, "hmm": "0:45"}
    assert body["all_time"]["given"]["minutes"] == 90
    assert body["all_time"]["received"]["minutes"] == 45
    assert body["items"][0]["other_party"] == "Bob Brown"


def test_the_statement_pages_through(api_as, alice, bob, riverside):
    for _ in range(3):
        earn(riverside, earner=alice, payer=bob, minutes=10)
    as_alice = api_as(alice)

    first = as_alice.get("/account/statement", limit=2).json()
    second = as_alice.get("/account/statement", limit=2, cursor=first["next_cursor"]).json()

    assert [r["balance"]["minutes"] for r in first["items"]] == [30, 20]
    assert [r["balance"]["minutes"] for r in second["items"]] == [10]
    assert second["next_cursor"] is None


def test_a_period_after_everything_is_empty_but_opens_with_the_balance(
    api_as, alice, bob, riverside
):
    earn(riverside, earner=alice, payer=bob, minutes=60)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    body = api_as(alice).get("/account/statement", date_from=tomorrow).json()

    assert body["items"] == []
    assert body["opening"]["minutes"] == 60


def test_a_period_that_ends_before_it_starts_is_a_400(api_as, alice):
    response = api_as(alice).get("/account/statement", date_from="2024-06-02", date_to="2024-06-01")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_period"


def test_a_date_that_is_not_a_date_is_a_422(api_as, alice):
    response = api_as(alice).get("/account/statement", date_from="last tuesday")

    assert response.status_code == 422


def test_a_newcomer_without_an_account_yet_has_an_empty_statement(api_as, riverside):
    from coproduce.community.models import Membership, Person

    dora = Person.objects.create_user(username="dora", first_name="Dora", password="pw-dora")
    Membership.objects.create(timebank=riverside, person=dora, status="active")

    body = api_as(dora).get("/account/statement").json()

    assert body["items"] == []
    assert body["balance"] == {"minutes": 0, "hmm": "0:00"}
