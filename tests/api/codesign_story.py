"""The story behind co-design's steps through the API: Riverside Council asks how the park
should be run. carol coordinates Riverside and runs the project; alice takes part; bob has not
joined; dr_patel works for Riverside Surgery, not the council, so he is one more member here;
harry coordinates Hillside, another time bank. Plain functions, not fixtures: each test file
makes the fixtures it needs from them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from coproduce.codesign import services
from coproduce.codesign.models import (
    Dissent,
    Meeting,
    Phase,
    ProgressUpdate,
    Project,
    ProjectParticipant,
    Proposal,
    StatusChange,
)
from coproduce.community.models import Organisation, Person, TimeBank
from coproduce.core.models import AuditEvent

# Everyone refused a manager's step, with what each is told: 403 in Riverside, 404 from another
# time bank (harry cannot see the project at all).
NOT_MANAGERS = [("alice", 403), ("bob", 403), ("dr_patel", 403), ("harry", 404)]


def park_project(timebank: TimeBank, carol: Person, *joined: Person) -> Project:
    council = Organisation.objects.create(
        timebank=timebank, slug="riverside-council", name="Riverside Council", kind="council"
    )
    project = services.project_create(
        acting=carol,
        timebank=timebank,
        organisation=council,
        title="Our park",
        question="How should the park be run?",
    )
    for person in joined:
        services.project_join(acting=person, project=project)
    return project


def past_meeting(project: Project, carol: Person, *, days: int = -7) -> Meeting:
    """A meeting `days` from now: last week's by default."""
    return services.meeting_schedule(
        acting=carol,
        project=project,
        starts_at=timezone.now() + timedelta(days=days),
        place="The park café",
        planned_minutes=90,
    )


def proposal_of(project: Project, author: Person, *, moves: tuple[str, ...] = ()) -> Proposal:
    """alice's proposal, moved by the project's coordinator through `moves`."""
    proposal = services.proposal_submit(
        acting=author, project=project, title="Benches", text="More benches by the pond."
    )
    for status in moves:
        services.proposal_status_change(
            acting=project.created_by, proposal=proposal, to_status=status, response="We will."
        )
    return proposal


def rows() -> dict[str, int]:
    """How many rows of everything these steps write, to prove a refusal wrote nothing."""
    counted = (Phase, ProjectParticipant, StatusChange, ProgressUpdate, Dissent, AuditEvent)
    return {model.__name__: model.objects.count() for model in counted}
