"""A meeting's minutes through the API, as on the meeting's page: once the meeting has happened
carol writes them (and may write them again); the meeting's read shows them with who wrote them
and when. Before the meeting, blank, or from anyone but the project's managers: refused, and
the minutes stay as they were."""

from __future__ import annotations

import pytest

from coproduce.core.models import AuditEvent
from tests.api.codesign_story import NOT_MANAGERS, park_project, past_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(riverside, carol, alice):
    return park_project(riverside, carol, alice)


@pytest.fixture
def meeting(project, carol):
    return past_meeting(project, carol)


def test_carol_writes_the_minutes_and_the_meeting_shows_who_wrote_them(api_as, carol, meeting):
    as_carol = api_as(carol)

    written = as_carol.call(
        "put", f"/meetings/{meeting.public_id}/minutes", {"text": "We chose benches.\nAll agreed."}
    )

    assert written.status_code == 200, written.content
    assert written.json()["minutes_text"] == "We chose benches.\nAll agreed."
    assert written.json()["minutes_written_by"] == "Carol Jones"
    read = as_carol.get(f"/meetings/{meeting.public_id}").json()
    assert read["minutes_text"] == "We chose benches.\nAll agreed."
    assert read["minutes_written_at"] is not None


def test_writing_the_minutes_again_replaces_them_and_keeps_the_old_in_the_audit(
    api_as, carol, meeting
):
    as_carol = api_as(carol)
    path = f"/meetings/{meeting.public_id}/minutes"
    as_carol.call("put", path, {"text": "First draft"})

    again = as_carol.call("put", path, {"text": "Corrected"})

    assert again.status_code == 200, again.content
    meeting.refresh_from_db()
    assert meeting.minutes_text == "Corrected"
    last = AuditEvent.objects.filter(action="codesign.minutes_written").latest("pk")
    assert (last.data["old"], last.data["new"]) == ("First draft", "Corrected")


def test_minutes_of_a_meeting_not_yet_held_are_refused(api_as, carol, project):
    next_week = past_meeting(project, carol, days=7)
    as_carol = api_as(carol)
    audited = AuditEvent.objects.count()

    response = as_carol.call("put", f"/meetings/{next_week.public_id}/minutes", {"text": "Hm"})

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "not_yet"
    next_week.refresh_from_db()
    assert next_week.minutes_text == ""
    assert AuditEvent.objects.count() == audited


@pytest.mark.parametrize(
    ("body", "status"),
    [({"text": "  \n "}, 400), ({"text": ""}, 422), ({}, 422), ({"text": "x" * 20001}, 422)],
    ids=["blank", "empty", "missing", "too-long"],
)
def test_minutes_carol_gets_wrong_are_refused_and_the_old_ones_stay(
    api_as, carol, meeting, body, status
):
    as_carol = api_as(carol)
    as_carol.call("put", f"/meetings/{meeting.public_id}/minutes", {"text": "Kept"})
    audited = AuditEvent.objects.count()

    response = as_carol.call("put", f"/meetings/{meeting.public_id}/minutes", body)

    assert response.status_code == status, response.content
    meeting.refresh_from_db()
    assert meeting.minutes_text == "Kept"
    assert AuditEvent.objects.count() == audited


@pytest.mark.parametrize(("who", "status"), NOT_MANAGERS)
def test_only_the_projects_managers_write_minutes(request, api_as, meeting, who, status):
    client = api_as(request.getfixturevalue(who))
    audited = AuditEvent.objects.count()

    response = client.call("put", f"/meetings/{meeting.public_id}/minutes", {"text": "Mine"})

    assert response.status_code == status, response.content
    meeting.refresh_from_db()
    assert meeting.minutes_text == ""
    assert AuditEvent.objects.count() == audited
