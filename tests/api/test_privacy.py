"""Privacy through the API: who sees my contact details (recorded, as on /privacy/) and my
data as JSON (each download recorded)."""

from __future__ import annotations

import pytest

from coproduce.community.models import Membership
from coproduce.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_alice_reads_and_changes_who_sees_her_phone(api_as, alice, riverside):
    as_alice = api_as(alice)
    before = as_alice.get("/privacy").json()

    response = as_alice.call("patch", "/privacy", {"phone_visible_to": "nobody"})

    assert response.status_code == 200
    assert response.json() == {**before, "phone_visible_to": "nobody"}
    membership = Membership.objects.get(person=alice, timebank=riverside)
    assert membership.phone_visible_to == "nobody"
    if before["phone_visible_to"] != "nobody":
        assert AuditEvent.objects.filter(action="person.privacy_updated").exists()


def test_an_unknown_choice_changes_nothing(api_as, alice, riverside):
    before = api_as(alice).get("/privacy").json()

    response = api_as(alice).call("patch", "/privacy", {"email_visible_to": "everyone"})

    assert response.status_code == 422
    assert api_as(alice).get("/privacy").json() == before


def test_a_read_only_token_cannot_change_privacy(api_as, alice):
    before = api_as(alice).get("/privacy").json()

    response = api_as(alice, write=False).call("patch", "/privacy", {"phone_visible_to": "nobody"})

    assert response.status_code == 403
    assert api_as(alice).get("/privacy").json() == before


def test_alice_downloads_her_own_data_and_the_download_is_recorded(api_as, alice):
    response = api_as(alice).get("/privacy/data")

    assert response.status_code == 200
    data = response.json()
    assert data["format"] == "coproduce-personal-data/1"
    assert AuditEvent.objects.filter(
        action="person.data_downloaded", target=f"person:{alice.public_id}"
    ).exists()
