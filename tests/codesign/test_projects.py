"""Starting a project, joining it, adding people and phases."""

from __future__ import annotations

from datetime import date

import pytest

from coproduce.codesign.models import ProjectParticipant
from coproduce.codesign.services import (
    phase_add,
    project_create,
    project_join,
    project_participant_add,
)
from coproduce.community.models import Membership, OrganisationStaff
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.models import AuditEvent


def _start(acting, timebank, organisation, **extra):
    return project_create(
        acting=acting,
        timebank=timebank,
        organisation=organisation,
        title="Waiting room",
        question="How should the waiting room work?",
        **extra,
    )


def test_a_coordinator_starts_a_project_and_facilitates_it(riverside, carol, surgery):
    project = _start(carol, riverside, surgery)
    assert project.participants.get().role == "facilitator"
    assert AuditEvent.objects.filter(action="codesign.project_created").exists()


def test_an_organisation_admin_starts_a_project_for_their_organisation(riverside, alice, surgery):
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=surgery, person=alice, role="admin"
    )
    assert _start(alice, riverside, surgery).organisation == surgery


@pytest.mark.parametrize("who", ["alice", "dr_patel", "sam"])
def test_members_professionals_and_other_organisations_cannot_start_one(
    request, riverside, surgery, who
):
    with pytest.raises(PermissionDenied, match="Only a coordinator or an admin"):
        _start(request.getfixturevalue(who), riverside, surgery)


def test_a_coordinator_of_another_time_bank_cannot_start_one(hillside, harry, surgery):
    with pytest.raises(PermissionDenied):
        _start(harry, hillside, surgery)


def test_bad_project_details_are_refused(riverside, carol, surgery):
    with pytest.raises(ApplicationError, match="Choose who pays"):
        _start(carol, riverside, surgery, meetings_paid_from="lottery")
    with pytest.raises(ApplicationError, match="Please write a title"):
        project_create(
            acting=carol, timebank=riverside, organisation=surgery, title=" ", question="Why?"
        )


def test_joining_is_one_click_and_twice_changes_nothing(project, sam):
    first = project_join(acting=sam, project=project)
    assert project_join(acting=sam, project=project) == first
    assert first.role == "professional"
    assert ProjectParticipant.objects.filter(project=project, person=sam).count() == 1


def test_members_join_as_members_and_the_organisations_staff_as_professionals(
    project, alice, dr_patel
):
    roles = dict(project.participants.values_list("person__username", "role"))
    assert roles == {
        "carol": "facilitator",
        "alice": "member",
        "bob": "member",
        "dr_patel": "professional",
    }


def test_a_paused_member_cannot_join(riverside, project, sam):
    Membership.objects.filter(person=sam).update(status="paused")
    with pytest.raises(PermissionDenied, match="Only active members"):
        project_join(acting=sam, project=project)


def test_the_coordinator_adds_someone_who_is_not_online(project, carol, sam):
    added = project_participant_add(acting=carol, project=project, person=sam, role="facilitator")
    assert added.role == "facilitator"
    with pytest.raises(Conflict, match="already taking part"):
        project_participant_add(acting=carol, project=project, person=sam, role="member")


def test_a_member_cannot_add_people(project, alice, sam):
    with pytest.raises(PermissionDenied):
        project_participant_add(acting=alice, project=project, person=sam, role="member")


def test_someone_from_another_time_bank_cannot_be_added(project, carol, harry):
    with pytest.raises(ApplicationError, match="not an active member"):
        project_participant_add(acting=carol, project=project, person=harry, role="member")


def test_phases_are_kept_in_order(project, carol, dr_patel):
    phase_add(
        acting=carol,
        project=project,
        name="Listening",
        starts_on=date(2030, 1, 1),
        ends_on=date(2030, 2, 1),
    )
    phase_add(
        acting=dr_patel,
        project=project,
        name="Trying it out",
        starts_on=date(2030, 2, 2),
        ends_on=date(2030, 4, 1),
    )
    assert [p.name for p in project.phases.all()] == ["Listening", "Trying it out"]


def test_a_phase_cannot_end_before_it_starts(project, carol):
    with pytest.raises(ApplicationError, match="cannot end before it starts"):
        phase_add(
            acting=carol,
            project=project,
            name="Backwards",
            starts_on=date(2030, 2, 1),
            ends_on=date(2030, 1, 1),
        )
