"""The pages, as people use them: reading, joining, proposing, deciding, recording attendance,
and what a refusal looks like."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.codesign.models import (
    Comment,
    MeetingAttendance,
    PaidFrom,
    Project,
    Proposal,
    ProposalStatus,
    StatusChange,
)
from coproduce.codesign.services import (
    dissent_record,
    progress_add,
    proposal_comment,
    proposal_status_change,
    proposal_submit,
)
from coproduce.ledger.models import Transfer, TransferKind
from tests.codesign.conftest import balance_of


def _url(name, thing=None):
    return reverse(f"codesign:{name}", kwargs={"public_id": thing.public_id} if thing else None)


def _decide(proposal, by, status=ProposalStatus.ACCEPTED, response="We will do it."):
    proposal_status_change(
        acting=by, proposal=proposal, to_status=ProposalStatus.UNDER_CONSIDERATION
    )
    proposal_status_change(acting=by, proposal=proposal, to_status=status, response=response)


def test_carol_starts_a_project_from_the_form(login, carol, surgery):
    client = login(carol)
    page = client.get(_url("project_new"))
    assert page.status_code == 200
    assert b'<label for="id_title">' in page.content

    response = client.post(
        _url("project_new"),
        {
            "organisation": surgery.pk,
            "title": "Our waiting room",
            "question": "How should the waiting room work?",
            "meetings_paid_from": PaidFrom.CHEST,
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302
    assert response.url == _url("project", project)
    assert project.meetings_paid_from == PaidFrom.CHEST


def test_a_project_form_with_no_question_says_what_is_missing(login, carol, surgery):
    response = login(carol).post(
        _url("project_new"), {"organisation": surgery.pk, "title": "Waiting room"}
    )
    assert response.status_code == 200
    assert b'aria-invalid="true"' in response.content
    assert b"id_question_error" in response.content
    assert not Project.objects.exists()


def test_alice_joins_from_the_list_in_one_click(login, alice, sam, project):
    client = login(sam)
    listing = client.get(_url("projects"))
    assert "Join “Our waiting room”" in listing.content.decode()
    response = client.post(_url("project_join", project))
    assert response.status_code == 302
    assert project.participants.filter(person=sam).exists()
    assert "You are taking part" in client.get(_url("projects")).content.decode()


def test_alice_makes_a_proposal_and_a_bad_one_is_explained(login, alice, project):
    client = login(alice)
    bad = client.post(_url("proposal_new", project), {"title": "", "text": "Quiet please"})
    assert bad.status_code == 200
    assert b'aria-invalid="true"' in bad.content
    assert not Proposal.objects.exists()

    good = client.post(
        _url("proposal_new", project), {"title": "A quiet corner", "text": "Quiet please"}
    )
    proposal = Proposal.objects.get()
    assert good.url == _url("proposal", proposal)
    assert proposal.author == alice


def test_a_decision_without_a_response_is_refused_on_the_form(login, carol, dr_patel, proposal):
    proposal_status_change(
        acting=carol, proposal=proposal, to_status=ProposalStatus.UNDER_CONSIDERATION
    )
    response = login(dr_patel).post(
        _url("proposal_status", proposal),
        {"status-status": ProposalStatus.ACCEPTED, "status-response": ""},
    )
    assert response.status_code == 400
    assert "Please write the public response" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.UNDER_CONSIDERATION
    assert StatusChange.objects.count() == 1


def test_dr_patel_accepts_with_a_public_response_that_everyone_reads(
    login, dr_patel, bob, proposal
):
    client = login(dr_patel)
    client.post(
        _url("proposal_status", proposal), {"status-status": ProposalStatus.UNDER_CONSIDERATION}
    )
    response = client.post(
        _url("proposal_status", proposal),
        {"status-status": ProposalStatus.ACCEPTED, "status-response": "The corner opens in May."},
    )
    assert response.status_code == 302
    page = login(bob).get(_url("project", proposal.project)).content.decode()
    said = page.split("You said, we did")[1].split('id="phases"')[0]
    assert "A quiet corner" in said and "The corner opens in May." in said


def test_a_status_change_refused_by_the_state_machine_is_explained(login, carol, proposal):
    response = login(carol).post(
        _url("proposal_status", proposal),
        {"status-status": ProposalStatus.ACCEPTED, "status-response": "Yes"},
    )
    # Accepting straight from open is not offered, so the form itself refuses it.
    assert response.status_code == 400
    assert b'aria-invalid="true"' in response.content
    assert not StatusChange.objects.exists()


def test_comments_and_dissent_show_beside_the_decision(login, carol, alice, bob, proposal):
    client = login(bob)
    client.post(_url("proposal_comment", proposal), {"comment-text": "Yes, and softer lights"})
    assert Comment.objects.get().author == bob
    _decide(proposal, carol, ProposalStatus.NOT_TAKEN_UP, "There is no room for it this year.")

    page = client.get(_url("proposal", proposal)).content.decode()
    assert "I disagree with this decision" in page
    client.post(_url("proposal_dissent", proposal), {"dissent-text": "Then make room."})

    page = client.get(_url("proposal", proposal)).content.decode()
    decision = page.split('id="decision"')[1].split('id="history"')[0]
    assert "There is no room for it this year." in decision
    assert "Then make room." in decision and "Bob Brown" in decision
    assert "I disagree with this decision" not in page  # one view per person per decision


def test_an_empty_comment_is_explained(login, alice, proposal):
    response = login(alice).post(_url("proposal_comment", proposal), {"comment-text": "  "})
    assert response.status_code == 400
    assert b"id_comment-text_error" in response.content
    assert not Comment.objects.exists()


def test_progress_and_milestones_through_the_page(login, carol, proposal):
    _decide(proposal, carol)
    client = login(carol)
    no_date = client.post(
        _url("proposal_progress", proposal),
        {"progress-text": "Corner open", "progress-is_milestone": "on"},
    )
    assert no_date.status_code == 400
    assert "Give the milestone a date." in no_date.content.decode()

    client.post(
        _url("proposal_progress", proposal),
        {
            "progress-text": "Corner open",
            "progress-is_milestone": "on",
            "progress-milestone_on": "2030-05-01",
        },
    )
    milestone = proposal.progress_updates.get()
    assert client.post(_url("milestone_done", milestone)).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done


def _attendance_post(meeting, *people, time="2"):
    data = {}
    for person in people:
        data[f"attendance-came_{person.public_id.hex}"] = "on"
        data[f"attendance-time_{person.public_id.hex}"] = time
    return data


def test_carol_records_attendance_once_and_staff_are_skipped(
    login, riverside, carol, alice, dr_patel, surgery, meeting
):
    client = login(carol)
    page = client.get(_url("meeting", meeting)).content.decode()
    assert "staff of the organisation: no credits" in page

    data = _attendance_post(meeting, alice, dr_patel)
    response = client.post(_url("meeting_attendance", meeting), data)
    assert response.status_code == 302
    # The same form sent again (a double click, the back button) pays no one twice.
    again = client.post(_url("meeting_attendance", meeting), data)
    assert again.status_code == 400
    assert Transfer.objects.filter(kind=TransferKind.MEETING).count() == 1
    assert balance_of(riverside, alice) == 120
    assert balance_of(riverside, organisation=surgery) == -120

    page = client.get(_url("meeting", meeting)).content.decode()
    assert "2:00 hours earned" in page
    assert "None: came as staff of the organisation" in page


def test_a_ticked_person_without_a_time_is_explained(login, carol, alice, meeting):
    data = _attendance_post(meeting, alice, time="")
    response = login(carol).post(_url("meeting_attendance", meeting), data)
    assert response.status_code == 400
    assert "Say how long they were there." in response.content.decode()
    assert not MeetingAttendance.objects.exists()


def test_an_empty_chest_is_a_clear_message_on_the_page(login, riverside, carol, alice, meeting):
    project = meeting.project
    project.meetings_paid_from = PaidFrom.CHEST
    project.save()
    response = login(carol).post(
        _url("meeting_attendance", meeting), _attendance_post(meeting, alice)
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was recorded: the credits for Alice Ahmed could not be paid." in text
    assert not MeetingAttendance.objects.exists()


def test_minutes_are_written_after_the_meeting(login, carol, alice, meeting, project):
    client = login(carol)
    client.post(_url("meeting_minutes", meeting), {"minutes-text": "We agreed on a quiet corner."})
    page = login(alice).get(_url("meeting", meeting)).content.decode()
    assert "We agreed on a quiet corner." in page
    assert "Write the minutes" not in page  # alice reads; she does not edit


def test_carol_arranges_a_meeting(login, carol, project):
    client = login(carol)
    when = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        _url("meeting_new", project),
        {"starts_at": when, "length": "1:30", "place": "Library", "agenda": "Chairs"},
    )
    meeting = project.meetings.get()
    assert response.url == _url("meeting", meeting)
    assert meeting.planned_minutes == 90
    assert "once the meeting has happened" in client.get(response.url).content.decode()


def test_a_meeting_with_a_nonsense_length_is_explained(login, carol, project):
    response = login(carol).post(
        _url("meeting_new", project),
        {"starts_at": "2030-01-01T10:00", "length": "ages", "place": "Library"},
    )
    assert response.status_code == 200
    assert "is not a length of time" in response.content.decode()
    assert not project.meetings.exists()


# Query counts --------------------------------------------------------------------------------


def _busy_project(project, carol, alice, bob, how_many):
    for n in range(how_many):
        proposal = proposal_submit(acting=alice, project=project, title=f"Idea {n}", text="…")
        proposal_comment(acting=bob, proposal=proposal, text="Agreed")
        if n % 3 == 0:
            _decide(proposal, carol)
            progress_add(acting=carol, proposal=proposal, text="Started")
        elif n % 3 == 1:
            _decide(proposal, carol, ProposalStatus.NOT_TAKEN_UP, "Not this year")
            dissent_record(acting=bob, proposal=proposal, text="Pity")


@pytest.mark.parametrize("how_many", [3, 30])
def test_the_project_page_costs_the_same_queries_however_many_proposals(
    login, django_assert_max_num_queries, project, carol, alice, bob, meeting, how_many
):
    _busy_project(project, carol, alice, bob, how_many)
    client = login(alice)
    with django_assert_max_num_queries(15):
        response = client.get(_url("project", project))
    assert response.status_code == 200
    page = response.content.decode()
    decided = len([n for n in range(how_many) if n % 3 in (0, 1)])
    accepted = len([n for n in range(how_many) if n % 3 == 0])
    assert page.count("Response from Riverside Surgery") == decided
    assert page.count("We did:") == accepted


@pytest.mark.parametrize("how_many", [3, 30])
def test_the_projects_list_costs_the_same_queries_however_many_projects(
    login, django_assert_max_num_queries, riverside, carol, surgery, alice, how_many
):
    from coproduce.codesign.services import project_create

    for n in range(how_many):
        project_create(
            acting=carol, timebank=riverside, organisation=surgery, title=f"P{n}", question="?"
        )
    client = login(alice)
    with django_assert_max_num_queries(8):
        response = client.get(_url("projects"))
    assert response.content.decode().count("Join “P") == how_many


def test_a_new_meeting_is_offered_at_ten_in_the_morning_a_week_ahead(login, carol, project):
    """Opened late at night, the form no longer suggests 23:00 (issue 13)."""
    from coproduce.codesign.forms import default_meeting_start

    late = timezone.make_aware(datetime(2026, 3, 9, 23, 10))
    assert default_meeting_start(late) == "2026-03-16T10:00"
    page = login(carol).get(_url("meeting_new", project)).content.decode()
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    assert f'value="{day}T10:00"' in page


def test_the_projects_page_says_who_can_read_a_project(login, alice, project, client):
    """DESIGN: any member of the time bank reads every project; visitors sign in first. The page
    says so instead of "Anyone can read a project" (issue 13)."""
    page = login(alice).get(_url("projects")).content.decode()
    assert "Anyone can read" not in page
    assert "Every member of the time bank can read its projects" in page
    client.logout()
    response = client.get(_url("project", project))
    assert response.status_code == 302 and "/login/" in response.url
