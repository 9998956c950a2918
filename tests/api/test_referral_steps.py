"""A referral's notes, outcomes and suggestion through the API: the notes only for a
coordinator or the referrer, each read recorded; outcomes by them too; a suggestion by a
coordinator only. Everyone else gets a 404 and nothing changes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coproduce.core.models import AuditEvent
from coproduce.exchanges.services.listings import listing_create
from coproduce.partners.models import Outcome, Referral
from coproduce.partners.services.referrals import referral_create
from tests.api.test_referrals import sam, surgery  # noqa: F401 (fixtures)
from tests.partners.conftest import REFERRAL

pytestmark = pytest.mark.django_db

START = {"stage": "start", "items": [3, 3, 3, 3, 3, 3, 3]}


@pytest.fixture
def referral(riverside, dr_patel, surgery):  # noqa: F811
    return referral_create(
        timebank=riverside,
        acting=dr_patel,
        organisation=surgery,
        **{**REFERRAL, "consent_given_on": timezone.localdate(), "support_notes": "Lives alone."},
    )


def test_dr_patel_reads_the_notes_he_wrote_and_the_read_is_recorded(api_as, dr_patel, referral):
    response = api_as(dr_patel).get(f"/referrals/{referral.public_id}/notes")

    assert response.status_code == 200
    assert response.json() == {"support_notes": "Lives alone."}
    assert AuditEvent.objects.filter(action="referral.notes_viewed", actor=dr_patel).count() == 1


@pytest.mark.parametrize("who", ["alice", "sam", "harry"])
def test_no_one_else_reads_the_notes_and_nothing_is_recorded(request, api_as, who, referral):
    person = request.getfixturevalue(who)

    response = api_as(person).get(f"/referrals/{referral.public_id}/notes")

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="referral.notes_viewed").exists()


def test_carol_records_the_start_measure_once(api_as, carol, referral):
    path = f"/referrals/{referral.public_id}/outcomes"
    body = {**START, "measured_on": timezone.localdate().isoformat()}

    first = api_as(carol).post(path, body)
    again = api_as(carol).post(path, body)

    assert first.status_code == 201, first.content
    assert first.json()["raw_total"] == 21
    assert again.status_code == 409
    assert Outcome.objects.filter(referral=referral).count() == 1


def test_an_answer_out_of_range_records_nothing(api_as, carol, referral):
    body = {"stage": "start", "items": [3, 3, 3, 3, 3, 3, 9]}
    body["measured_on"] = timezone.localdate().isoformat()

    response = api_as(carol).post(f"/referrals/{referral.public_id}/outcomes", body)

    assert response.status_code in (400, 422)
    assert not Outcome.objects.exists()


@pytest.mark.parametrize("who", ["alice", "sam", "harry"])
def test_no_one_else_records_an_outcome(request, api_as, who, referral):
    body = {**START, "measured_on": timezone.localdate().isoformat()}

    response = api_as(request.getfixturevalue(who)).post(
        f"/referrals/{referral.public_id}/outcomes", body
    )

    assert response.status_code == 404
    assert not Outcome.objects.exists()


def test_carol_suggests_alices_offer_but_dr_patel_cannot(
    api_as, carol, dr_patel, alice, referral, riverside
):
    offer = listing_create(
        kind="offer", timebank=riverside, acting=alice, title="Garden", category="gardening"
    )
    path = f"/referrals/{referral.public_id}/suggestion"

    refused = api_as(dr_patel).post(path, {"offer": str(offer.public_id)})
    assert refused.status_code == 404
    assert Referral.objects.get(pk=referral.pk).suggested_offer is None

    response = api_as(carol).post(path, {"offer": str(offer.public_id)})
    assert response.status_code == 200, response.content
    assert Referral.objects.get(pk=referral.pk).suggested_offer == offer
