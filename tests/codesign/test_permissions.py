"""Who may see and do what. Projects are open to the whole time bank; the organisation that owns
one (and the coordinator) run it; people taking part propose, comment and disagree; another
time bank's coordinator finds nothing; an anonymous visitor is sent to sign in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coproduce.codesign.models import MeetingAttendance, ProposalStatus, StatusChange
from coproduce.codesign.services import progress_add, proposal_status_change

READ_PAGES = ["projects", "project", "meeting", "proposal"]


@pytest.fixture
def things(project, meeting, proposal, carol):
    proposal_status_change(
        acting=carol, proposal=proposal, to_status=ProposalStatus.UNDER_CONSIDERATION
    )
    proposal_status_change(
        acting=carol, proposal=proposal, to_status=ProposalStatus.ACCEPTED, response="Yes."
    )
    milestone = progress_add(
        acting=carol,
        proposal=proposal,
        text="Open",
        is_milestone=True,
        milestone_on=meeting.starts_at.date(),
    )
    return {
        "project": project,
        "meeting": meeting,
        "proposal": proposal,
        "progress": milestone,
    }


def _url(name, things):
    owner = {
        "projects": None,
        "project_new": None,
        "project": "project",
        "project_join": "project",
        "participant_add": "project",
        "phase_add": "project",
        "meeting_new": "project",
        "proposal_new": "project",
        "meeting": "meeting",
        "meeting_minutes": "meeting",
        "meeting_attendance": "meeting",
        "proposal": "proposal",
        "proposal_comment": "proposal",
        "proposal_status": "proposal",
        "proposal_progress": "proposal",
        "proposal_dissent": "proposal",
        "milestone_done": "progress",
    }[name]
    kwargs = {"public_id": things[owner].public_id} if owner else None
    return reverse(f"codesign:{name}", kwargs=kwargs)


ALL_GET = [*READ_PAGES, "project_new", "meeting_new", "proposal_new"]
ALL_POST = [
    "project_join",
    "participant_add",
    "phase_add",
    "meeting_minutes",
    "meeting_attendance",
    "proposal_comment",
    "proposal_status",
    "proposal_progress",
    "proposal_dissent",
    "milestone_done",
]


@pytest.mark.parametrize("page", READ_PAGES)
@pytest.mark.parametrize("who", ["alice", "sam", "dr_patel", "carol"])
def test_every_active_member_of_the_time_bank_reads_every_project_page(
    request, login, things, page, who
):
    response = login(request.getfixturevalue(who)).get(_url(page, things))
    assert response.status_code == 200


@pytest.mark.parametrize("page", ALL_GET)
def test_harry_from_another_time_bank_finds_nothing(login, harry, things, page):
    response = login(harry).get(_url(page, things))
    # Hillside has no projects; the list is his own (empty) community's.
    if page == "projects":
        assert response.status_code == 200
        assert "Our waiting room" not in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("action", ALL_POST)
def test_harry_cannot_act_on_riverside_projects(login, harry, things, action):
    assert login(harry).post(_url(action, things), {}).status_code == 404


@pytest.mark.parametrize("page", ALL_GET)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, things, page):
    response = client.get(_url(page, things))
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


@pytest.mark.parametrize("action", ALL_POST)
def test_an_anonymous_visitor_cannot_act(client, things, action):
    response = client.post(_url(action, things), {})
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


def test_an_applicant_cannot_read_projects(login, riverside, things):
    from tests.conftest import _join, _person

    newcomer = _join(riverside, _person("nia", "Nia", "New"), status="applied")
    assert login(newcomer).get(_url("project", things)).status_code == 404


@pytest.mark.parametrize("page", ["project_new", "meeting_new"])
@pytest.mark.parametrize("who", ["alice", "sam"])
def test_pages_for_running_a_project_are_a_404_for_others(request, login, things, page, who):
    assert login(request.getfixturevalue(who)).get(_url(page, things)).status_code == 404


MANAGER_ACTIONS = [
    "participant_add",
    "phase_add",
    "meeting_minutes",
    "meeting_attendance",
    "proposal_status",
    "proposal_progress",
    "milestone_done",
]


@pytest.mark.parametrize("action", MANAGER_ACTIONS)
@pytest.mark.parametrize("who", ["alice", "sam"])
def test_only_the_organisation_or_a_coordinator_runs_the_project(
    request, login, things, action, who
):
    """sam (a professional at the council) reads the surgery's project but cannot change it."""
    response = login(request.getfixturevalue(who)).post(_url(action, things), {})
    assert response.status_code == 403
    assert "Only the staff of Riverside Surgery or a coordinator" in response.content.decode()


def test_sam_cannot_record_attendance_or_decide_even_with_a_full_form(login, sam, alice, things):
    client = login(sam)
    meeting = things["meeting"]
    client.post(
        _url("meeting_attendance", things),
        {
            f"attendance-came_{alice.public_id.hex}": "on",
            f"attendance-time_{alice.public_id.hex}": "2",
        },
    )
    client.post(
        _url("proposal_status", things),
        {"status-status": ProposalStatus.NOT_TAKEN_UP, "status-response": "No"},
    )
    assert not MeetingAttendance.objects.filter(meeting=meeting).exists()
    assert StatusChange.objects.count() == 2


@pytest.mark.parametrize("action", ["proposal_comment", "proposal_dissent"])
def test_only_people_taking_part_discuss_and_disagree(login, sam, things, action):
    response = login(sam).post(_url(action, things), {"comment-text": "Hi", "dissent-text": "No"})
    assert response.status_code == 403
    assert "Join the project first" in response.content.decode()


def test_someone_not_taking_part_is_offered_to_join_instead_of_proposing(login, sam, things):
    assert login(sam).get(_url("proposal_new", things)).status_code == 403
    page = login(sam).get(_url("proposal", things)).content.decode()
    assert "Join the project to take part in the discussion." in page
    assert "Add a comment" not in page


def test_the_organisations_staff_see_the_forms_to_run_it(login, dr_patel, things):
    page = login(dr_patel).get(_url("meeting", things)).content.decode()
    assert "Record attendance" in page and "Write the minutes" in page
    page = login(dr_patel).get(_url("proposal", things)).content.decode()
    assert "Report progress" in page


def test_a_member_sees_no_forms_to_run_it(login, alice, things):
    page = login(alice).get(_url("meeting", things)).content.decode()
    assert "Record attendance" not in page and "Write the minutes" not in page
    page = login(alice).get(_url("proposal", things)).content.decode()
    assert "Report progress" not in page and "Mark this milestone done" not in page
