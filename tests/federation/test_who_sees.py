"""Who sees what between partner banks: nothing without an active partnership; with one, only
active listings, marked with their bank, and of their authors only the display name; a blocked
or paused person stays hidden; an exchange is seen by the people taking part (each from their
own bank) and by the coordinators of the bank it belongs to."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coproduce.community.models import Block
from coproduce.exchanges.services.exchanges import exchange_agree
from coproduce.federation.services import crossing_propose, partnership_pause
from tests.federation.conftest import done_across

OFFERS = reverse("exchanges:offers")


def partner_url(offer) -> str:
    return reverse("federation:offer", args=[offer.public_id])


def test_without_a_partnership_nothing_of_hillside_shows(login, alice, hanks_offer):
    client = login(alice)
    page = client.get(OFFERS).content.decode()
    assert "Garden help" not in page
    assert client.get(partner_url(hanks_offer)).status_code == 404


def test_a_partner_banks_offers_show_marked_with_their_bank(login, alice, hanks_offer, partners):
    page = login(alice).get(OFFERS).content.decode()
    assert "Offers from partner time banks" in page
    assert "Garden help" in page
    assert "from Hillside Time Bank" in page
    assert partner_url(hanks_offer) in page


def test_a_search_reaches_partner_listings_too(login, alice, hanks_offer, partners):
    client = login(alice)
    assert "Garden help" in client.get(OFFERS, {"q": "weeding"}).content.decode()
    assert "Garden help" not in client.get(OFFERS, {"q": "piano"}).content.decode()


def test_the_partner_listing_shows_the_display_name_and_no_contact(
    login, alice, hank, hanks_offer, partners
):
    hank.email = "hank@example.org"
    hank.phone = "07700 900123"
    hank.save()
    page = login(alice).get(partner_url(hanks_offer)).content.decode()
    assert hank.display_name in page
    assert "hank@example.org" not in page and "07700" not in page
    assert reverse("community:profile", args=[hank.public_id]) not in page


def test_paused_partnership_hides_them_again(login, alice, hillside, harry, hanks_offer, partners):
    partnership_pause(partnership=partners, timebank=hillside, acting=harry)
    client = login(alice)
    assert "Garden help" not in client.get(OFFERS).content.decode()
    assert client.get(partner_url(hanks_offer)).status_code == 404


def test_a_blocked_person_stays_hidden(login, alice, hank, hanks_offer, partners):
    Block.objects.create(blocker=alice, blocked=hank)
    client = login(alice)
    assert "Garden help" not in client.get(OFFERS).content.decode()
    assert client.get(partner_url(hanks_offer)).status_code == 404


def test_a_person_under_a_safeguarding_pause_stays_hidden(
    login, alice, hank, hillside, harry, hanks_offer, partners
):
    from django.utils import timezone

    from coproduce.community.models import SafeguardingPause

    SafeguardingPause.objects.create(
        timebank=hillside, person=hank, started_by=harry, reason="x", started_at=timezone.now()
    )
    client = login(alice)
    assert "Garden help" not in client.get(OFFERS).content.decode()
    assert client.get(partner_url(hanks_offer)).status_code == 404


def test_hillside_members_do_not_see_their_own_bank_as_a_partner(
    login, hank, partners, hanks_offer
):
    client = login(hank)
    assert "partner time banks" not in client.get(OFFERS).content.decode()
    assert client.get(partner_url(hanks_offer)).status_code == 404


@pytest.fixture
def agreed(riverside, alice, hank, hanks_offer, partners):
    exchange = crossing_propose(
        timebank=riverside, acting=alice, listing=hanks_offer, expected_minutes=60
    )
    return exchange_agree(exchange=exchange, acting=hank)


def test_each_side_sees_the_exchange_from_their_own_bank(login, agreed, alice, hank, client):
    url = reverse("exchanges:exchange", args=[agreed.public_id])
    page = login(alice).get(url).content.decode()
    assert "from Hillside Time Bank" in page
    assert agreed.title in login(alice).get(reverse("exchanges:exchanges")).content.decode()
    page = login(hank).get(url).content.decode()
    assert "from Riverside Time Bank" in page


def test_hank_sees_alices_name_but_not_her_contact_details(login, agreed, alice, hank):
    alice.email = "alice@example.org"
    alice.save()
    from coproduce.community.models import Membership

    Membership.objects.filter(person=alice).update(email_visible_to="exchanges")
    page = login(hank).get(reverse("exchanges:exchange", args=[agreed.public_id])).content.decode()
    assert alice.display_name in page
    assert "alice@example.org" not in page


def test_the_coordinators_of_the_exchanges_bank_see_it_and_the_others_do_not(
    login, agreed, carol, harry, bob
):
    url = reverse("exchanges:exchange", args=[agreed.public_id])
    assert login(harry).get(url).status_code == 200
    assert login(carol).get(url).status_code == 404
    assert login(bob).get(url).status_code == 404


def test_the_exchange_is_done_across_banks_by_the_usual_buttons(
    login, riverside, alice, hank, hanks_offer, partners
):
    exchange = done_across(riverside=riverside, alice=alice, hank=hank, offer=hanks_offer)
    response = login(alice).post(
        reverse("exchanges:exchange_confirm", args=[exchange.public_id]), {}
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.is_confirmed


def test_both_write_in_the_exchanges_thread(login, agreed, alice, hank):
    write = reverse("conversations:exchange", args=[agreed.public_id])
    page = reverse("exchanges:exchange", args=[agreed.public_id])
    assert login(alice).post(write, {"message-body": "Saturday at ten?"}).status_code == 302
    assert login(hank).post(write, {"message-body": "Ten is fine."}).status_code == 302
    assert "Ten is fine." in login(alice).get(page).content.decode()
