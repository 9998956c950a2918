"""The exchange pages: what alice, bob, carol, dan and harry see and can press, bad input shown
on the form with nothing written, and query counts pinned."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.exchanges.models import Exchange, ExchangeStatus, Offer, Request
from coproduce.exchanges.services.disputes import exchange_dispute, exchange_reverse
from coproduce.exchanges.services.feedback import feedback_give
from coproduce.ledger.models import Account, Transfer
from tests.exchanges.conftest import balance, propose, step


def url(name: str, exchange: Exchange | None = None) -> str:
    return reverse(f"exchanges:{name}", args=[exchange.public_id] if exchange else [])


ACTIONS = ["agree", "done", "confirm", "cancel", "dispute", "resolve", "reverse", "feedback"]


# --- who may see an exchange ----------------------------------------------------------------


@pytest.fixture
def carols_help(riverside, alice, carol):
    """Carol (the coordinator, also a member) helps alice."""
    return propose(riverside, carol, alice)


def test_alice_sees_her_exchange_with_carol(login, alice, carols_help):
    response = login(alice).get(url("exchange", carols_help))
    assert response.status_code == 200
    assert b"Help with the garden" in response.content


def test_bob_cannot_see_alice_and_carols_exchange(login, bob, carols_help):
    client = login(bob)
    assert client.get(url("exchange", carols_help)).status_code == 404
    for action in ACTIONS:
        assert client.post(url(f"exchange_{action}", carols_help)).status_code == 404
    carols_help.refresh_from_db()
    assert carols_help.status == ExchangeStatus.PROPOSED


def test_harry_from_hillside_cannot_see_it(login, harry, carols_help):
    client = login(harry)
    assert client.get(url("exchange", carols_help)).status_code == 404
    for action in ACTIONS:
        assert client.post(url(f"exchange_{action}", carols_help)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, carols_help):
    pages = ["exchanges", "exchange_new", "exchange_log"]
    for target in [*(url(name) for name in pages), url("exchange", carols_help)]:
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    response = client.post(url("exchange_confirm", carols_help))
    assert response["Location"].startswith("/login/")


def test_a_coordinator_sees_every_exchange_of_their_time_bank(login, carol, garden):
    response = login(carol).get(url("exchange", garden))
    assert response.status_code == 200
    assert b"Agree to this exchange" in response.content  # on behalf of an offline member


def test_the_log_page_is_only_for_coordinators(login, alice, harry, carol):
    assert login(alice).get(url("exchange_log")).status_code == 404
    assert login(harry).get(url("exchange_log")).status_code == 200  # his own time bank's page
    assert login(carol).get(url("exchange_log")).status_code == 200


def test_an_unknown_exchange_is_not_found(login, alice, riverside):
    missing = "/exchanges/00000000-0000-0000-0000-000000000000/"
    assert login(alice).get(missing).status_code == 404


# --- the buttons, pressed -------------------------------------------------------------------


def test_the_whole_story_through_the_pages(login, alice, bob, garden):
    alice_client = login(alice)
    page = alice_client.get(url("exchange", garden))
    assert b"Agree to this exchange" in page.content
    response = alice_client.post(url("exchange_agree", garden), follow=True)
    assert b"You have agreed" in response.content
    response = alice_client.post(url("exchange_done", garden), {"done-hours": "1:30"})
    assert response.status_code == 302
    bob_client = login(bob)
    page = bob_client.get(url("exchange", garden))
    assert b"Confirming moves 1:30 hours" in page.content
    response = bob_client.post(url("exchange_confirm", garden), follow=True)
    assert b"Thank you for confirming" in response.content
    assert (balance(alice), balance(bob)) == (90, -90)
    response = bob_client.post(
        url("exchange_feedback", garden),
        {"feedback-about": f"person:{alice.public_id}", "feedback-message": "Thank you!"},
        follow=True,
    )
    assert b"Thank you!" in response.content


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "is not a length of time"),
        ("0", "more than zero"),
        ("13", "at most 12:00 hours"),
        ("", "This field is required"),
    ],
)
def test_bad_hours_are_shown_on_the_form_and_nothing_changes(login, alice, garden, typed, message):
    step(garden, "agreed")
    response = login(alice).post(url("exchange_done", garden), {"done-hours": typed})
    assert response.status_code == 400
    assert message.encode() in response.content
    assert b'aria-invalid="true"' in response.content
    assert b'aria-describedby="id_done-hours_error' in response.content
    garden.refresh_from_db()
    assert garden.status == ExchangeStatus.AGREED


def test_a_limit_refusal_is_shown_on_the_confirm_form(login, bob, garden):
    Account.objects.filter(person=bob).update(min_balance=-60)
    step(garden, "done")
    response = login(bob).post(url("exchange_confirm", garden))
    assert response.status_code == 400
    assert b"below its limit" in response.content
    assert b'role="alert"' in response.content
    garden.refresh_from_db()
    assert garden.status == ExchangeStatus.DONE
    assert not Transfer.objects.exists()


def test_a_dispute_without_a_reason_is_refused(login, bob, garden):
    step(garden, "done")
    response = login(bob).post(url("exchange_dispute", garden), {"dispute-reason": ""})
    assert response.status_code == 400
    garden.refresh_from_db()
    assert garden.status == ExchangeStatus.DONE


def test_carol_resolves_and_reverses_through_the_page(login, carol, alice, bob, garden):
    step(garden, "done", minutes=180)
    exchange_dispute(exchange=garden, acting=bob, reason="Only an hour")
    client = login(carol)
    assert b"Resolve the problem" in client.get(url("exchange", garden)).content
    response = client.post(
        url("exchange_resolve", garden),
        {"resolve-outcome": "adjust", "resolve-hours": "", "resolve-note": "One hour"},
    )
    assert b"Give the time agreed" in response.content
    response = client.post(
        url("exchange_resolve", garden),
        {"resolve-outcome": "adjust", "resolve-hours": "1", "resolve-note": "One hour"},
    )
    assert response.status_code == 302
    assert (balance(alice), balance(bob)) == (60, -60)
    response = client.post(
        url("exchange_reverse", garden), {"reverse-reason": "Wrong people"}, follow=True
    )
    assert b"the credits were reversed by a coordinator" in response.content
    assert (balance(alice), balance(bob)) == (0, 0)


def test_bob_cannot_press_alices_buttons(login, bob, garden):
    response = login(bob).post(url("exchange_agree", garden))
    assert response.status_code == 400
    assert b"you proposed this one" in response.content
    garden.refresh_from_db()
    assert garden.status == ExchangeStatus.PROPOSED


def test_an_action_url_does_not_answer_a_get(login, alice, garden):
    assert login(alice).get(url("exchange_agree", garden)).status_code == 405


# --- arranging ------------------------------------------------------------------------------


def test_bob_answers_alices_offer(login, riverside, alice, bob):
    offer = Offer.objects.create(
        timebank=riverside, person=alice, title="Lifts to the surgery", category="transport",
        created_at=timezone.now(),
    )  # fmt: skip
    client = login(bob)
    page = client.get(url("exchange_new") + f"?offer={offer.public_id}")
    assert b'value="Lifts to the surgery"' in page.content
    response = client.post(
        url("exchange_new") + f"?offer={offer.public_id}",
        {"title": "Lift on Tuesday", "category": "transport", "hours": "1.5",
         "paid_by": "receivers"},
    )  # fmt: skip
    exchange = Exchange.objects.get()
    assert response["Location"] == url("exchange", exchange)
    assert exchange.offer == offer and exchange.expected_minutes == 90
    assert {p.side: p.person for p in exchange.participants.all()} == {
        "provider": alice,
        "receiver": bob,
    }


def test_alice_answers_bobs_request(login, riverside, alice, bob):
    wanted = Request.objects.create(
        timebank=riverside, person=bob, title="Fix my shelf", category="household",
        created_at=timezone.now(),
    )  # fmt: skip
    response = login(alice).post(
        url("exchange_new") + f"?request={wanted.public_id}",
        {"title": "Fix the shelf", "category": "household", "hours": "1", "paid_by": "receivers"},
    )
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.participants.get(side="provider").person == alice


def test_an_offer_from_another_time_bank_is_not_found(login, hillside, harry, alice):
    offer = Offer.objects.create(
        timebank=hillside, person=harry, title="Hillside lifts", category="transport",
        created_at=timezone.now(),
    )  # fmt: skip
    assert login(alice).get(url("exchange_new") + f"?offer={offer.public_id}").status_code == 404
    assert login(alice).get(url("exchange_new") + "?offer=not-a-uuid").status_code == 404


@pytest.mark.parametrize(
    ("others", "hours", "message"),
    [
        ("alice", "1", "can&#x27;t exchange with yourself"),
        ("nobody", "1", "No one in this time bank has the username"),
        ("harry", "1", "No one in this time bank has the username"),
        ("bob", "abc", "is not a length of time"),
        ("bob", "0", "more than zero"),
        ("bob", "13", "at most 12:00 hours"),
    ],
)
def test_arranging_with_bad_input_writes_nothing(login, alice, bob, harry, others, hours, message):
    response = login(alice).post(
        url("exchange_new"),
        {"my_role": "giving", "others": others, "title": "Tea", "category": "companionship",
         "hours": hours, "paid_by": "receivers"},
    )  # fmt: skip
    assert response.status_code == 200
    assert message.encode() in response.content
    assert not Exchange.objects.exists()


def test_alice_arranges_a_group_session_by_usernames(login, alice, bob, dan, erin):
    response = login(alice).post(
        url("exchange_new"),
        {"my_role": "giving", "others": "bob, dan,erin", "title": "Phone skills",
         "category": "learning", "hours": "1", "paid_by": "receivers"},
    )  # fmt: skip
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.participants.filter(side="receiver").count() == 3


def test_carol_logs_help_for_offline_members(login, carol, alice, bob):
    client = login(carol)
    response = client.post(
        url("exchange_log"),
        {"provider": "alice", "receiver": "bob", "title": "Shopping", "category": "household",
         "hours": "2", "done_on": timezone.localdate().isoformat(), "note": "By phone"},
    )  # fmt: skip
    exchange = Exchange.objects.get()
    assert response["Location"] == url("exchange", exchange)
    assert exchange.status == ExchangeStatus.CONFIRMED
    assert (balance(alice), balance(bob)) == (120, -120)


def test_logging_with_bad_input_writes_nothing(login, carol, alice):
    response = login(carol).post(
        url("exchange_log"),
        {"provider": "alice", "receiver": "alice", "title": "x", "category": "household",
         "hours": "2", "done_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert b"can&#x27;t exchange with yourself" in response.content
    assert not Exchange.objects.exists()


# --- the list, and query counts --------------------------------------------------------------


def test_my_exchanges_are_grouped(login, riverside, alice, bob, dan, erin):
    waiting = propose(riverside, alice, bob, title="Walk the dog")  # bob proposed: alice agrees
    mine = propose(riverside, dan, alice, title="Lift to town")  # alice proposed: in progress
    finished = propose(riverside, alice, erin, title="Tea and a chat")
    step(finished, "confirmed")
    propose(riverside, dan, bob, title="Not alices")
    response = login(alice).get(url("exchanges"))
    content = response.content.decode()
    waiting_at, active_at, finished_at = (
        content.index(h) for h in ("Waiting for me", "In progress", "Finished")
    )
    assert waiting_at < content.index(waiting.title) < active_at
    assert active_at < content.index(mine.title) < finished_at
    assert finished_at < content.index(finished.title)
    assert "Not alices" not in content


def test_my_exchanges_says_which_credits_a_coordinator_reversed(
    login, riverside, carol, alice, bob
):
    garden = propose(riverside, alice, bob, title="Garden")
    step(garden, "confirmed", minutes=60)
    shopping = propose(riverside, alice, bob, title="Shopping")
    step(shopping, "confirmed", minutes=60)
    exchange_reverse(exchange=garden, acting=carol, reason="Logged twice")
    content = login(alice).get(url("exchanges")).content.decode()
    garden_row = content[content.index("Garden") :].split("</li>")[0]
    shopping_row = content[content.index("Shopping") :].split("</li>")[0]
    assert "(credits reversed)" in garden_row
    assert "(credits reversed)" not in shopping_row


def test_the_list_uses_a_bounded_number_of_queries(
    login, riverside, alice, bob, dan, erin, django_assert_max_num_queries, on_postgres
):
    for n in range(12):
        exchange = propose(riverside, alice, [bob, dan, erin][n % 3], title=f"Help {n}")
        if n % 2:
            step(exchange, "confirmed", minutes=30)
    client = login(alice)
    # Her organisations are read first, and on PostgreSQL her exchanges' ids (issue 17: the
    # list is read from her participations, never by testing each of the bank's exchanges).
    with django_assert_max_num_queries(9 + on_postgres):
        response = client.get(url("exchanges"))
    assert response.content.count(b"Help ") >= 12


def test_the_exchange_page_uses_a_bounded_number_of_queries(
    login, riverside, alice, bob, dan, erin, django_assert_max_num_queries
):
    exchange = propose(riverside, alice, [bob, dan, erin], acting=alice)
    step(exchange, "confirmed")
    client = login(bob)
    # Issue 13 added two: the other sides' memberships (contact details) and the thread.
    with django_assert_max_num_queries(13):
        assert client.get(url("exchange", exchange)).status_code == 200


def test_the_thanks_form_goes_once_everyone_is_thanked(login, alice, bob, garden):
    step(garden, "confirmed")
    client = login(bob)
    assert b"Say thank you" in client.get(url("exchange", garden)).content
    feedback_give(exchange=garden, author=bob, about_person=alice, message="Thanks")
    assert b"Say thank you" not in client.get(url("exchange", garden)).content


def test_only_coordinators_and_partner_staff_choose_who_pays(login, alice, carol, dr_patel):
    assert b'name="paid_by"' not in login(alice).get(url("exchange_new")).content
    staff_page = login(dr_patel).get(url("exchange_new")).content
    assert b'name="paying_organisation"' in staff_page
    assert b'value="chest"' not in staff_page
    assert b'value="chest"' in login(carol).get(url("exchange_new")).content


def test_dr_patel_arranges_a_session_the_surgery_pays_for(login, dr_patel, surgery, alice, bob):
    response = login(dr_patel).post(
        url("exchange_new"),
        {"my_role": "receiving", "others": "alice", "title": "Walk", "category": "health",
         "hours": "1", "paid_by": "organisation", "paying_organisation": str(surgery.public_id)},
    )  # fmt: skip
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.paying_account.organisation == surgery


def test_a_member_who_left_another_time_bank_can_still_be_named(riverside, hillside, alice):
    from coproduce.community.models import Membership
    from coproduce.community.permissions import member_get_by_username

    Membership.objects.create(timebank=hillside, person=alice, status="left")
    assert member_get_by_username(timebank=riverside, username="ALICE") == alice
    assert member_get_by_username(timebank=hillside, username="alice") is None
