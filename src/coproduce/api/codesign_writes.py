"""Co-design writes, as on /projects/: start a project (a coordinator, or an organisation's
admin for their organisation: `organisations_for_new_project`), join one, arrange a meeting
(the project's managers), make a proposal and comment on one (those taking part). Each calls the
same service as the page, after the page's own checks (`project_standing`); the web has no votes.
The operations join `api.codesign`'s router (`/projects` is read there and written here).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Schema, Status

from coproduce.api.auth import caller
from coproduce.api.codesign import (
    MeetingOut,
    ProjectOut,
    ProposalOut,
    _meeting_fields,
    _project_fields,
    _proposal_fields,
    router,
)
from coproduce.api.idempotency import write_operation
from coproduce.api.schemas import Minutes, Moment, MultiLine, SingleLine, responses
from coproduce.codesign import selectors, services
from coproduce.codesign.models import PaidFrom, Project
from coproduce.codesign.services import LONG_TEXT_MAX, SHORT_TEXT_MAX, TITLE_MAX
from coproduce.core.errors import NotFound, PermissionDenied


class ProjectIn(Schema):
    organisation: UUID = F(description="The organisation it is for.")
    title: SingleLine = F(min_length=1, max_length=TITLE_MAX)
    question: MultiLine = F(min_length=1, max_length=SHORT_TEXT_MAX)
    description: MultiLine = F("", max_length=LONG_TEXT_MAX)
    meetings_paid_from: PaidFrom = PaidFrom.ORGANISATION


class MeetingIn(Schema):
    starts_at: Moment
    minutes: Minutes = F(120, description="How long it is planned to last.")
    place: SingleLine = F(min_length=1, max_length=200)
    agenda: MultiLine = F("", max_length=LONG_TEXT_MAX)


class ProposalIn(Schema):
    title: SingleLine = F(min_length=1, max_length=TITLE_MAX)
    text: MultiLine = F(min_length=1, max_length=LONG_TEXT_MAX)


class CommentIn(Schema):
    text: MultiLine = F(min_length=1, max_length=SHORT_TEXT_MAX)


class CommentOut(Schema):
    proposal: UUID
    author: str
    text: str
    created_at: datetime


class JoinedOut(Schema):
    project: UUID
    role: str


def _project(request: HttpRequest, public_id: UUID):  # type: ignore[no-untyped-def]
    who = caller(request)
    project = selectors.project_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    return who, project, selectors.project_standing(person=who.person, project=project)


def _participant_refused() -> PermissionDenied:
    return PermissionDenied(
        _("Join the project first: everyone taking part can propose, comment and disagree."),
        "not_taking_part",
    )


@write_operation(
    router,
    "/projects",
    response=responses({201: ProjectOut}, 404),
    summary="Start a project (a coordinator, or an organisation's admin for their organisation)",
)
def project_start(request: HttpRequest, payload: ProjectIn) -> Status[ProjectOut]:
    who = caller(request)
    allowed = selectors.organisations_for_new_project(person=who.person, timebank=who.timebank)
    organisation = allowed.filter(public_id=payload.organisation).first()
    if organisation is None:
        raise NotFound(_("Only a coordinator or an organisation's admin can start a project."))
    project: Project = services.project_create(
        acting=who.person,
        timebank=who.timebank,
        organisation=organisation,
        title=payload.title,
        question=payload.question,
        description=payload.description,
        meetings_paid_from=str(payload.meetings_paid_from),
    )
    project.taking_part = True  # type: ignore[attr-defined]
    return Status(201, ProjectOut(**_project_fields(project)))


@write_operation(
    router,
    "/projects/{public_id}/join",
    response=responses({200: JoinedOut}, 404, 409),
    summary="Take part in a project",
)
def project_join(request: HttpRequest, public_id: UUID) -> JoinedOut:
    who, project, _standing = _project(request, public_id)
    joined = services.project_join(acting=who.person, project=project)
    return JoinedOut(project=project.public_id, role=joined.role)


@write_operation(
    router,
    "/projects/{public_id}/meetings",
    response=responses({201: MeetingOut}, 404),
    summary="Arrange a meeting (the organisation's staff or a coordinator)",
)
def meeting_arrange(
    request: HttpRequest, public_id: UUID, payload: MeetingIn
) -> Status[MeetingOut]:
    who, project, standing = _project(request, public_id)
    if not standing.can_manage:
        raise NotFound(_("Only the organisation's staff or a coordinator can arrange meetings."))
    meeting = services.meeting_schedule(
        acting=who.person,
        project=project,
        starts_at=payload.starts_at,
        planned_minutes=payload.minutes,
        place=payload.place,
        agenda=payload.agenda,
    )
    return Status(201, MeetingOut(**_meeting_fields(meeting, project)))


@write_operation(
    router,
    "/projects/{public_id}/proposals",
    response=responses({201: ProposalOut}, 404),
    summary="Make a proposal (those taking part)",
)
def proposal_make(
    request: HttpRequest, public_id: UUID, payload: ProposalIn
) -> Status[ProposalOut]:
    who, project, standing = _project(request, public_id)
    if not standing.takes_part:
        raise _participant_refused()
    proposal = services.proposal_submit(
        acting=who.person, project=project, title=payload.title, text=payload.text
    )
    return Status(201, ProposalOut(**_proposal_fields(proposal, project)))


@write_operation(
    router,
    "/proposals/{public_id}/comments",
    response=responses({201: CommentOut}, 404, 409),
    summary="Comment on a proposal (those taking part)",
)
def proposal_comment(
    request: HttpRequest, public_id: UUID, payload: CommentIn
) -> Status[CommentOut]:
    who = caller(request)
    proposal = selectors.proposal_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    standing = selectors.project_standing(person=who.person, project=proposal.project)
    if not standing.takes_part:
        raise _participant_refused()
    comment = services.proposal_comment(acting=who.person, proposal=proposal, text=payload.text)
    return Status(
        201,
        CommentOut(
            proposal=proposal.public_id,
            author=who.person.display_name,
            text=comment.text,
            created_at=comment.created_at,
        ),
    )
