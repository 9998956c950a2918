"""Co-design: the time bank's projects, their meetings and proposals to read, and a meeting's
attendance to record (which pays each member who came, once). Who may read is
`codesign.selectors` (members and the organisations' staff of the time bank); who may record
attendance is the project's managers (`codesign.attendance.meeting_attendance_record`).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Schema
from pydantic import StrictInt

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.pagination import CursorPage, CursorParams, newest_first, page_of_rows
from coproduce.api.schemas import Hours, PersonOut, hours, person_out, responses
from coproduce.codesign import selectors
from coproduce.codesign.attendance import meeting_attendance_record
from coproduce.codesign.models import (
    Dissent,
    Meeting,
    MeetingAttendance,
    ProgressUpdate,
    Project,
    Proposal,
)
from coproduce.community.models import Person
from coproduce.core.errors import ApplicationError

router = Router(tags=["co-design"])


class ProjectOut(Schema):
    public_id: UUID
    title: str
    question: str
    organisation: str
    participant_count: int
    proposal_count: int
    taking_part: bool
    created_at: datetime


class ProjectPage(CursorPage):
    items: list[ProjectOut]


class PhaseOut(Schema):
    name: str
    starts_on: date
    ends_on: date


class MeetingOut(Schema):
    public_id: UUID
    project: UUID
    starts_at: datetime
    planned: Hours
    place: str
    agenda: str


class ProjectParticipantOut(Schema):
    person: PersonOut
    role: str


class ProposalOut(Schema):
    public_id: UUID
    project: UUID
    title: str
    text: str
    author: str
    status: str
    created_at: datetime


class ProgressOut(Schema):
    public_id: UUID = F(description="A milestone is marked done by this id.")
    proposal: UUID
    text: str
    is_milestone: bool
    milestone_on: date | None = F(description="When a milestone is due; null for an update.")
    done_at: datetime | None = F(description="When a milestone was marked done.")
    author: str
    created_at: datetime


class ProjectProposalOut(ProposalOut):
    comment_count: int
    response: str = F(description="The organisation's latest public response, if any.")
    progress: list[ProgressOut] = F(description="Since it was accepted: “you said, we did”.")


class ProjectDetailOut(ProjectOut):
    description: str
    meetings_paid_from: str
    phases: list[PhaseOut]
    meetings: list[MeetingOut]
    participants: list[ProjectParticipantOut]
    proposals: list[ProjectProposalOut]


class AttendanceOut(Schema):
    person: PersonOut
    attended: Hours
    as_staff: bool = F(description="Came as the organisation's staff: kept, with no credits.")
    paid: bool
    recorded_at: datetime


class MeetingDetailOut(MeetingOut):
    minutes_text: str
    minutes_written_by: str | None
    minutes_written_at: datetime | None
    attendance: list[AttendanceOut]
    not_recorded: list[PersonOut] = F(description="Participants whose attendance is not kept.")
    paid: Hours = F(description="Time credits paid for this meeting so far.")


class DissentOut(Schema):
    person: str
    text: str
    created_at: datetime


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    response: str
    changed_by: str
    created_at: datetime
    dissents: list[DissentOut] = F(
        description="Views recorded against this decision: kept for good, beside it."
    )


class ProposalDetailOut(ProposalOut):
    changes: list[StatusChangeOut]
    comment_count: int
    progress: list[ProgressOut] = F(description="Progress and milestones, once accepted.")


class AttendeeIn(Schema):
    person: UUID = F(description="A participant of the project, by public id.")
    minutes: StrictInt = F(gt=0, le=24 * 60, description="How long they were there.")


class AttendanceIn(Schema):
    attendees: list[AttendeeIn] = F(min_length=1, max_length=200)


class AttendanceReportOut(Schema):
    paid: list[PersonOut] = F(description="Recorded now and paid for their time.")
    staff: list[PersonOut] = F(description="Recorded now as staff, with no credits.")
    already: list[PersonOut] = F(description="Already recorded before: left as they were.")
    meeting: MeetingDetailOut


def _project_fields(project: Project) -> dict:
    return {
        "public_id": project.public_id,
        "title": project.title,
        "question": project.question,
        "organisation": project.organisation.name if project.organisation_id else "",  # type: ignore[union-attr]
        "participant_count": getattr(project, "participant_count", 0),
        "proposal_count": getattr(project, "proposal_count", 0),
        "taking_part": bool(getattr(project, "taking_part", False)),
        "created_at": project.created_at,
    }


def _meeting_fields(meeting: Meeting, project: Project) -> dict:
    return {
        "public_id": meeting.public_id,
        "project": project.public_id,
        "starts_at": meeting.starts_at,
        "planned": hours(meeting.planned_minutes),
        "place": meeting.place,
        "agenda": meeting.agenda,
    }


def _proposal_fields(proposal: Proposal, project: Project) -> dict:
    return {
        "public_id": proposal.public_id,
        "project": project.public_id,
        "title": proposal.title,
        "text": proposal.text,
        "author": proposal.author.display_name,
        "status": proposal.status,
        "created_at": proposal.created_at,
    }


def progress_out(update: ProgressUpdate, proposal: Proposal) -> ProgressOut:
    return ProgressOut(
        public_id=update.public_id,
        proposal=proposal.public_id,
        text=update.text,
        is_milestone=update.is_milestone,
        milestone_on=update.milestone_on,
        done_at=update.done_at,
        author=update.author.display_name,
        created_at=update.created_at,
    )


def dissent_out(dissent: Dissent) -> DissentOut:
    return DissentOut(
        person=dissent.person.display_name, text=dissent.text, created_at=dissent.created_at
    )


def _attendance_out(row: MeetingAttendance) -> AttendanceOut:
    return AttendanceOut(
        person=person_out(row.person),
        attended=hours(row.minutes_attended),
        as_staff=row.as_staff,
        paid=row.transfer_id is not None,
        recorded_at=row.recorded_at,
    )


def meeting_detail(meeting: Meeting) -> MeetingDetailOut:
    page = selectors.meeting_page(meeting=meeting)
    return MeetingDetailOut(
        **_meeting_fields(meeting, meeting.project),
        minutes_text=meeting.minutes_text,
        minutes_written_by=(
            meeting.minutes_written_by.display_name if meeting.minutes_written_by else None
        ),
        minutes_written_at=meeting.minutes_written_at,
        attendance=[_attendance_out(a) for a in page["attendance"]],
        not_recorded=[person_out(p.person) for p in page["not_recorded"]],
        paid=hours(page["minutes_paid"]),
    )


@router.get(
    "/projects",
    response=responses({200: ProjectPage}, 400, 404, 422),
    summary="The time bank's co-design projects, newest first",
)
def projects(request: HttpRequest, page: Query[CursorParams]) -> ProjectPage:
    who = caller(request)
    found = selectors.projects_for(person=who.person, timebank=who.timebank)
    rows, next_cursor = page_of_rows(found, newest_first(), page)
    return ProjectPage(
        items=[ProjectOut(**_project_fields(p)) for p in rows],
        limit=page.limit,
        next_cursor=next_cursor,
    )


@router.get(
    "/projects/{public_id}",
    response=responses({200: ProjectDetailOut}, 404, 422),
    summary="A project: its phases, meetings, people and proposals",
)
def project(request: HttpRequest, public_id: UUID) -> ProjectDetailOut:
    who = caller(request)
    found = selectors.project_get_for(person=who.person, timebank=who.timebank, public_id=public_id)
    page = selectors.project_page(project=found)
    found.participant_count = len(page["participants"])  # type: ignore[attr-defined]
    found.proposal_count = len(page["proposals"])  # type: ignore[attr-defined]
    found.taking_part = any(p.person_id == who.person.pk for p in page["participants"])  # type: ignore[attr-defined]
    return ProjectDetailOut(
        **_project_fields(found),
        description=found.description,
        meetings_paid_from=found.meetings_paid_from,
        phases=[
            PhaseOut(name=p.name, starts_on=p.starts_on, ends_on=p.ends_on) for p in page["phases"]
        ],
        meetings=[MeetingOut(**_meeting_fields(m, found)) for m in page["meetings"]],
        participants=[
            ProjectParticipantOut(person=person_out(p.person), role=p.role)
            for p in page["participants"]
        ],
        proposals=[
            ProjectProposalOut(
                **_proposal_fields(p, found),
                comment_count=p.comment_count,  # type: ignore[attr-defined]
                response=p.latest_change.response if p.latest_change else "",  # type: ignore[attr-defined]
                progress=[progress_out(u, p) for u in p.progress_updates.all()],
            )
            for p in page["proposals"]
        ],
    )


@router.get(
    "/meetings/{public_id}",
    response=responses({200: MeetingDetailOut}, 404, 422),
    summary="A meeting, its minutes and who came",
)
def meeting(request: HttpRequest, public_id: UUID) -> MeetingDetailOut:
    who = caller(request)
    found = selectors.meeting_get_for(person=who.person, timebank=who.timebank, public_id=public_id)
    return meeting_detail(found)


@router.get(
    "/proposals/{public_id}",
    response=responses({200: ProposalDetailOut}, 404, 422),
    summary="A proposal and each decision on it",
)
def proposal(request: HttpRequest, public_id: UUID) -> ProposalDetailOut:
    who = caller(request)
    found = selectors.proposal_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    return proposal_detail(found)


def proposal_detail(found: Proposal) -> ProposalDetailOut:
    """A proposal as `GET /proposals/{public_id}` answers it (its steps answer it too)."""
    page = selectors.proposal_page(proposal=found)
    return ProposalDetailOut(
        **_proposal_fields(found, found.project),
        changes=[
            StatusChangeOut(
                from_status=c.from_status,
                to_status=c.to_status,
                response=c.response,
                changed_by=c.changed_by.display_name,
                created_at=c.created_at,
                dissents=[dissent_out(d) for d in c.dissents.all()],
            )
            for c in page["changes"]
        ],
        comment_count=len(page["comments"]),
        progress=[progress_out(u, found) for u in page["progress"]],
    )


@write_operation(
    router,
    "/meetings/{public_id}/attendance",
    response=responses({200: AttendanceReportOut}, 404, 409),
    summary="Record who came and for how long: each member is paid for their time, once "
    "(the project's managers)",
)
def attendance(request: HttpRequest, public_id: UUID, payload: AttendanceIn) -> AttendanceReportOut:
    who = caller(request)
    found = selectors.meeting_get_for(person=who.person, timebank=who.timebank, public_id=public_id)
    participants = {
        p.person.public_id: p.person for p in found.project.participants.select_related("person")
    }
    attendees: list[tuple[Person, int]] = []
    for attendee in payload.attendees:
        person = participants.get(attendee.person)
        if person is None:
            raise ApplicationError(
                _("Only the project's participants can be recorded as attending."),
                "not_participant",
            )
        attendees.append((person, attendee.minutes))
    report = meeting_attendance_record(acting=who.person, meeting=found, attendees=attendees)
    found = selectors.meeting_get_for(person=who.person, timebank=who.timebank, public_id=public_id)
    return AttendanceReportOut(
        paid=[person_out(a.person) for a in report.paid],
        staff=[person_out(a.person) for a in report.staff],
        already=[person_out(a.person) for a in report.already],
        meeting=meeting_detail(found),
    )
