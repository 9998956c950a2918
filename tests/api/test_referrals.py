"""Dr Patel refers Edna through the API and follows her referral; carol, the coordinator, moves
it on and inducts her; sam at the council, alice and hillside's harry see none of it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coproduce.community.models import Organisation, OrganisationStaff
from coproduce.partners.models import Referral
from tests.conftest import _join, _person

pytestmark = pytest.mark.django_db


@pytest.fixture
def surgery(dr_patel):
    return Organisation.objects.get(slug="riverside-surgery")


@pytest.fixture
def sam(riverside):
    council = Organisation.objects.create(
        timebank=riverside, slug="riverside-council", name="Riverside Council", kind="council"
    )
    person = _join(riverside, _person("sam", "Sam", "Hughes"), role="professional")
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=council, person=person, role="admin"
    )
    return person


def edna(surgery) -> dict:
    return {
        "organisation": str(surgery.public_id),
        "first_name": "Edna",
        "last_name": "Wright",
        "phone": "07700 900123",
        "contact_preference": "phone",
        "area": "Northbank",
        "what_matters": "Her garden.",
        "goals": ["less_isolated"],
        "consent": True,
        "consent_given_by": "Edna Wright",
        "consent_given_on": timezone.localdate().isoformat(),
        "consent_how": "verbal",
    }


@pytest.fixture
def referral(api_as, dr_patel, surgery):
    response = api_as(dr_patel).post("/referrals", edna(surgery))
    assert response.status_code == 201, response.content
    return response.json()


def test_dr_patel_refers_edna_and_follows_her_referral(api_as, dr_patel, referral):
    as_patel = api_as(dr_patel)

    mine = as_patel.get("/referrals").json()
    one = as_patel.get(f"/referrals/{referral['public_id']}").json()

    assert referral["status"] == "received"
    assert referral["organisation_name"] == "Riverside Surgery"
    assert [r["public_id"] for r in mine["items"]] == [referral["public_id"]]
    assert one["first_name"] == "Edna"
    assert "phone" not in one and "support_notes" not in one


def test_no_consent_no_referral(api_as, dr_patel, surgery):
    response = api_as(dr_patel).post("/referrals", {**edna(surgery), "consent": False})

    assert response.status_code == 400
    assert response.json()["code"] == "no_consent"
    assert Referral.objects.count() == 0


@pytest.mark.parametrize("who", ["alice", "sam", "harry"])
def test_others_see_no_referral(api_as, request, referral, who):
    person = request.getfixturevalue(who)
    as_them = api_as(person)

    assert as_them.get(f"/referrals/{referral['public_id']}").status_code == 404
    listed = as_them.get("/referrals")
    assert listed.status_code == 404 or listed.json()["items"] == []


def test_alice_cannot_refer_for_the_surgery(api_as, alice, surgery):
    response = api_as(alice).post("/referrals", edna(surgery))

    assert response.status_code in (403, 404)
    assert Referral.objects.count() == 0


def test_carol_moves_the_referral_on_and_inducts_edna(api_as, carol, dr_patel, referral):
    as_carol = api_as(carol)
    today = timezone.localdate().isoformat()
    path = f"/referrals/{referral['public_id']}"

    contacted = as_carol.post(f"{path}/move", {"to_status": "contacted", "on": today})
    inducted = as_carol.post(f"{path}/induct", {"inducted_on": today})

    assert contacted.status_code == 200, contacted.content
    assert contacted.json()["status"] == "contacted"
    assert inducted.status_code == 200, inducted.content
    assert inducted.json()["status"] == "inducted"
    assert inducted.json()["member"] is not None
    assert api_as(dr_patel).get(path).json()["status"] == "inducted"


def test_dr_patel_cannot_record_steps(api_as, dr_patel, referral):
    today = timezone.localdate().isoformat()

    response = api_as(dr_patel).post(
        f"/referrals/{referral['public_id']}/move", {"to_status": "contacted", "on": today}
    )

    assert response.status_code == 404
    assert Referral.objects.get().status == "received"
