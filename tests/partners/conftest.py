"""The partners' stories: Riverside Surgery (dr_patel's GP practice) refers patients into
Riverside Time Bank; sam runs the council's community services, another partner, and must see
nothing of the surgery's referrals."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coproduce.community.models import Organisation, OrganisationStaff
from coproduce.partners.services.referrals import referral_create
from tests.conftest import _join, _person


@pytest.fixture
def surgery(dr_patel):
    return Organisation.objects.get(slug="riverside-surgery")


@pytest.fixture
def council(riverside):
    from coproduce.ledger.accounts import organisation_account_get_or_open

    org = Organisation.objects.create(
        timebank=riverside, slug="riverside-council", name="Riverside Council", kind="council"
    )
    organisation_account_get_or_open(organisation=org)
    return org


@pytest.fixture
def sam(riverside, council):
    """An organisation admin at Riverside Council."""
    person = _join(riverside, _person("sam", "Sam", "Hughes"), role="professional")
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=council, person=person, role="admin"
    )
    return person


REFERRAL = {
    "first_name": "Edna",
    "last_name": "Wright",
    "phone": "07700 900123",
    "contact_preference": "phone",
    "area": "Northbank",
    "what_matters": "Her garden, and talking to people again since her husband died.",
    "goals": ["less_isolated", "get_out"],
    "other_goal": "Go back to the allotment",
    "support_notes": "Hard of hearing; low mood after bereavement.",
    "consent": True,
    "consent_given_by": "Edna Wright",
    "consent_how": "verbal",
}


@pytest.fixture
def make_referral(riverside, surgery, dr_patel):
    def make(acting=None, organisation=None, **overrides):
        fields = {**REFERRAL, "consent_given_on": timezone.localdate(), **overrides}
        return referral_create(
            timebank=riverside,
            acting=acting or dr_patel,
            organisation=organisation or surgery,
            **fields,
        )

    return make


@pytest.fixture
def edna(make_referral):
    """Edna, referred by dr_patel this morning."""
    return make_referral()
