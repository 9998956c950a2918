from __future__ import annotations

import pytest

from coproduce.ledger.models import Account
from coproduce.ledger.services import transfer_post


def test_an_anonymous_visitor_is_sent_to_sign_in(client, riverside):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_signing_in_with_the_right_password_opens_the_home_page(client, alice):
    response = client.post("/login/", {"username": "alice", "password": "pw-alice"}, follow=True)
    assert response.status_code == 200
    assert b"Hello, Alice" in response.content


def test_a_wrong_password_gets_a_clear_message(client, alice):
    response = client.post("/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"do not match" in response.content
    assert b'aria-invalid="true"' in response.content


def test_home_shows_my_balance_and_my_time_bank(login, alice, bob, carol, riverside):
    alice_account = Account.objects.get(person=alice)
    bob_account = Account.objects.get(person=bob)
    transfer_post(
        timebank=riverside, acting=carol, payer=bob_account, payee=alice_account, minutes=90
    )
    response = login(alice).get("/")
    assert b"1:30 hours" in response.content
    assert b"Riverside Time Bank" in response.content


@pytest.mark.parametrize("requests", [1, 12])
def test_home_uses_a_pinned_number_of_queries(
    login, alice, bob, riverside, requests, django_assert_num_queries, on_postgres
):
    from django.utils import timezone

    from coproduce.exchanges.models import Offer, Request

    now = timezone.now()
    Offer.objects.create(
        timebank=riverside, person=alice, title="Weeding", category="gardening", created_at=now
    )
    for n in range(requests):
        Request.objects.create(
            timebank=riverside,
            person=bob,
            title=f"Garden {n}",
            category="gardening",
            created_at=now,
        )
    from coproduce.matching.selectors import settings_for

    settings_for(riverside)  # created once per time bank, on first use
    client = login(alice)
    # On PostgreSQL her exchanges' ids are read first, as one array (exchanges_for_person).
    with django_assert_num_queries(19 + on_postgres):
        assert client.get("/").status_code == 200
    # The next view reuses the bank's figures and alice's ranked requests (kept a few minutes).
    with django_assert_num_queries(10 + on_postgres):
        assert client.get("/").status_code == 200


def test_a_person_switches_only_to_time_banks_they_belong_to(login, alice, hillside, harry):
    client = login(alice)
    response = client.post("/switch/", {"timebank": "hillside"})
    assert response.status_code == 404
    assert client.session.get("timebank_slug") is None


def test_a_member_of_two_time_banks_can_switch_between_them(login, alice, riverside, hillside):
    from coproduce.community.models import Membership

    Membership.objects.create(timebank=hillside, person=alice, status="active")
    client = login(alice)
    response = client.post("/switch/", {"timebank": "hillside", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert b"Hillside Time Bank" in client.get("/").content


def test_a_signed_in_person_without_a_time_bank_is_told_so(login, riverside):
    # On an installation with a time bank (one with none shows its first-run page instead).
    from coproduce.community.models import Person

    newcomer = Person.objects.create_user(username="newcomer", password="pw")
    assert b"not a member of a time bank yet" in login(newcomer).get("/").content


def test_the_banks_month_counts_only_its_exchanges_confirmed_in_the_last_30_days(
    riverside, hillside, alice, bob, harry
):
    from datetime import timedelta

    from django.utils import timezone

    from coproduce.exchanges.models import Exchange, Participant
    from coproduce.exchanges.selectors.exchanges import community_figures
    from coproduce.ledger.models import Account

    now = timezone.now()

    def exchange(bank, status, confirmed_days_ago, minutes, people):
        done = Exchange.objects.create(
            timebank=bank, title="Help", category="household", status=status,
            expected_minutes=minutes, actual_minutes=minutes, proposed_by=people[0],
            created_at=now - timedelta(days=40),
            confirmed_at=None if confirmed_days_ago is None
            else now - timedelta(days=confirmed_days_ago),
        )  # fmt: skip
        for side, person in zip(("provider", "receiver"), people, strict=False):
            Participant.objects.create(
                timebank=bank, exchange=done, side=side, person=person,
                account=Account.objects.get(timebank=bank, person=person),
            )  # fmt: skip

    exchange(riverside, "confirmed", 2, 90, [alice, bob])
    exchange(riverside, "confirmed", 29, 30, [alice])
    exchange(riverside, "confirmed", 31, 600, [bob])  # before the month
    exchange(riverside, "done", None, 60, [bob])  # not confirmed
    exchange(hillside, "confirmed", 1, 120, [harry])  # another bank
    figures = community_figures(timebank=riverside)
    assert (figures["exchanges"], figures["minutes"], figures["people"]) == (2, 120, 2)
