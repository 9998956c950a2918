"""Riverside Surgery's waiting-room project through the API: members read the project, its
meeting and proposal; carol, who manages it, records who came and alice is paid once; alice
cannot record attendance; harry from hillside sees nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.codesign.models import MeetingAttendance
from coproduce.codesign.services import (
    meeting_schedule,
    project_create,
    project_join,
    proposal_submit,
)
from coproduce.community.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(riverside, carol, alice, bob, dr_patel):
    surgery = Organisation.objects.get(slug="riverside-surgery")
    project = project_create(
        acting=carol,
        timebank=riverside,
        organisation=surgery,
        title="Our waiting room",
        question="How should the waiting room work?",
    )
    for person in (alice, bob):
        project_join(acting=person, project=project)
    return project


@pytest.fixture
def meeting(project, carol):
    return meeting_schedule(
        acting=carol,
        project=project,
        starts_at=timezone.now() - timedelta(days=7),
        place="Community room",
        agenda="Welcome",
        planned_minutes=120,
    )


@pytest.fixture
def proposal(project, alice):
    return proposal_submit(acting=alice, project=project, title="A quiet corner", text="Please.")


def test_alice_reads_the_project_its_meeting_and_proposal(
    api_as, alice, project, meeting, proposal
):
    as_alice = api_as(alice)

    projects = as_alice.get("/projects").json()
    detail = as_alice.get(f"/projects/{project.public_id}").json()
    one_meeting = as_alice.get(f"/meetings/{meeting.public_id}").json()
    one_proposal = as_alice.get(f"/proposals/{proposal.public_id}").json()

    assert [p["title"] for p in projects["items"]] == ["Our waiting room"]
    assert detail["taking_part"] is True
    assert [m["public_id"] for m in detail["meetings"]] == [str(meeting.public_id)]
    assert [p["title"] for p in detail["proposals"]] == ["A quiet corner"]
    assert one_meeting["place"] == "Community room"
    assert one_proposal["status"] == proposal.status


def test_carol_records_who_came_and_alice_is_paid_once(api_as, carol, alice, bob, meeting):
    as_carol = api_as(carol)
    body = {"attendees": [{"person": str(alice.public_id), "minutes": 120}]}
    path = f"/meetings/{meeting.public_id}/attendance"

    first = as_carol.post(path, body)
    second = as_carol.post(path, body)

    assert first.status_code == 200, first.content
    assert [p["username"] for p in first.json()["paid"]] == ["alice"]
    assert [p["username"] for p in second.json()["already"]] == ["alice"]
    assert MeetingAttendance.objects.filter(meeting=meeting).count() == 1
    assert first.json()["meeting"]["paid"]["minutes"] == 120


def test_alice_cannot_record_attendance(api_as, alice, meeting):
    response = api_as(alice).post(
        f"/meetings/{meeting.public_id}/attendance",
        {"attendees": [{"person": str(alice.public_id), "minutes": 120}]},
    )

    assert response.status_code in (403, 404)
    assert MeetingAttendance.objects.count() == 0


def test_only_participants_can_be_recorded(api_as, carol, harry, meeting):
    response = api_as(carol).post(
        f"/meetings/{meeting.public_id}/attendance",
        {"attendees": [{"person": str(harry.public_id), "minutes": 60}]},
    )

    assert response.status_code == 400
    assert MeetingAttendance.objects.count() == 0


def test_harry_sees_nothing_of_riverside_codesign(api_as, harry, project, meeting, proposal):
    as_harry = api_as(harry)

    assert as_harry.get(f"/projects/{project.public_id}").status_code == 404
    assert as_harry.get(f"/meetings/{meeting.public_id}").status_code == 404
    assert as_harry.get(f"/proposals/{proposal.public_id}").status_code == 404
    listed = as_harry.get("/projects")
    assert listed.status_code == 404 or listed.json()["items"] == []
