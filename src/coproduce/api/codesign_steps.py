"""Co-design's remaining steps, as on /codesign/: a project's phases and the people a manager
adds to it, a meeting's minutes, a proposal's status (with the public response), progress and
milestones (marking one done), and dissent with a decision.

Who may: the project's managers (its organisation's staff and the time bank's coordinators) for
all but dissent, which is everyone taking part. Each operation finds the thing with the page's
lookup (`project_get_for`, `meeting_get_for`, `proposal_get_for`, `progress_update_get_for`:
404 outside the caller's time bank) and calls the page's service, which holds every rule and
refuses before writing anything (403 not a manager or not taking part, 400 bad input, 409 the
wrong moment). Nothing here moves credits: the POSTs honour an `Idempotency-Key` but need none,
and the minutes are a PUT (the same however often sent). The operations join `api.codesign`'s
router.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Schema, Status

from coproduce.api.auth import caller
from coproduce.api.codesign import (
    DissentOut,
    MeetingDetailOut,
    PhaseOut,
    ProgressOut,
    ProjectParticipantOut,
    ProposalDetailOut,
    dissent_out,
    meeting_detail,
    progress_out,
    proposal_detail,
    router,
)
from coproduce.api.idempotency import write_operation
from coproduce.api.schemas import MultiLine, PersonOut, SingleLine, responses
from coproduce.api.selectors import member_by_reference
from coproduce.codesign import selectors, services
from coproduce.codesign.models import ParticipantRole, ProposalStatus
from coproduce.codesign.services import LONG_TEXT_MAX, SHORT_TEXT_MAX

MINUTES_MAX = 20000


class PhaseIn(Schema):
    name: SingleLine = F(min_length=1, max_length=120)
    starts_on: date
    ends_on: date = F(description="On or after `starts_on`.")


class ParticipantIn(Schema):
    person: SingleLine = F(
        min_length=1,
        max_length=150,
        description="An active member of the time bank, by username or public id.",
    )
    role: ParticipantRole = ParticipantRole.MEMBER


class MinutesIn(Schema):
    text: MultiLine = F(
        min_length=1, max_length=MINUTES_MAX, description="What was discussed and decided."
    )


class StatusIn(Schema):
    status: ProposalStatus = F(
        description="open → under_consideration → accepted or not_taken_up (final)."
    )
    response: MultiLine = F(
        "",
        max_length=LONG_TEXT_MAX,
        description="The organisation's public response; needed for a decision.",
    )


class ProgressIn(Schema):
    text: MultiLine = F(min_length=1, max_length=SHORT_TEXT_MAX)
    is_milestone: bool = False
    milestone_on: date | None = F(None, description="Needed for a milestone.")


class DissentIn(Schema):
    text: MultiLine = F(
        min_length=1,
        max_length=SHORT_TEXT_MAX,
        description="Why you disagree. It stays on the record and cannot be removed.",
    )


class DissentRecordedOut(DissentOut):
    proposal: UUID
    decision: str = F(description="The status decided that this view disagrees with.")


@write_operation(
    router,
    "/projects/{public_id}/phases",
    response=responses({201: PhaseOut}, 404),
    summary="Add a phase to a project (the organisation's staff or a coordinator)",
)
def phase_add(request: HttpRequest, public_id: UUID, payload: PhaseIn) -> Status[PhaseOut]:
    who = caller(request)
    project = selectors.project_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    phase = services.phase_add(
        acting=who.person,
        project=project,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, PhaseOut(name=phase.name, starts_on=phase.starts_on, ends_on=phase.ends_on))


@write_operation(
    router,
    "/projects/{public_id}/participants",
    response=responses({201: ProjectParticipantOut}, 404, 409),
    summary="Add someone to a project, such as a member who is not online (the organisation's "
    "staff or a coordinator)",
)
def participant_add(
    request: HttpRequest, public_id: UUID, payload: ParticipantIn
) -> Status[ProjectParticipantOut]:
    who = caller(request)
    project = selectors.project_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    # Who may add comes first: someone who may not learns nothing about who is a member.
    services.require_manager(acting=who.person, project=project, doing=_("add people"))
    person = member_by_reference(timebank=who.timebank, reference=payload.person)
    participant = services.project_participant_add(
        acting=who.person, project=project, person=person, role=str(payload.role)
    )
    return Status(
        201,
        ProjectParticipantOut(
            person=PersonOut(
                public_id=person.public_id,
                username=person.username,
                display_name=person.display_name,
            ),
            role=participant.role,
        ),
    )


@write_operation(
    router,
    "/meetings/{public_id}/minutes",
    method="PUT",
    idempotent=False,
    response=responses({200: MeetingDetailOut}, 404, 409),
    summary="Write a meeting's minutes, or replace them, once it has happened (the "
    "organisation's staff or a coordinator)",
)
def minutes_write(request: HttpRequest, public_id: UUID, payload: MinutesIn) -> MeetingDetailOut:
    who = caller(request)
    meeting = selectors.meeting_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    services.meeting_minutes_write(acting=who.person, meeting=meeting, text=payload.text)
    return meeting_detail(meeting)


@write_operation(
    router,
    "/proposals/{public_id}/status",
    response=responses({200: ProposalDetailOut}, 404, 409),
    summary="Move a proposal on, with the organisation's public response (the organisation's "
    "staff or a coordinator)",
)
def status_change(request: HttpRequest, public_id: UUID, payload: StatusIn) -> ProposalDetailOut:
    who = caller(request)
    proposal = selectors.proposal_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    services.proposal_status_change(
        acting=who.person,
        proposal=proposal,
        to_status=str(payload.status),
        response=payload.response,
    )
    return proposal_detail(proposal)


@write_operation(
    router,
    "/proposals/{public_id}/progress",
    response=responses({201: ProgressOut}, 404, 409),
    summary="Report progress on an accepted proposal, or set a milestone (the organisation's "
    "staff or a coordinator)",
)
def progress_report(
    request: HttpRequest, public_id: UUID, payload: ProgressIn
) -> Status[ProgressOut]:
    who = caller(request)
    proposal = selectors.proposal_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    update = services.progress_add(
        acting=who.person,
        proposal=proposal,
        text=payload.text,
        is_milestone=payload.is_milestone,
        milestone_on=payload.milestone_on,
    )
    return Status(201, progress_out(update, proposal))


@write_operation(
    router,
    "/progress/{public_id}/done",
    response=responses({200: ProgressOut}, 404, 409),
    summary="Mark a milestone done (the organisation's staff or a coordinator)",
)
def milestone_done(request: HttpRequest, public_id: UUID) -> ProgressOut:
    who = caller(request)
    update = selectors.progress_update_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    done = services.milestone_mark_done(acting=who.person, update=update)
    return progress_out(done, update.proposal)


@write_operation(
    router,
    "/proposals/{public_id}/dissent",
    response=responses({201: DissentRecordedOut}, 404, 409),
    summary="Put your disagreement with the decision on the record, beside it, for good "
    "(those taking part)",
)
def dissent_record(
    request: HttpRequest, public_id: UUID, payload: DissentIn
) -> Status[DissentRecordedOut]:
    who = caller(request)
    proposal = selectors.proposal_get_for(
        person=who.person, timebank=who.timebank, public_id=public_id
    )
    dissent = services.dissent_record(acting=who.person, proposal=proposal, text=payload.text)
    return Status(
        201,
        DissentRecordedOut(
            **dissent_out(dissent).model_dump(),
            proposal=proposal.public_id,
            decision=dissent.decision.to_status,
        ),
    )
