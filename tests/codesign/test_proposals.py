"""Proposals: open → under consideration → accepted / not taken up, moved only by the
organisation or a coordinator, each move kept with its public response; progress on accepted
ones; dissent kept beside the decision."""

from __future__ import annotations

from datetime import date

import pytest

from coproduce.codesign.models import (
    Dissent,
    DissentIsPermanent,
    ProposalStatus,
    StatusChange,
)
from coproduce.codesign.services import (
    dissent_record,
    milestone_mark_done,
    progress_add,
    proposal_comment,
    proposal_status_change,
    proposal_submit,
)
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.models import AuditEvent, Notification

OPEN, CONSIDERING, ACCEPTED, NOT_TAKEN_UP = (
    ProposalStatus.OPEN,
    ProposalStatus.UNDER_CONSIDERATION,
    ProposalStatus.ACCEPTED,
    ProposalStatus.NOT_TAKEN_UP,
)


def _move(proposal, *statuses, by):
    for status in statuses:
        proposal_status_change(
            acting=by, proposal=proposal, to_status=status, response=f"Because: {status}"
        )
    proposal.refresh_from_db()
    return proposal


@pytest.mark.parametrize(
    ("path", "final"),
    [
        ([CONSIDERING], CONSIDERING),
        ([CONSIDERING, ACCEPTED], ACCEPTED),
        ([CONSIDERING, NOT_TAKEN_UP], NOT_TAKEN_UP),
    ],
)
def test_allowed_moves(carol, proposal, path, final):
    assert _move(proposal, *path, by=carol).status == final
    assert list(proposal.status_changes.values_list("to_status", flat=True)) == path


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], ACCEPTED),
        ([], NOT_TAKEN_UP),
        ([], OPEN),
        ([CONSIDERING], CONSIDERING),
        ([CONSIDERING], OPEN),
        ([CONSIDERING, ACCEPTED], NOT_TAKEN_UP),
        ([CONSIDERING, ACCEPTED], CONSIDERING),
        ([CONSIDERING, NOT_TAKEN_UP], ACCEPTED),
        ([CONSIDERING, NOT_TAKEN_UP], OPEN),
    ],
)
def test_refused_moves_change_nothing(carol, proposal, path, refused):
    _move(proposal, *path, by=carol)
    with pytest.raises(Conflict, match="cannot become"):
        proposal_status_change(acting=carol, proposal=proposal, to_status=refused, response="x")
    proposal.refresh_from_db()
    assert proposal.status == (path[-1] if path else OPEN)
    assert proposal.status_changes.count() == len(path)


@pytest.mark.parametrize("decision", [ACCEPTED, NOT_TAKEN_UP])
def test_a_decision_needs_a_public_response(carol, proposal, decision):
    _move(proposal, CONSIDERING, by=carol)
    with pytest.raises(ApplicationError, match="Please write the public response"):
        proposal_status_change(acting=carol, proposal=proposal, to_status=decision, response="  ")
    proposal.refresh_from_db()
    assert proposal.status == CONSIDERING


def test_under_consideration_needs_no_response(carol, proposal):
    change = proposal_status_change(acting=carol, proposal=proposal, to_status=CONSIDERING)
    assert change.response == ""


def test_an_unknown_status_is_refused_clearly(carol, proposal):
    with pytest.raises(ApplicationError, match="Choose a status"):
        proposal_status_change(acting=carol, proposal=proposal, to_status="approved")


def test_every_move_is_kept_with_its_response_and_audited(carol, dr_patel, alice, proposal):
    _move(proposal, CONSIDERING, by=carol)
    proposal_status_change(
        acting=dr_patel,
        proposal=proposal,
        to_status=ACCEPTED,
        response="We will make the corner by the window quiet from March.",
    )
    history = list(StatusChange.objects.filter(proposal=proposal))
    assert [(c.from_status, c.to_status, c.changed_by) for c in history] == [
        (OPEN, CONSIDERING, carol),
        (CONSIDERING, ACCEPTED, dr_patel),
    ]
    assert history[-1].response.startswith("We will make the corner")
    assert AuditEvent.objects.filter(action="codesign.proposal_status_changed").count() == 2
    # alice hears about each move of her proposal.
    assert Notification.objects.filter(person=alice, kind="codesign.proposal_status").count() == 2


@pytest.mark.parametrize("who", ["alice", "bob", "sam"])
def test_only_the_organisation_or_a_coordinator_changes_a_status(request, who, proposal):
    with pytest.raises(PermissionDenied, match="Only the staff of Riverside Surgery"):
        proposal_status_change(
            acting=request.getfixturevalue(who), proposal=proposal, to_status=CONSIDERING
        )
    assert not proposal.status_changes.exists()


def test_anyone_taking_part_proposes_and_comments_as_equals(project, bob, dr_patel, proposal):
    assert proposal_submit(acting=dr_patel, project=project, title="Text reminders", text="…")
    assert proposal_comment(acting=bob, proposal=proposal, text="Yes please").author == bob


def test_someone_not_taking_part_cannot_propose_or_comment(project, sam, proposal):
    with pytest.raises(PermissionDenied, match="Join the project first"):
        proposal_submit(acting=sam, project=project, title="Mine", text="An idea")
    with pytest.raises(PermissionDenied, match="Join the project first"):
        proposal_comment(acting=sam, proposal=proposal, text="Hello")


@pytest.mark.parametrize(
    ("title", "text", "message"),
    [
        ("", "Some text", "Please write a title"),
        ("A title", "   ", "Please write your proposal"),
        ("x" * 141, "Some text", "at most 140 characters"),
    ],
)
def test_bad_proposals_are_refused_clearly(project, alice, title, text, message):
    with pytest.raises(ApplicationError, match=message):
        proposal_submit(acting=alice, project=project, title=title, text=text)


def test_progress_and_milestones_on_an_accepted_proposal(carol, dr_patel, proposal):
    _move(proposal, CONSIDERING, ACCEPTED, by=carol)
    progress_add(acting=dr_patel, proposal=proposal, text="Chairs ordered")
    milestone = progress_add(
        acting=carol,
        proposal=proposal,
        text="Quiet corner open",
        is_milestone=True,
        milestone_on=date(2030, 3, 1),
    )
    assert not milestone.done
    assert milestone_mark_done(acting=dr_patel, update=milestone).done
    with pytest.raises(Conflict, match="already marked done"):
        milestone_mark_done(acting=carol, update=milestone)


def test_progress_is_only_for_accepted_proposals(carol, proposal):
    _move(proposal, CONSIDERING, by=carol)
    with pytest.raises(Conflict, match="accepted proposals only"):
        progress_add(acting=carol, proposal=proposal, text="Started")


def test_a_milestone_needs_a_date(carol, proposal):
    _move(proposal, CONSIDERING, ACCEPTED, by=carol)
    with pytest.raises(ApplicationError, match="Give the milestone a date"):
        progress_add(acting=carol, proposal=proposal, text="Open", is_milestone=True)


def test_members_cannot_report_progress(carol, alice, proposal):
    _move(proposal, CONSIDERING, ACCEPTED, by=carol)
    with pytest.raises(PermissionDenied):
        progress_add(acting=alice, proposal=proposal, text="Done!")


def test_dissent_is_kept_beside_the_decision(carol, alice, bob, proposal):
    _move(proposal, CONSIDERING, NOT_TAKEN_UP, by=carol)
    dissent = dissent_record(
        acting=bob, proposal=proposal, text="The noise really does keep people away."
    )
    decision = proposal.status_changes.get(to_status=NOT_TAKEN_UP)
    assert dissent.decision == decision
    assert list(decision.dissents.values_list("person__username", flat=True)) == ["bob"]
    assert AuditEvent.objects.filter(action="codesign.dissent_recorded").count() == 1


def test_dissent_needs_a_decision(alice, proposal):
    with pytest.raises(Conflict, match="No decision has been taken yet"):
        dissent_record(acting=alice, proposal=proposal, text="No!")


def test_one_view_per_person_per_decision(carol, bob, proposal):
    _move(proposal, CONSIDERING, ACCEPTED, by=carol)
    dissent_record(acting=bob, proposal=proposal, text="I disagree")
    with pytest.raises(Conflict, match="already on the record"):
        dissent_record(acting=bob, proposal=proposal, text="I still disagree")


def test_only_people_taking_part_can_dissent(carol, sam, proposal):
    _move(proposal, CONSIDERING, ACCEPTED, by=carol)
    with pytest.raises(PermissionDenied):
        dissent_record(acting=sam, proposal=proposal, text="I disagree")


def test_a_recorded_dissent_cannot_be_edited_or_deleted(carol, bob, proposal):
    _move(proposal, CONSIDERING, NOT_TAKEN_UP, by=carol)
    dissent = dissent_record(acting=bob, proposal=proposal, text="I disagree")
    dissent.text = "I agree after all"
    with pytest.raises(DissentIsPermanent):
        dissent.save()
    with pytest.raises(DissentIsPermanent):
        dissent.delete()
    assert Dissent.objects.get().text == "I disagree"
