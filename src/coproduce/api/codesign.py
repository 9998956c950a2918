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
from coproduce.api.schemas import Hours, PersonOut, hours, responses
from coproduce.codesign import selectors
from coproduce.codesign.attendance import meeting_attendance_record
from coproduce.codesign.models import Meeting, MeetingAttendance, Project, Proposal
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


class ProjectDetailOut(ProjectOut):
    description: str
    meetings_paid_from: str
    phases: list[PhaseOut]
    meetings: list[MeetingOut]
    participants: list[ProjectParticipantOut]
    proposals: list[ProposalOut]


class AttendanceOut(Schema):
    person: PersonOut
    attended: Hours
    as_staff: bool = F(description="Came as the organisation's staff: kept, with no credits.")
    paid: bool
    recorded_at: datetime


class MeetingDetailOut(MeetingOut):
    minutes_text: str
    attendance: list[AttendanceOut]
    not_recorded: list[PersonOut] = F(description="Participants whose attendance is not kept.")
    paid: Hours = F(description="Time credits paid for this meeting so far.")


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    response: str
    changed_by: str
    created_at: datetime


class ProposalDetailOut(ProposalOut):
    changes: list[StatusChangeOut]
    comment_count: int


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


def _person(person: Person) -> PersonOut:
    return PersonOut(
        public_id=person.public_id, username=person.username, display_name=person.display_name
    )


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


def _attendance_out(row: MeetingAttendance) -> AttendanceOut:
    return AttendanceOut(
        person=_person(row.person),
        attended=hours(row.minutes_attended),
        as_staff=row.as_staff,
        paid=row.transfer_id is not None,
        recorded_at=row.recorded_at,
    )


def _meeting_detail(meeting: Meeting) -> MeetingDetailOut:
    page = selectors.meeting_page(meeting=meeting)
    return MeetingDetailOut(
        **_meeting_fields(meeting, meeting.project),
        minutes_text=meeting.minutes_text,
        attendance=[_attendance_out(a) for a in page["attendance"]],
        not_recorded=[_person(p.person) for p in page["not_recorded"]],
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
            ProjectParticipantOut(person=_person(p.person), role=p.role)
            for p in page["participants"]
        ],
        proposals=[ProposalOut(**_proposal_fields(p, found)) for p in page["proposals"]],
    )


@router.get(
    "/meetings/{public_id}",
    response=responses({200: MeetingDetailOut}, 404, 422),
    summary="A meeting, its minutes and who came",
)
def meeting(request: HttpRequest, public_id: UUID) -> MeetingDetailOut:
    who = caller(request)
    found = selectors.meeting_get_for(person=who.person, timebank=who.timebank, public_id=public_id)
    return _meeting_detail(found)


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
            )
            for c in page["changes"]
        ],
        comment_count=len(page["comments"]),
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
        paid=[_person(a.person) for a in report.paid],
        staff=[_person(a.person) for a in report.staff],
        already=[_person(a.person) for a in report.already],
        meeting=_meeting_detail(found),
    )
