"""A coordinator requires two-step sign-in of Riverside's coordinators and admins from the small
"Security" form; alice (a member) and harry (Hillside's coordinator) cannot change Riverside's."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from coproduce.community.models import TimeBank
from coproduce.core.models import AuditEvent
from coproduce.web.middleware import SESSION_KEY
from tests.web.test_two_factor import code_for

pytestmark = pytest.mark.django_db


def test_carol_requires_two_step_sign_in_and_it_is_audited(client, login, carol, riverside):
    login(carol)
    assert client.get("/coordinator/security/").status_code == 200
    response = client.post("/coordinator/security/", {"require_two_factor": "on"})
    assert response.status_code == 302
    riverside.refresh_from_db()
    assert riverside.require_two_factor
    event = AuditEvent.objects.get(action="timebank.two_factor_required")
    assert event.actor == carol and event.timebank_id == riverside.pk
    assert event.data == {"old": False, "new": True}


def test_carol_can_stop_requiring_it(client, login, carol, riverside):
    riverside.require_two_factor = True
    riverside.save(update_fields=["require_two_factor"])
    login(carol)
    # Carol herself must have it first: the requirement applies to her too.
    assert client.get("/coordinator/security/")["Location"] == "/two-step/set-up/"
    riverside.require_two_factor = False
    riverside.save(update_fields=["require_two_factor"])
    client.post("/coordinator/security/", {"require_two_factor": "on"})
    client.get("/two-step/set-up/")
    device = TOTPDevice.objects.get(user=carol)
    client.post("/two-step/set-up/", {"code": code_for(device)})
    response = client.post("/coordinator/security/", {})
    assert response.status_code == 302
    riverside.refresh_from_db()
    assert not riverside.require_two_factor
    last = AuditEvent.objects.filter(action="timebank.two_factor_required").latest("pk")
    assert last.data == {"old": True, "new": False}


def test_saving_without_a_change_records_nothing(client, login, carol, riverside):
    login(carol)
    assert client.post("/coordinator/security/", {}).status_code == 302
    assert not AuditEvent.objects.filter(action="timebank.two_factor_required").exists()


def test_alice_finds_no_security_page_and_changes_nothing(client, login, alice, riverside):
    login(alice)
    assert client.get("/coordinator/security/").status_code == 404
    assert client.post("/coordinator/security/", {"require_two_factor": "on"}).status_code == 404
    riverside.refresh_from_db()
    assert not riverside.require_two_factor
    assert not AuditEvent.objects.filter(action="timebank.two_factor_required").exists()


def test_harry_cannot_require_it_for_riverside(client, login, harry, riverside, hillside):
    login(harry)
    session = client.session
    session[SESSION_KEY] = "riverside"  # not his: the middleware falls back to Hillside
    session.save()
    client.post("/coordinator/security/", {"require_two_factor": "on"})
    assert not TimeBank.objects.get(pk=riverside.pk).require_two_factor
    assert TimeBank.objects.get(pk=hillside.pk).require_two_factor  # his own bank's, as asked
    assert not AuditEvent.objects.filter(
        action="timebank.two_factor_required", timebank_id=riverside.pk
    ).exists()


def test_the_coordinator_dashboard_links_to_the_security_section(client, login, carol):
    login(carol)
    assert 'href="/coordinator/security/"' in client.get("/coordinator/").content.decode()


def test_the_service_refuses_a_member(alice, riverside):
    from coproduce.community.two_factor import timebank_two_factor_set
    from coproduce.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        timebank_two_factor_set(timebank=riverside, acting=alice, required=True)
    riverside.refresh_from_db()
    assert not riverside.require_two_factor
