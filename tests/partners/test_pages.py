"""The pages in use: forms, messages, and the number of queries each list needs."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.community.models import Organisation
from coproduce.exchanges.models import Offer
from coproduce.ledger.models import Account
from coproduce.partners.models import Outcome, Pool, PoolSpend, Referral
from coproduce.partners.services.pools import pool_contribute, pool_create

TODAY = timezone.localdate


def _referral_form(surgery, **overrides):
    data = {
        "organisation": surgery.public_id,
        "first_name": "Edna",
        "last_name": "Wright",
        "contact_preference": "phone",
        "phone": "07700 900123",
        "area": "Northbank",
        "what_matters": "Her garden.",
        "goals": ["less_isolated"],
        "consent": "on",
        "consent_given_by": "Edna Wright",
        "consent_given_on": TODAY().isoformat(),
        "consent_how": "verbal",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_dr_patel_refers_edna_from_the_form(surgery, login, dr_patel, carol):
    client = login(dr_patel)
    assert client.get(reverse("partners:referral_new")).status_code == 200
    response = client.post(reverse("partners:referral_new"), _referral_form(surgery), follow=True)
    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == reverse("partners:referral", args=[referral.public_id])
    assert "is with the coordinator" in response.content.decode()


def test_the_form_without_consent_says_why_and_writes_nothing(surgery, login, dr_patel):
    response = login(dr_patel).post(
        reverse("partners:referral_new"), _referral_form(surgery, consent=None, consent_how=None)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "We can only take a referral the person has agreed to" in page
    assert 'aria-invalid="true"' in page
    assert Referral.objects.count() == 0


def test_carol_takes_edna_through_the_pages(edna, login, carol, alice):
    Offer.objects.create(
        timebank=edna.timebank,
        person=alice,
        title="Tea and a chat",
        category="companionship",
        area="Northbank",
        created_at=timezone.now(),
    )
    client = login(carol)
    url = reverse("partners:referral", args=[edna.public_id])
    page = client.get(url).content.decode()
    assert "Tea and a chat" in page  # a first exchange to suggest
    move = reverse("partners:referral_move", args=[edna.public_id])
    refused = client.post(move, {"to_status": "declined", "on": TODAY().isoformat()})
    assert refused.status_code == 400
    assert "Say why" in refused.content.decode()
    client.post(move, {"to_status": "contacted", "on": TODAY().isoformat()})
    induct = reverse("partners:referral_induct", args=[edna.public_id])
    response = client.post(induct, {"inducted_on": TODAY().isoformat()}, follow=True)
    assert "is now a member, with the username edna.wright" in response.content.decode()
    offer = Offer.objects.get()
    client.post(
        reverse("partners:referral_suggest", args=[edna.public_id]), {"offer": offer.public_id}
    )
    edna.refresh_from_db()
    assert (edna.status, edna.suggested_offer) == ("inducted", offer)


def _outcome_form(**overrides):
    data = {"stage": "start", "measured_on": TODAY().isoformat()}
    data.update({f"item_{n}": "3" for n in range(1, 8)})
    data.update(overrides)
    return data


def test_an_answer_of_6_is_refused_on_the_form(edna, login, dr_patel):
    url = reverse("partners:outcome_new", args=[edna.public_id])
    response = login(dr_patel).post(url, _outcome_form(item_3="6"))
    assert response.status_code == 200
    assert Outcome.objects.count() == 0
    response = login(dr_patel).post(url, _outcome_form(item_3="0"))
    assert Outcome.objects.count() == 0
    response = login(dr_patel).post(url, _outcome_form())
    assert response.status_code == 302
    assert Outcome.objects.get().raw_total == 21


def test_carol_adds_a_partner_its_staff_and_its_limits(riverside, login, carol, alice):
    client = login(carol)
    client.post(
        reverse("partners:organisation_new"),
        {"name": "Riverside Library", "kind": "council", "description": "Books."},
    )
    library = Organisation.objects.get(name="Riverside Library")
    response = client.post(
        reverse("partners:organisation_staff", args=[library.public_id]),
        {"username": "ALICE", "role": "admin"},
    )
    assert response.status_code == 302
    unknown = client.post(
        reverse("partners:organisation_staff", args=[library.public_id]),
        {"username": "nobody", "role": "admin"},
    )
    assert "no member of this time bank" in unknown.content.decode()
    client.post(
        reverse("partners:organisation_limits", args=[library.public_id]),
        {"min_hours": "-30", "max_hours": "", "reason": "Runs a reading group"},
    )
    assert Account.objects.get(organisation=library).min_balance == -1800
    page = client.get(reverse("partners:organisation", args=[library.public_id])).content.decode()
    assert "Alice Ahmed" in page and "-30:00" in page


def test_alice_and_bob_run_a_pool_from_its_page(riverside, login, alice, bob, carol):
    client = login(alice)
    client.post(
        reverse("partners:pool_new"),
        {"name": "Garden", "unit": "hour", "other_holder": "bob", "approvals_required": "2"},
    )
    pool = Pool.objects.get()
    url = reverse("partners:pool", args=[pool.public_id])
    page = client.get(url).content.decode()
    token = page.split('name="contribute-token" value="')[1].split('"')[0]
    contribute = reverse("partners:pool_contribute", args=[pool.public_id])
    for _ in range(2):  # sent twice
        client.post(contribute, {"contribute-amount": "2:00", "contribute-token": token})
    pool.account.refresh_from_db()
    assert pool.account.balance == 120
    bad = client.post(contribute, {"contribute-amount": "lots", "contribute-token": token})
    assert bad.status_code == 400
    client.post(
        reverse("partners:pool_spend_new", args=[pool.public_id]),
        {"spend-payee_username": "carol", "spend-amount": "1", "spend-purpose": "Hedge"},
    )
    spend = PoolSpend.objects.get()
    assert spend.status == "pending"
    login(bob).post(reverse("partners:pool_spend_approve", args=[spend.public_id]))
    spend.refresh_from_db()
    assert spend.status == "spent"
    page = login(bob).get(url).content.decode()
    assert "Hedge" in page and "1:00 h" in page


# --- query counts ----------------------------------------------------------------------------


@pytest.fixture
def busy_riverside(riverside, make_referral, carol, sam, council, alice, bob):
    for n in range(12):
        make_referral(first_name=f"Person{n}")
        make_referral(acting=sam, organisation=council, first_name=f"Council{n}")
        Organisation.objects.create(
            timebank=riverside, slug=f"org-{n}", name=f"Org {n}", kind="charity"
        )
        pool = pool_create(
            timebank=riverside, acting=alice, name=f"Pool {n}", unit="hour", holders=[alice, bob]
        )
        pool_contribute(pool=pool, acting=bob, amount=30)
    return riverside


@pytest.mark.parametrize(
    ("who", "name", "most"),
    [
        ("carol", "partners:referrals", 9),
        ("dr_patel", "partners:referrals", 9),
        ("carol", "partners:referral_report", 15),
        ("dr_patel", "partners:referral_report", 15),
        ("alice", "partners:organisations", 9),
        ("alice", "partners:pools", 8),
    ],
)
def test_lists_use_a_bounded_number_of_queries(
    busy_riverside, login, request, who, name, most, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(who))
    with django_assert_max_num_queries(most):
        assert client.get(reverse(name)).status_code == 200


def test_detail_pages_use_a_bounded_number_of_queries(
    busy_riverside, login, carol, alice, surgery, django_assert_max_num_queries
):
    referral = Referral.objects.filter(organisation=surgery).first()
    pool = Pool.objects.first()
    client = login(carol)
    with django_assert_max_num_queries(16):
        assert (
            client.get(reverse("partners:referral", args=[referral.public_id])).status_code == 200
        )
    # Two more for the staff section: the coordinator check and the waiting invitations.
    with django_assert_max_num_queries(14):
        assert (
            client.get(reverse("partners:organisation", args=[surgery.public_id])).status_code
            == 200
        )
    client = login(alice)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("partners:pool", args=[pool.public_id])).status_code == 200


@pytest.mark.parametrize("offer", ["", "not-an-id"])
def test_suggesting_without_a_real_offer_says_so_and_changes_nothing(login, carol, edna, offer):
    """Found by the permission matrix: an empty form was a 500 (the id reached the database
    lookup unparsed)."""
    url = reverse("partners:referral_suggest", args=[edna.public_id])
    response = login(carol).post(url, {"offer": offer}, follow=True)
    assert response.status_code == 200
    assert "no longer open" in response.content.decode()
    edna.refresh_from_db()
    assert edna.suggested_offer is None
