"""Confidential incidents: carol records one about bob, adds a follow-up and closes it. Only
Riverside's coordinators ever see it (bob, alice, dr_patel and harry get a 404), every opening
is audited, and it never appears in a members export."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.community.incidents import incident_close, incident_follow_up, incident_record
from coproduce.community.models import Incident, IncidentFollowUp
from coproduce.core.errors import ApplicationError, Conflict, NotFound
from coproduce.core.models import AuditEvent

WHAT = "Raised voice at a volunteer during the Tuesday lunch"


@pytest.fixture
def incident(riverside, carol, bob):
    return incident_record(
        timebank=riverside,
        acting=carol,
        person=bob,
        occurred_on=timezone.localdate() - timedelta(days=2),
        what_happened=WHAT,
        people_involved="Sam (volunteer)",
        action_taken="Spoke to bob by phone",
        follow_up_on=timezone.localdate() + timedelta(days=7),
    )


def detail(incident) -> str:
    return reverse("community:incident", args=[incident.public_id])


def test_carol_records_an_incident_from_bobs_page(login, carol, bob):
    client = login(carol)
    new = reverse("community:incident_new", args=[bob.public_id])
    assert client.get(new).status_code == 200
    response = client.post(
        new,
        {"occurred_on": "2026-11-30", "what_happened": WHAT, "people_involved": "Sam",
         "action_taken": "Phoned him", "follow_up_on": "14/12/2026"},
    )  # fmt: skip
    incident = Incident.objects.get()
    assert response["Location"] == detail(incident)
    assert (incident.person, incident.recorded_by, incident.follow_up_on) == (
        bob,
        carol,
        date(2026, 12, 14),
    )
    event = AuditEvent.objects.get(action="incident.recorded")
    assert WHAT not in str(event.data)
    page = client.get(reverse("community:safeguarding", args=[bob.public_id])).content.decode()
    assert detail(incident) in page


def test_every_opening_is_audited(login, carol, incident):
    client = login(carol)
    for _ in range(2):
        assert WHAT in client.get(detail(incident)).content.decode()
    assert AuditEvent.objects.filter(action="incident.viewed", actor=carol).count() == 2


@pytest.mark.parametrize("who", ["bob", "alice", "dr_patel", "harry"])
def test_nobody_else_learns_an_incident_exists(login, request, incident, who):
    person = request.getfixturevalue(who)
    client = login(person)
    assert client.get(detail(incident)).status_code == 404
    assert client.post(detail(incident), {"action": "close", "outcome": "x"}).status_code == 404
    assert (
        client.get(reverse("community:incident_new", args=[incident.person.public_id])).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action="incident.viewed").exists()
    incident.refresh_from_db()
    assert incident.status == "open"


def test_harry_cannot_record_one_about_a_riverside_member(riverside, harry, bob):
    with pytest.raises(NotFound):
        incident_record(
            timebank=riverside, acting=harry, person=bob, occurred_on=timezone.localdate(),
            what_happened=WHAT,
        )  # fmt: skip
    assert not Incident.objects.exists()


def test_follow_ups_then_closing(login, carol, incident):
    client = login(carol)
    next_week = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(
        detail(incident),
        {"action": "follow_up", "note": "Met bob and sam together", "next_follow_up_on": next_week},
    )
    assert response.status_code == 302
    assert IncidentFollowUp.objects.get().note == "Met bob and sam together"
    response = client.post(detail(incident), {"action": "close", "outcome": "Resolved, apology"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.closed_by, incident.follow_up_on) == ("closed", carol, None)
    with pytest.raises(Conflict):
        incident_follow_up(incident=incident, acting=carol, note="More")
    # Only readings of the page were audited, not the two forms sent.
    assert AuditEvent.objects.filter(action="incident.viewed").count() == 0


def test_bad_input_is_a_message_and_writes_nothing(login, carol, bob, incident):
    client = login(carol)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        reverse("community:incident_new", args=[bob.public_id]),
        {"occurred_on": future, "what_happened": WHAT},
    )
    assert response.status_code == 200 and b"cannot be dated in the future" in response.content
    response = client.post(detail(incident), {"action": "close", "outcome": ""})
    assert response.status_code == 200
    # The page was shown again with the incident on it: that is a reading, audited.
    assert AuditEvent.objects.filter(action="incident.viewed").count() == 1
    assert Incident.objects.count() == 1
    incident.refresh_from_db()
    assert incident.status == "open"
    with pytest.raises(ApplicationError):
        incident_close(incident=incident, acting=carol, outcome="  ")


def test_incidents_never_leave_in_the_members_export(login, carol, incident):
    export = login(carol).get(reverse("members:export"))
    body = b"".join(export.streaming_content).decode()
    assert WHAT not in body and "Spoke to bob" not in body


def test_neither_the_incident_nor_a_pause_reason_is_in_bobs_download(
    riverside, carol, bob, incident
):
    import json

    from coproduce.community.safeguarding import safeguarding_pause
    from coproduce.privacy.download import person_data

    safeguarding_pause(timebank=riverside, person=bob, acting=carol, reason="Reason kept private")
    for person in (bob, carol):
        text = json.dumps(person_data(person=person))
        assert WHAT not in text and "Spoke to bob" not in text
        assert "Reason kept private" not in text
