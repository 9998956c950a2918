"""Who may call the API: a live token of an active member, and nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.api.models import PersonalAccessToken
from coproduce.api.services import token_revoke
from coproduce.community.models import Membership, MembershipStatus
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_a_request_without_a_token_is_told_how_to_send_one(anonymous, alice):
    response = anonymous.get("/me")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_made_up_token_is_not_recognised(alice):
    response = Api("cpt_not-a-real-token").get("/me")

    assert response.status_code == 401
    assert response.json()["code"] == "bad_token"


def test_a_password_sent_as_basic_auth_is_not_a_token(alice):
    api = Api(None)
    response = api.client.get("/api/v1/me", headers={"Authorization": "Basic YWxpY2U6cHc="})

    assert response.status_code == 401


def test_alices_token_says_who_she_is_and_her_balance(api_as, alice, bob):
    from tests.api.conftest import earn

    earn(alice.memberships.get().timebank, earner=alice, payer=bob, minutes=90)

    body = api_as(alice).get("/me").json()

    assert body["person"]["username"] == "alice"
    assert body["timebank"]["slug"] == "riverside"
    assert body["role"] == "member"
    assert body["balance"] == {"minutes": 90, "hmm": "1:30"}
    assert body["token"]["scopes"] == ["read", "write"]


def test_a_revoked_token_stops_working_at_once(token_for, alice):
    plaintext = token_for(alice)
    api = Api(plaintext)
    assert api.get("/me").status_code == 200

    token_revoke(token=PersonalAccessToken.objects.get(person=alice), acting=alice)
    response = api.get("/me")

    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"
    assert "revoked" in response.json()["detail"]


def test_an_expired_token_is_refused(token_for, alice):
    api = Api(token_for(alice, expires_at=timezone.now() + timedelta(days=1)))
    PersonalAccessToken.objects.filter(person=alice).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = api.get("/me")

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


@pytest.mark.parametrize("status", [MembershipStatus.PAUSED, MembershipStatus.LEFT])
def test_a_token_stops_working_when_its_membership_is_no_longer_active(token_for, alice, status):
    api = Api(token_for(alice))
    Membership.objects.filter(person=alice).update(status=status)

    response = api.get("/offers")

    assert response.status_code == 401
    assert response.json()["code"] == "membership_inactive"


def test_a_read_only_token_cannot_post(api_as, alice):
    response = api_as(alice, write=False).post(
        "/offers", {"title": "Weeding", "category": "gardening"}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"


def test_using_a_token_records_when_it_was_last_used(api_as, alice):
    api_as(alice).get("/me")

    assert PersonalAccessToken.objects.get(person=alice).last_used_at is not None


def test_the_token_itself_is_never_stored(token_for, alice):
    plaintext = token_for(alice)
    token = PersonalAccessToken.objects.get(person=alice)

    assert plaintext not in {token.token_hash, token.prefix, token.name}
    assert plaintext.startswith(token.prefix)
    assert len(token.token_hash) == 64
