"""Induction: carol sees the applications waiting, meets dora, and welcomes her (or declines,
with a reason dora is told). Every decision is audited and dora is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.community.models import Membership, MembershipStatus
from coproduce.community.services import membership_decline, membership_induct
from coproduce.core.errors import Conflict, PermissionDenied
from coproduce.core.models import AuditEvent, Notification
from tests.conftest import _join, _person


def test_applications_show_oldest_first_with_what_they_give_and_need(
    login, carol, dora, riverside, django_assert_max_num_queries
):
    _join(riverside, _person("eve", "Eve", "Evans"), status="applied")
    Membership.objects.filter(person=dora).update(applied_at=timezone.now() - timedelta(days=3))
    client = login(carol)
    with django_assert_max_num_queries(8):
        content = client.get("/members/applications/").content.decode()
    assert content.index("Dora Davies") < content.index("Eve Evans")
    assert "Baking, and a listening ear" in content
    assert "Someone to change a light bulb" in content
    assert "By phone through the coordinator" in content
    assert "Please call after 10am" in content
    assert "Alice" not in content  # active members are not waiting


def test_carol_inducts_dora_and_she_can_trade(login, carol, dora):
    client = login(carol)
    page = client.get(f"/members/{dora.public_id}/induct/").content.decode()
    assert "selected>Carol Jones</option>" in page  # who did it defaults to carol
    today = timezone.localdate()
    response = client.post(
        f"/members/{dora.public_id}/induct/",
        {
            "decision": "welcome",
            "induct-inducted_on": today.isoformat(),
            "induct-inducted_by": str(carol.public_id),
            "induct-notes": "Met at the library; keen baker",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(person=dora)
    assert membership.status == MembershipStatus.ACTIVE and membership.can_trade
    assert membership.activated_at is not None
    assert (membership.inducted_on, membership.inducted_by) == (today, carol)
    assert membership.induction_notes == "Met at the library; keen baker"
    event = AuditEvent.objects.get(action="membership.inducted")
    assert (event.actor, event.data["new_status"]) == (carol, "active")
    note = Notification.objects.get(person=dora)
    assert note.kind == "application_decided" and "Welcome" in note.message
    assert b"Dora Davies is now an active member" in client.get(response["Location"]).content


def test_an_induction_in_the_future_is_refused(login, carol, dora):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = login(carol).post(
        f"/members/{dora.public_id}/induct/",
        {
            "decision": "welcome",
            "induct-inducted_on": tomorrow.isoformat(),
            "induct-inducted_by": str(carol.public_id),
        },
    )
    assert response.status_code == 200
    assert b"cannot be in the future" in response.content
    assert b'id="id_induct-inducted_on_error"' in response.content
    assert Membership.objects.get(person=dora).status == MembershipStatus.APPLIED


def test_only_a_coordinator_can_be_recorded_as_leading_the_induction(login, carol, dora, bob):
    response = login(carol).post(
        f"/members/{dora.public_id}/induct/",
        {
            "decision": "welcome",
            "induct-inducted_on": timezone.localdate().isoformat(),
            "induct-inducted_by": str(bob.public_id),
        },
    )
    assert response.status_code == 200
    assert Membership.objects.get(person=dora).status == MembershipStatus.APPLIED


def test_carol_declines_with_a_reason_dora_is_told(login, carol, dora):
    client = login(carol)
    refused = client.post(f"/members/{dora.public_id}/induct/", {"decision": "decline"})
    assert refused.status_code == 200
    assert b'id="id_decline-reason_error"' in refused.content
    response = client.post(
        f"/members/{dora.public_id}/induct/",
        {"decision": "decline", "decline-reason": "We do not cover Southbank yet"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(person=dora).status == MembershipStatus.LEFT
    event = AuditEvent.objects.get(action="membership.declined")
    assert event.data["reason"] == "We do not cover Southbank yet"
    note = Notification.objects.get(person=dora)
    assert "We do not cover Southbank yet" in note.message


def test_an_application_cannot_be_decided_twice(riverside, carol, dora):
    membership = Membership.objects.get(person=dora)
    membership_induct(
        membership=membership,
        acting=carol,
        inducted_on=timezone.localdate(),
        inducted_by=carol,
    )
    with pytest.raises(Conflict):
        membership_decline(membership=membership, acting=carol, reason="changed my mind")
    assert Membership.objects.get(person=dora).status == MembershipStatus.ACTIVE


def test_the_induct_page_says_when_it_was_already_decided(login, carol, alice):
    response = login(carol).get(f"/members/{alice.public_id}/induct/")
    assert b"already been decided" in response.content
    assert b'name="decision"' not in response.content


def test_a_member_cannot_induct_through_the_service(riverside, bob, dora):
    with pytest.raises(PermissionDenied):
        membership_induct(
            membership=Membership.objects.get(person=dora),
            acting=bob,
            inducted_on=timezone.localdate(),
            inducted_by=bob,
        )
