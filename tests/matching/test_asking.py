"""Who could help, for the person who asked: alice posts a request for a lift and sees, on her
own request's page, who could help with only the reasons safe to show a member; she asks one;
the one she asks is told and agrees through the normal exchange flow. And the broker's "Ask",
as the volunteer it reaches reads it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from coproduce.community.models import Block, Membership, Visibility
from coproduce.core.categories import Category
from coproduce.core.models import AuditEvent, Notification
from coproduce.exchanges.models import Exchange, ExchangeStatus
from coproduce.matching.asking import ASKS_PER_REQUEST_PER_DAY
from coproduce.matching.index import profile_refresh
from coproduce.matching.models import MatchingPreference, MatchingSettings
from tests.conftest import _join, _person

from .conftest import ask, offer


def request_url(help_request):
    return reverse("exchanges:request", args=[help_request.public_id])


def invite_url(help_request, person):
    return reverse("matching:invite", args=[help_request.public_id, person.public_id])


@pytest.fixture
def lift_request(alice, riverside):
    return ask(
        alice,
        riverside,
        "A lift to the surgery",
        category=Category.TRANSPORT,
        description="Thursday morning, back by noon",
    )


@pytest.fixture
def bob_drives(bob, riverside):
    bob.email = "bob@example.org"
    bob.save()
    return offer(bob, riverside, "Lifts in my car", category=Category.TRANSPORT)


def rows():
    return (
        Exchange.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.filter(action="matching.invited").count(),
    )


@pytest.mark.django_db
def test_alice_sees_bob_who_offers_lifts_asks_him_and_he_agrees_once(
    login, client, alice, bob, bob_drives, lift_request, django_capture_on_commit_callbacks
):
    page = login(alice).get(request_url(lift_request)).content.decode()
    assert "Who could help?" in page
    assert "Bob Brown" in page
    assert "offers transport" in page
    assert "lives in Northbank" in page
    assert "a new connection" in page
    assert "out of 100" not in page  # never a score
    assert "chance to give" not in page  # never a fairness (balance, history) reason

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_url(lift_request, bob))
    assert response.status_code == 302
    assert response["Location"] == request_url(lift_request) + "#who-could-help"
    exchange = Exchange.objects.get()
    assert exchange.request == lift_request and exchange.status == ExchangeStatus.PROPOSED
    assert exchange.proposed_by == alice and exchange.logged_by is None
    told = Notification.objects.get(person=bob, kind="exchange_proposed")
    assert told.message.startswith("Alice Ahmed asked you to help with “A lift to the surgery”")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.org"]
    assert AuditEvent.objects.filter(action="matching.invited", actor=alice).count() == 1
    assert "Asked. They will agree" in client.get(request_url(lift_request)).content.decode()

    # Bob opens the request: he is shown the invitation, not a second "Propose an exchange".
    client.logout()
    bobs_page = login(bob).get(request_url(lift_request)).content.decode()
    assert "Alice Ahmed asked you to help with this." in bobs_page
    assert "Propose an exchange" not in bobs_page
    assert "Who could help?" not in bobs_page
    response = client.post(reverse("exchanges:exchange_agree", args=[exchange.public_id]))
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.AGREED
    assert Exchange.objects.count() == 1


@pytest.mark.django_db
def test_asking_twice_makes_one_exchange(login, alice, bob, bob_drives, lift_request):
    client = login(alice)
    client.post(invite_url(lift_request, bob))
    before = rows()
    client.post(invite_url(lift_request, bob))
    assert rows() == before


@pytest.mark.django_db
def test_bob_cannot_ask_people_for_alices_request_and_nothing_changes(
    login, alice, bob, bob_drives, lift_request, riverside
):
    dan = _join(riverside, _person("dan", "Dan", "Davies"))
    offer(dan, riverside, "Driving", category=Category.TRANSPORT)
    client = login(bob)
    before = rows()
    assert client.post(invite_url(lift_request, dan)).status_code == 404
    assert rows() == before
    assert "Who could help?" not in client.get(request_url(lift_request)).content.decode()


@pytest.mark.django_db
def test_a_member_asks_a_bounded_number_of_people_a_day(login, alice, lift_request, riverside):
    drivers = []
    for i in range(ASKS_PER_REQUEST_PER_DAY + 1):
        driver = _join(riverside, _person(f"driver{i}", f"Driver{i}", "Smith"))
        offer(driver, riverside, "Lifts", category=Category.TRANSPORT)
        drivers.append(driver)
    client = login(alice)
    for driver in drivers[:-1]:
        assert client.post(invite_url(lift_request, driver)).status_code == 302
    before = rows()
    response = client.post(invite_url(lift_request, drivers[-1]), follow=True)
    assert "people to help with this request today" in response.content.decode()
    assert rows() == before


@pytest.mark.django_db
def test_the_coordinators_asks_are_not_counted_against_the_members(
    login, carol, alice, lift_request, riverside
):
    drivers = []
    for i in range(ASKS_PER_REQUEST_PER_DAY + 1):
        driver = _join(riverside, _person(f"driver{i}", f"Driver{i}", "Smith"))
        offer(driver, riverside, "Lifts", category=Category.TRANSPORT)
        drivers.append(driver)
    client = login(carol)
    for driver in drivers:
        client.post(invite_url(lift_request, driver))
    assert Exchange.objects.count() == ASKS_PER_REQUEST_PER_DAY + 1


@pytest.mark.django_db
def test_an_area_kept_from_members_is_not_shown(login, alice, bob, bob_drives, lift_request):
    Membership.objects.filter(person=bob).update(area_visible_to=Visibility.NOBODY)
    page = login(alice).get(request_url(lift_request)).content.decode()
    assert "Bob Brown" in page and "Northbank" not in page.split("Who could help?")[1]


@pytest.mark.django_db
def test_an_area_shown_to_exchange_partners_is_shown_after_an_agreed_exchange(
    login, alice, bob, bob_drives, lift_request, riverside
):
    Membership.objects.filter(person=bob).update(area_visible_to=Visibility.EXCHANGES)
    client = login(alice)
    assert "lives in Northbank" not in client.get(request_url(lift_request)).content.decode()
    from coproduce.exchanges.services.exchanges import exchange_agree, exchange_propose

    earlier = exchange_propose(
        timebank=riverside,
        acting=alice,
        providers=[bob],
        receivers=[alice],
        title="Carrying shopping",
        category=Category.HOUSEHOLD,
        expected_minutes=60,
    )
    exchange_agree(exchange=earlier, acting=bob)
    assert "lives in Northbank" in client.get(request_url(lift_request)).content.decode()


@pytest.mark.django_db
def test_someone_who_asked_not_to_be_matched_is_not_shown_or_asked(
    login, alice, bob, bob_drives, lift_request, riverside
):
    MatchingPreference.objects.create(
        timebank=riverside, person=bob, excluded_categories=[Category.TRANSPORT]
    )
    profile_refresh(timebank_id=riverside.pk, person_id=bob.pk)
    client = login(alice)
    assert "Bob Brown" not in client.get(request_url(lift_request)).content.decode()
    before = rows()
    response = client.post(invite_url(lift_request, bob), follow=True)
    assert "cannot be asked to help" in response.content.decode()
    assert rows() == before


@pytest.mark.django_db
def test_people_blocked_with_the_asker_are_not_shown_or_asked(
    login, carol, alice, bob, bob_drives, lift_request
):
    # Alice blocked bob (community.Block; matching.blocks is where matching reads it).
    Block.objects.create(blocker=alice, blocked=bob)
    client = login(alice)
    assert "Bob Brown" not in client.get(request_url(lift_request)).content.decode()
    before = rows()
    client.post(invite_url(lift_request, bob))
    assert rows() == before
    client.logout()
    # Nor does the coordinator's page suggest him for her request.
    candidates = login(carol).get(reverse("matching:candidates", args=[lift_request.public_id]))
    assert "Bob Brown" not in candidates.content.decode()


@pytest.mark.django_db
def test_a_time_bank_that_turns_it_off_shows_no_one(login, alice, bob, bob_drives, lift_request):
    MatchingSettings.objects.update_or_create(
        timebank=lift_request.timebank, defaults={"requester_sees_candidates": False}
    )
    client = login(alice)
    assert "Who could help?" not in client.get(request_url(lift_request)).content.decode()
    before = rows()
    assert client.post(invite_url(lift_request, bob)).status_code == 404
    assert rows() == before


# The request page with its "Who could help?" section: the same bound with one person suggested
# as with a full list (one person leaves room for the ranking's fill-in step, one query more;
# the blocks of the person asking are one query).
REQUEST_PAGE_QUERIES = 19


@pytest.mark.django_db
def test_the_request_page_costs_the_same_queries_for_one_and_for_many_suggestions(
    login, alice, bob, lift_request, riverside, django_assert_max_num_queries
):
    offer(bob, riverside, "Lifts", category=Category.TRANSPORT)
    client = login(alice)
    client.get(request_url(lift_request))  # the matching settings are made on first use
    with django_assert_max_num_queries(REQUEST_PAGE_QUERIES):
        page = client.get(request_url(lift_request)).content.decode()
    assert page.count("to help</button>") == 1
    for i in range(9):
        driver = _join(riverside, _person(f"driver{i}", f"Driver{i}", "Smith"), area="Northbank")
        offer(driver, riverside, "Lifts", category=Category.TRANSPORT)
    with django_assert_max_num_queries(REQUEST_PAGE_QUERIES):
        page = client.get(request_url(lift_request)).content.decode()
    assert page.count("to help</button>") == 5


@pytest.mark.django_db
def test_the_broker_asking_on_alices_behalf_tells_bob_a_coordinator_asked(
    login, carol, alice, bob, bob_drives, lift_request
):
    login(carol).post(invite_url(lift_request, bob))
    told = Notification.objects.get(person=bob, kind="exchange_proposed")
    assert told.message.startswith(
        "Carol Jones, a coordinator, asked you on Alice Ahmed's behalf to help with"
    )
    assert "Alice Ahmed has proposed" not in told.message


@pytest.mark.django_db
def test_after_the_brokers_ask_the_request_page_shows_bob_the_invitation_not_a_second_proposal(
    login, client, carol, alice, bob, bob_drives, lift_request
):
    login(carol).post(invite_url(lift_request, bob))
    client.logout()
    page = login(bob).get(request_url(lift_request)).content.decode()
    assert "A coordinator asked you, on Alice Ahmed's behalf, to help with this." in page
    assert "Propose an exchange" not in page
    exchange = Exchange.objects.get()
    assert reverse("exchanges:exchange", args=[exchange.public_id]) in page
