"""Who sees a member's phone, email and area (issue 10; #13 shows it on exchange pages).

Bob's number is 07700 900123. Alice, his neighbour, sees it only once they have agreed an
exchange, unless bob chose otherwise; carol, the coordinator, always sees it; harry (Hillside)
and dr_patel (a professional) never do.
"""

from __future__ import annotations

import pytest

from coproduce.community.models import Membership, Visibility
from coproduce.community.selectors import AGREED_EXCHANGE_STATUSES, contact_visible_to
from coproduce.core.models import AuditEvent
from coproduce.exchanges.models import ExchangeStatus
from coproduce.exchanges.services.exchanges import exchange_cancel
from tests.exchanges.conftest import propose, step

pytestmark = pytest.mark.django_db

PHONE = "07700 900123"
EMAIL = "bob@example.org"


@pytest.fixture
def bobs(riverside, bob) -> Membership:
    bob.phone, bob.email = PHONE, EMAIL
    bob.save()
    return Membership.objects.select_related("person", "timebank").get(
        person=bob, timebank=riverside
    )


def _choose(membership: Membership, **choices: str) -> Membership:
    Membership.objects.filter(pk=membership.pk).update(**choices)
    membership.refresh_from_db()
    return membership


def test_the_agreed_statuses_are_the_exchange_apps_own():
    assert set(AGREED_EXCHANGE_STATUSES) <= set(ExchangeStatus.values)
    assert set(AGREED_EXCHANGE_STATUSES) == set(ExchangeStatus.values) - {
        ExchangeStatus.PROPOSED,
        ExchangeStatus.CANCELLED,
    }


def test_by_default_alice_sees_bobs_phone_only_after_they_agree_an_exchange(
    riverside, alice, bobs, login
):
    bob = bobs.person
    assert bobs.phone_visible_to == Visibility.EXCHANGES
    assert contact_visible_to(alice, bobs).phone is None
    page = login(alice).get(f"/people/{bob.public_id}/").content.decode()
    assert PHONE not in page and EMAIL not in page

    exchange = propose(riverside, alice, bob)
    assert contact_visible_to(alice, bobs).phone is None  # only proposed

    step(exchange, "agreed")
    seen = contact_visible_to(alice, bobs)
    assert (seen.phone, seen.email) == (PHONE, EMAIL)
    page = login(alice).get(f"/people/{bob.public_id}/").content.decode()
    assert PHONE in page and EMAIL in page


def test_a_cancelled_exchange_shares_nothing(riverside, alice, bobs):
    exchange = propose(riverside, alice, bobs.person)
    exchange_cancel(exchange=exchange, acting=alice)
    assert contact_visible_to(alice, bobs).phone is None


def test_with_nobody_alice_never_sees_bobs_phone_even_after_help_is_confirmed(
    riverside, alice, bobs, login
):
    _choose(bobs, phone_visible_to=Visibility.NOBODY, email_visible_to=Visibility.NOBODY)
    step(propose(riverside, alice, bobs.person), "confirmed")
    seen = contact_visible_to(alice, bobs)
    assert (seen.phone, seen.email) == (None, None)
    page = login(alice).get(f"/people/{bobs.person.public_id}/").content.decode()
    assert PHONE not in page and EMAIL not in page


def test_with_all_members_alice_sees_it_without_any_exchange(alice, bobs):
    _choose(bobs, phone_visible_to=Visibility.MEMBERS)
    seen = contact_visible_to(alice, bobs)
    assert seen.phone == PHONE
    assert seen.email is None  # still the default: people she has agreed an exchange with


def test_carol_the_coordinator_always_sees_everything(carol, bobs, login):
    _choose(
        bobs,
        phone_visible_to=Visibility.NOBODY,
        email_visible_to=Visibility.NOBODY,
        area_visible_to=Visibility.NOBODY,
    )
    seen = contact_visible_to(carol, bobs)
    assert (seen.phone, seen.email, seen.area) == (PHONE, EMAIL, "Northbank")
    assert PHONE in login(carol).get(f"/people/{bobs.person.public_id}/").content.decode()


def test_harry_from_another_time_bank_never_sees_it(harry, bobs):
    _choose(bobs, phone_visible_to=Visibility.MEMBERS, area_visible_to=Visibility.MEMBERS)
    seen = contact_visible_to(harry, bobs)
    assert (seen.phone, seen.email, seen.area) == (None, None, None)


def test_dr_patel_the_professional_never_browses_members(dr_patel, bobs, login):
    _choose(bobs, phone_visible_to=Visibility.MEMBERS)
    assert contact_visible_to(dr_patel, bobs).phone is None
    assert login(dr_patel).get(f"/people/{bobs.person.public_id}/").status_code == 404


def test_an_applicant_sees_no_ones_details(riverside, bobs):
    from tests.conftest import _join, _person

    newcomer = _join(riverside, _person("nina", "Nina", "New"), status="applied")
    _choose(bobs, phone_visible_to=Visibility.MEMBERS)
    assert contact_visible_to(newcomer, bobs).phone is None


def test_hiding_the_area_hides_it_on_the_profile_but_search_by_area_still_finds_the_offer(
    riverside, alice, bobs, login
):
    from coproduce.exchanges.services.listings import listing_create

    _choose(bobs, area_visible_to=Visibility.NOBODY)
    listing_create(
        kind="offer",
        timebank=riverside,
        acting=bobs.person,
        title="Bike repairs",
        category="transport",
    )
    client = login(alice)
    page = client.get(f"/people/{bobs.person.public_id}/").content.decode()
    assert "Not shared" in page and "Northbank" not in page
    found = client.get("/offers/", {"area": "Northbank"}).content.decode()
    assert "Bike repairs" in found


def test_bob_sets_his_choices_on_his_privacy_page_and_it_is_audited(bobs, login):
    client = login(bobs.person)
    page = client.get("/privacy/").content.decode()
    assert "coordinators always see" in page
    response = client.post(
        "/privacy/",
        {
            "phone_visible_to": "members",
            "email_visible_to": "nobody",
            "area_visible_to": "exchanges",
        },
    )
    assert response.status_code == 302
    bobs.refresh_from_db()
    assert (bobs.phone_visible_to, bobs.email_visible_to, bobs.area_visible_to) == (
        "members",
        "nobody",
        "exchanges",
    )
    event = AuditEvent.objects.get(action="person.privacy_updated")
    assert event.data["new"] == {
        "phone_visible_to": "members",
        "email_visible_to": "nobody",
        "area_visible_to": "exchanges",
    }
    assert PHONE not in str(event.data)


def test_a_choice_not_on_the_list_is_refused_and_changes_nothing(bobs, login):
    client = login(bobs.person)
    response = client.post(
        "/privacy/",
        {
            "phone_visible_to": "everyone",
            "email_visible_to": "nobody",
            "area_visible_to": "members",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    bobs.refresh_from_db()
    assert (bobs.phone_visible_to, bobs.email_visible_to) == ("exchanges", "exchanges")
    assert not AuditEvent.objects.filter(action="person.privacy_updated").exists()


def test_the_privacy_page_is_in_the_menu_and_on_my_profile(alice, login):
    client = login(alice)
    profile = client.get("/profile/").content.decode()
    assert profile.count('href="/privacy/"') == 3  # the menu, the button, the contact section
    assert "Privacy and my data" in client.get("/offers/").content.decode()


def test_only_a_coordinator_sees_the_way_to_erase_a_member(alice, bob, carol, login):
    erase = f"/privacy/members/{bob.public_id}/erase/"
    assert erase in login(carol).get(f"/people/{bob.public_id}/").content.decode()
    assert erase in login(carol).get(f"/members/{bob.public_id}/edit/").content.decode()
    assert erase not in login(alice).get(f"/people/{bob.public_id}/").content.decode()
