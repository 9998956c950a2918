"""The coordinator's partner banks pages: carol proposes, harry accepts, each sees where their
bank stands and the exchanges between them; anyone who is not a coordinator gets a 404, and a
refused form writes nothing."""

from __future__ import annotations

from django.urls import reverse

from coproduce.federation.models import Partnership, PartnershipStatus
from coproduce.ledger.models import Account
from tests.federation.conftest import confirmed_across

PARTNERS = reverse("federation:partnerships")


def detail(partnership) -> str:
    return reverse("federation:partnership", args=[partnership.public_id])


def step(partnership, name: str) -> str:
    return reverse(f"federation:partnership_{name}", args=[partnership.public_id])


def test_carol_proposes_from_the_page_and_harry_accepts_from_his(
    client, login, riverside, hillside, carol, harry
):
    response = login(carol).post(
        PARTNERS, {"partner": "hillside", "limit": "12", "message": "Shall we?"}
    )
    partnership = Partnership.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(partnership)
    client.logout()
    page = login(harry).get(detail(partnership)).content.decode()
    assert "Shall we?" in page and "Accept the partnership" in page
    response = login(harry).post(step(partnership, "accept"), {"accept-limit": "8"})
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.ACTIVE
    assert Account.objects.get(pk=partnership.proposer_clearing_id).min_balance == -12 * 60
    assert Account.objects.get(pk=partnership.partner_clearing_id).min_balance == -8 * 60


def test_a_bad_limit_is_a_clear_message_and_writes_nothing(login, riverside, hillside, carol):
    response = login(carol).post(PARTNERS, {"partner": "hillside", "limit": "-3"})
    assert response.status_code == 400
    assert "zero or more hours" in response.content.decode()
    assert not Partnership.objects.exists()
    assert not Account.objects.filter(kind="clearing").exists()


def test_members_and_other_banks_get_a_404(login, alice, harry, partners, riverside):
    assert login(alice).get(PARTNERS).status_code == 404
    assert login(alice).get(detail(partners)).status_code == 404
    response = login(alice).post(step(partners, "stop"), {})
    assert response.status_code == 404
    partners.refresh_from_db()
    assert partners.is_active


def test_the_page_shows_the_position_and_the_recent_exchanges(
    login, riverside, alice, hank, hanks_offer, partners, carol, harry
):
    confirmed_across(riverside=riverside, alice=alice, hank=hank, offer=hanks_offer)
    page = login(carol).get(detail(partners)).content.decode()
    assert "we owe them" in page and "1:30" in page
    assert "Garden help" in page and "our member received 1:30 h" in page
    page = login(harry).get(detail(partners)).content.decode()
    assert "they owe us" in page and "our member gave 1:30 h" in page
    listing = login(harry).get(PARTNERS).content.decode()
    assert "They owe us 1:30 h." in listing


def test_pausing_and_stopping_from_the_page(login, partners, carol, harry):
    assert login(harry).post(step(partners, "pause"), {}).status_code == 302
    page = login(carol).get(detail(partners)).content.decode()
    assert "paused by them" in page and ">Resume<" not in page
    response = login(carol).post(step(partners, "resume"), {})
    assert response.status_code == 400
    assert "only they can resume" in response.content.decode()
    partners.refresh_from_db()
    assert partners.is_paused
    assert login(carol).post(step(partners, "stop"), {}).status_code == 302
    partners.refresh_from_db()
    assert partners.status == PartnershipStatus.STOPPED


def test_alice_proposes_from_a_partner_offer(login, alice, hanks_offer, partners):
    url = reverse("federation:offer", args=[hanks_offer.public_id])
    response = login(alice).post(url, {"hours": "1:30", "notes": "Saturday?"})
    assert response.status_code == 302
    exchange = hanks_offer.exchanges.get()
    assert response["Location"] == reverse("exchanges:exchange", args=[exchange.public_id])
    assert exchange.expected_minutes == 90


def test_a_bad_time_on_the_partner_offer_writes_nothing(login, alice, hanks_offer, partners):
    url = reverse("federation:offer", args=[hanks_offer.public_id])
    response = login(alice).post(url, {"hours": "0"})
    assert response.status_code == 400
    assert not hanks_offer.exchanges.exists()


def test_the_partner_banks_page_reads_the_same_few_queries_however_many_partners(
    login, riverside, carol, partners, django_assert_max_num_queries
):
    from coproduce.community.models import TimeBank
    from coproduce.federation.services import partnership_propose

    client = login(carol)
    client.get(PARTNERS)  # sessions and the like settle on the first request
    with django_assert_max_num_queries(12) as one:
        client.get(PARTNERS)
    for slug in ("valley", "meadow", "brook"):
        bank = TimeBank.objects.create(slug=slug, name=slug.title())
        partnership_propose(timebank=riverside, partner=bank, acting=carol, limit_minutes=60)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(PARTNERS).content.decode()
    assert "Brook" in page and "Meadow" in page
