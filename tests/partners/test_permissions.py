"""Who sees what: every private page is a 404 for people who may not see it, and sends an
anonymous visitor to sign in."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.community.models import OrganisationStaff
from coproduce.core.models import AuditEvent
from coproduce.partners.services.pools import pool_contribute, pool_create, pool_spend_propose
from coproduce.partners.services.referrals import outcome_record, referral_induct, referral_move
from tests.conftest import _join, _person


@pytest.fixture
def nurse_ola(riverside, surgery):
    """dr_patel's colleague at the surgery."""
    person = _join(riverside, _person("nurse_ola", "Ola", "Ade"), role="professional")
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=surgery, person=person, role="professional"
    )
    return person


@pytest.fixture
def money_pool(riverside, bob):
    return pool_create(
        timebank=riverside, acting=bob, name="Bob's budget club", unit="GBP", holders=[bob]
    )


def _referral_pages(edna):
    return [
        reverse(name, args=[edna.public_id])
        for name in (
            "partners:referral",
            "partners:referral_notes",
            "partners:outcome_new",
        )
    ]


@pytest.mark.parametrize("who", ["alice", "sam", "harry"])
def test_strangers_to_the_referral_get_404_on_every_page(edna, login, request, who):
    client = login(request.getfixturevalue(who))
    for url in _referral_pages(edna):
        assert client.get(url).status_code == 404, url
    for name in ("partners:referral_move", "partners:referral_induct", "partners:referral_suggest"):
        assert client.post(reverse(name, args=[edna.public_id])).status_code == 404, name
    assert not AuditEvent.objects.filter(action="referral.notes_viewed").exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(edna, client, money_pool, surgery):
    urls = [
        *_referral_pages(edna),
        reverse("partners:referrals"),
        reverse("partners:referral_new"),
        reverse("partners:referral_report"),
        reverse("partners:organisations"),
        reverse("partners:organisation", args=[surgery.public_id]),
        reverse("partners:pools"),
        reverse("partners:pool", args=[money_pool.public_id]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"]


def test_alice_has_no_referrals_page(edna, login, alice):
    client = login(alice)
    assert client.get(reverse("partners:referrals")).status_code == 404
    assert client.get(reverse("partners:referral_new")).status_code == 404
    assert client.get(reverse("partners:referral_report")).status_code == 404


def test_sam_sees_none_of_the_surgerys_referrals(edna, login, sam, surgery):
    client = login(sam)
    page = client.get(reverse("partners:referrals"))
    assert page.status_code == 200
    assert "Edna" not in page.content.decode()
    report = client.get(reverse("partners:referral_report"), {"organisation": surgery.public_id})
    assert report.status_code == 404


def test_harry_sees_only_hillsides_referrals(edna, login, harry):
    page = login(harry).get(reverse("partners:referrals"))
    assert page.status_code == 200
    assert "Edna" not in page.content.decode()


def test_a_colleague_sees_the_referral_but_not_the_notes(edna, login, nurse_ola):
    client = login(nurse_ola)
    page = client.get(reverse("partners:referral", args=[edna.public_id]))
    assert page.status_code == 200
    assert "Read the notes" not in page.content.decode()
    assert client.get(reverse("partners:referral_notes", args=[edna.public_id])).status_code == 404


def test_each_reading_of_the_notes_is_audited(edna, login, dr_patel, carol):
    url = reverse("partners:referral_notes", args=[edna.public_id])
    detail = login(dr_patel).get(reverse("partners:referral", args=[edna.public_id]))
    # The detail page links to the notes but does not show them (nor audit a reading).
    assert "Hard of hearing" not in detail.content.decode()
    assert not AuditEvent.objects.filter(action="referral.notes_viewed").exists()
    for person in (dr_patel, carol, carol):
        response = login(person).get(url, HTTP_HX_REQUEST="true")
        assert "Hard of hearing" in response.content.decode()
    actors = AuditEvent.objects.filter(action="referral.notes_viewed").values_list(
        "actor__username", flat=True
    )
    assert sorted(actors) == ["carol", "carol", "dr_patel"]


def test_dr_patel_sees_the_outcome_but_not_ednas_exchanges(
    riverside, edna, login, dr_patel, carol, bob
):
    from tests.partners.test_outcomes import HIGHER, LOW, _first_exchange

    referral_move(referral=edna, acting=carol, to_status="contacted", on=timezone.localdate())
    edna = referral_induct(referral=edna, acting=carol, inducted_on=timezone.localdate())
    _first_exchange(edna, carol, bob, 3)
    for stage, items, progress in (
        ("start", LOW, {}),
        ("review", HIGHER, {"less_isolated": "met", "get_out": "met", "other": "partly"}),
    ):
        outcome_record(
            referral=edna,
            acting=carol,
            stage=stage,
            measured_on=timezone.localdate(),
            items=items,
            goal_progress=progress,
            own_words="I have friends on my street now.",
        )
    url = reverse("partners:referral", args=[edna.public_id])
    seen_by_gp = login(dr_patel).get(url).content.decode()
    assert "Inducted" in seen_by_gp
    assert "22.35" in seen_by_gp and "I have friends on my street now." in seen_by_gp
    assert "Help in the garden" not in seen_by_gp
    # The date of the first exchange, a milestone of the referral, and nothing else of it.
    assert "First exchange" in seen_by_gp and "Active" in seen_by_gp
    assert "Bob" not in seen_by_gp
    seen_by_carol = login(carol).get(url).content.decode()
    assert "First exchange" in seen_by_carol


@pytest.mark.parametrize("who", ["alice", "dr_patel", "harry"])
def test_only_carol_manages_organisations(surgery, login, request, who):
    client = login(request.getfixturevalue(who))
    # harry adds organisations to Hillside, never to Riverside.
    assert client.get(reverse("partners:organisation_new")).status_code == (
        200 if who == "harry" else 404
    )
    for name in ("partners:organisation_staff", "partners:organisation_limits"):
        assert client.get(reverse(name, args=[surgery.public_id])).status_code == 404


def test_dr_patel_is_no_admin_but_sam_edits_his_councils_page(
    surgery, council, login, dr_patel, sam
):
    assert (
        login(dr_patel)
        .get(reverse("partners:organisation_edit", args=[surgery.public_id]))
        .status_code
        == 404
    )
    client = login(sam)
    assert (
        client.get(reverse("partners:organisation_edit", args=[surgery.public_id])).status_code
        == 404
    )
    response = client.post(
        reverse("partners:organisation_edit", args=[council.public_id]),
        {"description": "Libraries, parks and community centres."},
    )
    assert response.status_code == 302
    council.refresh_from_db()
    assert council.description.startswith("Libraries")


def test_harry_cannot_see_riversides_organisations_or_pools(
    surgery, garden, money_pool, login, harry
):
    client = login(harry)
    assert client.get(reverse("partners:organisation", args=[surgery.public_id])).status_code == 404
    assert client.get(reverse("partners:pool", args=[garden.public_id])).status_code == 404
    assert client.get(reverse("partners:pool", args=[money_pool.public_id])).status_code == 404


def test_a_money_pool_is_private_to_its_holders_and_coordinators(
    money_pool, login, alice, carol, bob
):
    url = reverse("partners:pool", args=[money_pool.public_id])
    assert login(alice).get(url).status_code == 404
    assert (
        "Bob&#x27;s budget club" not in login(alice).get(reverse("partners:pools")).content.decode()
    )
    assert login(bob).get(url).status_code == 200
    assert login(carol).get(url).status_code == 200


def test_only_a_holder_decides_on_a_spend(garden, login, alice, bob, carol):
    pool_contribute(pool=garden, acting=carol, amount=120)
    spend = pool_spend_propose(pool=garden, acting=alice, payee=carol, amount=60, purpose="Seeds")
    url = reverse("partners:pool_spend_approve", args=[spend.public_id])
    response = login(carol).post(url)
    spend.refresh_from_db()
    assert spend.status == "pending"
    assert response.status_code == 302  # carol may see it, but her approval is refused
    assert login(bob).post(url).status_code == 302
    spend.refresh_from_db()
    assert spend.status == "spent"


@pytest.fixture
def garden(riverside, alice, bob):
    return pool_create(
        timebank=riverside,
        acting=alice,
        name="Northbank community garden",
        unit="hour",
        holders=[alice, bob],
        approvals_required=2,
    )


@pytest.fixture
def garden_pool(riverside, alice, bob):
    pool = pool_create(
        timebank=riverside, acting=alice, name="Community garden", unit="hour", holders=[alice]
    )
    pool_contribute(pool=pool, acting=bob, amount=60, memo="For the hedge")
    return pool


def test_an_applicant_sees_no_pool_until_inducted(riverside, garden_pool, login):
    """Found by the permission matrix: someone who has only applied (and has not met the
    coordinator) saw hour pools, with who holds them and who put what in."""
    ann = _join(riverside, _person("ann", "Ann", "Applicant"), status="applied")
    client = login(ann)
    assert client.get(reverse("partners:pool", args=[garden_pool.public_id])).status_code == 404
    listing = client.get(reverse("partners:pools"))
    assert "Community garden" not in listing.content.decode()
    contribute = reverse("partners:pool_contribute", args=[garden_pool.public_id])
    before = garden_pool.account.entries.count()
    assert client.post(contribute, {"amount": "1"}).status_code == 404
    assert garden_pool.account.entries.count() == before
