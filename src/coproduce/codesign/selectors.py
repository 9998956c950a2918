"""Reading co-design projects, always as someone: every look-up is scoped to the person asking
and to their current time bank, and raises NotFound for anything they may not see.

Projects are open to the whole community: any active member of the time bank may read every
project in it (a professional of another organisation included). Who may change things is worked
out by `project_standing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _

from coproduce.codesign.models import (
    DECISIONS,
    PROPOSAL_TRANSITIONS,
    Comment,
    Meeting,
    MeetingAttendance,
    ProgressUpdate,
    Project,
    ProjectParticipant,
    Proposal,
    ProposalStatus,
    StatusChange,
)
from coproduce.community.models import (
    Membership,
    MembershipStatus,
    Organisation,
    Role,
)
from coproduce.community.permissions import (
    is_staff_of,
    membership_is_coordinator,
    organisations_administered,
    staff_person_ids,
)
from coproduce.core.errors import NotFound

if TYPE_CHECKING:
    from coproduce.community.models import Person, TimeBank


@dataclass(frozen=True)
class Standing:
    """What one person may do in one project. It answers a question about a project (whether
    they take part, whether they work for the organisation that owns it), so it stays here;
    the rules it rests on (coordinator, staff) come from community.permissions."""

    participant: ProjectParticipant | None
    is_coordinator: bool
    is_staff: bool  # admin or professional of the organisation that owns the project
    is_active_member: bool

    @property
    def takes_part(self) -> bool:
        return self.participant is not None

    @property
    def can_manage(self) -> bool:
        """Schedule meetings, record attendance, write minutes, change proposals' statuses."""
        return self.is_active_member and (self.is_coordinator or self.is_staff)

    @property
    def can_join(self) -> bool:
        return self.is_active_member and self.participant is None


def _active_membership(*, person: Person, timebank: TimeBank) -> Membership | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return Membership.objects.filter(
        person=person, timebank=timebank, status=MembershipStatus.ACTIVE
    ).first()


def _require_reader(*, person: Person, timebank: TimeBank) -> Membership:
    membership = _active_membership(person=person, timebank=timebank)
    if membership is None:
        raise NotFound(_("Co-design projects are open to active members of this time bank."))
    return membership


def project_standing(*, person: Person, project: Project) -> Standing:
    membership = _active_membership(person=person, timebank=project.timebank)
    if membership is None:
        return Standing(None, is_coordinator=False, is_staff=False, is_active_member=False)
    return Standing(
        participant=ProjectParticipant.objects.filter(project=project, person=person).first(),
        is_coordinator=membership_is_coordinator(membership),
        is_staff=is_staff_of(person=person, organisation=project.organisation_id),
        is_active_member=True,
    )


def organisations_for_new_project(*, person: Person, timebank: TimeBank) -> QuerySet[Organisation]:
    """A coordinator may start a project for any organisation in the time bank; an organisation
    admin for their own organisations only."""
    membership = _active_membership(person=person, timebank=timebank)
    if membership is None:
        return Organisation.objects.none()
    if membership_is_coordinator(membership):
        return Organisation.objects.filter(timebank=timebank).order_by("name")
    return organisations_administered(person=person, timebank=timebank)


def participant_role_for(*, person: Person, project: Project) -> str:
    """The role someone takes when they join: staff and professionals as professionals."""
    if is_staff_of(person=person, organisation=project.organisation_id):
        return "professional"
    membership = _active_membership(person=person, timebank=project.timebank)
    if membership is not None and membership.role == Role.PROFESSIONAL:
        return "professional"
    return "member"


def projects_for(*, person: Person, timebank: TimeBank) -> list[Project]:
    """The time bank's projects, newest first, with their counts and whether I take part."""
    _require_reader(person=person, timebank=timebank)
    return list(
        Project.objects.filter(timebank=timebank)
        .select_related("organisation")
        .annotate(
            participant_count=Count("participants", distinct=True),
            proposal_count=Count("proposals", distinct=True),
            taking_part=Exists(
                ProjectParticipant.objects.filter(project=OuterRef("pk"), person=person)
            ),
        )
        .order_by("-created_at", "-pk")
    )


def project_get_for(*, person: Person, timebank: TimeBank, public_id: UUID | str) -> Project:
    _require_reader(person=person, timebank=timebank)
    project = (
        Project.objects.filter(timebank=timebank, public_id=public_id)
        .select_related("organisation", "timebank")
        .first()
    )
    if project is None:
        raise NotFound(_("There is no such project in this time bank."))
    return project


def meeting_get_for(*, person: Person, timebank: TimeBank, public_id: UUID | str) -> Meeting:
    _require_reader(person=person, timebank=timebank)
    meeting = (
        Meeting.objects.filter(timebank=timebank, public_id=public_id)
        .select_related("project__organisation", "project__timebank", "minutes_written_by")
        .first()
    )
    if meeting is None:
        raise NotFound(_("There is no such meeting in this time bank."))
    return meeting


def proposal_get_for(*, person: Person, timebank: TimeBank, public_id: UUID | str) -> Proposal:
    _require_reader(person=person, timebank=timebank)
    proposal = (
        Proposal.objects.filter(timebank=timebank, public_id=public_id)
        .select_related("project__organisation", "project__timebank", "author")
        .first()
    )
    if proposal is None:
        raise NotFound(_("There is no such proposal in this time bank."))
    return proposal


def progress_update_get_for(
    *, person: Person, timebank: TimeBank, public_id: UUID | str
) -> ProgressUpdate:
    _require_reader(person=person, timebank=timebank)
    update = (
        ProgressUpdate.objects.filter(timebank=timebank, public_id=public_id)
        .select_related("proposal__project__organisation", "proposal__project__timebank")
        .first()
    )
    if update is None:
        raise NotFound(_("There is no such progress update in this time bank."))
    return update


def _with_latest_response(proposals: list[Proposal]) -> list[Proposal]:
    """Sets `latest_change` (the last status change, with its public response) on each."""
    for proposal in proposals:
        changes = list(proposal.status_changes.all())
        proposal.latest_change = changes[-1] if changes else None  # type: ignore[attr-defined]
    return proposals


def project_page(*, project: Project) -> dict[str, Any]:
    """Everything the project's page shows, in a fixed number of queries however many
    proposals, meetings or participants it has."""
    proposals = _with_latest_response(
        list(
            Proposal.objects.filter(project=project)
            .select_related("author")
            .annotate(comment_count=Count("comments"))
            .prefetch_related(
                Prefetch(
                    "status_changes",
                    queryset=StatusChange.objects.select_related("changed_by"),
                ),
                Prefetch(
                    "progress_updates",
                    queryset=ProgressUpdate.objects.select_related("author").order_by(
                        "created_at", "pk"
                    ),
                ),
            )
        )
    )
    return {
        "phases": list(project.phases.all()),
        "meetings": list(
            project.meetings.annotate(attendee_count=Count("attendance")).order_by(
                "starts_at", "pk"
            )
        ),
        "participants": list(project.participants.select_related("person")),
        "proposals": proposals,
        "accepted": [p for p in proposals if p.status == ProposalStatus.ACCEPTED],
    }


def meeting_page(*, meeting: Meeting) -> dict[str, Any]:
    attendance = list(
        MeetingAttendance.objects.filter(meeting=meeting).select_related("person", "transfer")
    )
    recorded = {a.person_id for a in attendance}
    participants = list(meeting.project.participants.select_related("person"))
    staff = staff_person_ids(organisation_id=meeting.project.organisation_id)
    return {
        "attendance": attendance,
        "not_recorded": [p for p in participants if p.person_id not in recorded],
        "staff_ids": staff,
        "minutes_paid": sum(a.minutes_attended for a in attendance if a.transfer_id),
    }


def proposal_page(*, proposal: Proposal) -> dict[str, Any]:
    changes = list(
        StatusChange.objects.filter(proposal=proposal)
        .select_related("changed_by")
        .prefetch_related("dissents__person")
    )
    return {
        "comments": list(Comment.objects.filter(proposal=proposal).select_related("author")),
        "changes": changes,
        "decision": changes[-1] if proposal.status in DECISIONS and changes else None,
        "progress": list(proposal.progress_updates.select_related("author")),
        "next_statuses": PROPOSAL_TRANSITIONS[proposal.status],
    }
