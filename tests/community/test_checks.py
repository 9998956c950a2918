"""Safeguarding checks: carol records what she has seen; an enhanced check needs an expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.community.models import SafeguardingCheck
from coproduce.community.services import check_record
from coproduce.core.errors import ApplicationError
from coproduce.core.models import AuditEvent


def test_carol_records_an_enhanced_check_for_alice(login, carol, alice, bob):
    today = timezone.localdate()
    expires = today + timedelta(days=365 * 3)
    client = login(carol)
    response = client.post(
        f"/members/{alice.public_id}/checks/new/",
        {
            "kind": "enhanced",
            "checked_on": today.isoformat(),
            "expires_on": expires.strftime("%d/%m/%Y"),  # typed the British way
            "reference": "001234567890",
            "notes": "Certificate seen",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{alice.public_id}/"
    check = SafeguardingCheck.objects.get(person=alice)
    assert (check.kind, check.expires_on, check.recorded_by) == ("enhanced", expires, carol)
    event = AuditEvent.objects.get(action="check.recorded")
    assert "001234567890" not in str(event.data)
    badge = login(bob).get(f"/people/{alice.public_id}/").content.decode()
    assert f"Enhanced check (until {expires.strftime('%-d %B %Y')})" in badge


def test_an_enhanced_check_needs_an_expiry_date(login, carol, alice):
    response = login(carol).post(
        f"/members/{alice.public_id}/checks/new/",
        {"kind": "enhanced", "checked_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert b"needs an expiry date" in response.content
    assert b'aria-describedby="id_expires_on_helptext id_expires_on_error"' in response.content
    assert not SafeguardingCheck.objects.exists()


def test_a_check_must_expire_after_it_was_made(login, carol, alice):
    today = timezone.localdate()
    response = login(carol).post(
        f"/members/{alice.public_id}/checks/new/",
        {
            "kind": "reference",
            "checked_on": today.isoformat(),
            "expires_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert b"must expire after" in response.content
    assert not SafeguardingCheck.objects.exists()


def test_a_nonsense_date_is_a_message_not_an_error_page(login, carol, alice):
    response = login(carol).post(
        f"/members/{alice.public_id}/checks/new/",
        {"kind": "id_seen", "checked_on": "last tuesday"},
    )
    assert response.status_code == 200
    assert b"Enter a valid date" in response.content


def test_the_service_refuses_an_enhanced_check_without_expiry(riverside, carol, alice):
    with pytest.raises(ApplicationError, match="renewed"):
        check_record(
            timebank=riverside,
            person=alice,
            acting=carol,
            kind="enhanced",
            checked_on=timezone.localdate(),
        )


def test_a_check_cannot_be_recorded_for_someone_outside_the_time_bank(riverside, carol, harry):
    with pytest.raises(ApplicationError, match="not in this time bank"):
        check_record(
            timebank=riverside,
            person=harry,
            acting=carol,
            kind="id_seen",
            checked_on=timezone.localdate(),
        )
