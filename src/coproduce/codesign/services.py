"""Writing co-design projects: starting one, joining, phases, meetings, proposals, their status
with public responses, progress, and dissent. Attendance credits are in `codesign.attendance`.

Every service checks who is acting (views only decide what to show): the organisation's staff
and the time bank's coordinators run the project; everyone taking part, member or professional,
may propose, comment and record their disagreement. Each write that matters leaves an audit row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.codesign.models import (
    DECISIONS,
    PROPOSAL_TRANSITIONS,
    Comment,
    Dissent,
    Meeting,
    PaidFrom,
    Phase,
    ProgressUpdate,
    Project,
    ProjectParticipant,
    Proposal,
    ProposalStatus,
    StatusChange,
)
from coproduce.codesign.selectors import (
    organisations_for_new_project,
    participant_role_for,
    project_standing,
)
from coproduce.community.models import Membership, MembershipStatus
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.notifications import notify
from coproduce.core.units import format_hmm

if TYPE_CHECKING:
    from coproduce.community.models import Organisation, Person, TimeBank

TITLE_MAX, SHORT_TEXT_MAX, LONG_TEXT_MAX = 140, 3000, 5000


def _text(value: str, *, what: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(_("Please write %(what)s.") % {"what": what}, "required")
    if len(value) > limit:
        raise ApplicationError(
            _("%(what)s can be at most %(limit)d characters.")
            % {"what": what[:1].upper() + what[1:], "limit": limit},
            "too_long",
        )
    return value


def require_manager(*, acting: Person, project: Project, doing: str) -> None:
    if not project_standing(person=acting, project=project).can_manage:
        raise PermissionDenied(
            _("Only the staff of %(organisation)s or a coordinator can %(doing)s in this project.")
            % {"organisation": project.organisation.name, "doing": doing},
            "not_project_staff",
        )


def _require_participant(*, acting: Person, project: Project) -> None:
    standing = project_standing(person=acting, project=project)
    if not (standing.is_active_member and standing.takes_part):
        raise PermissionDenied(
            _("Join the project first: everyone taking part can propose, comment and disagree."),
            "not_taking_part",
        )


def audit_target(thing: object) -> str:
    return f"{type(thing).__name__.lower()}:{thing.public_id}"  # type: ignore[attr-defined]


# Projects and the people in them ----------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    acting: Person,
    timebank: TimeBank,
    organisation: Organisation,
    title: str,
    question: str,
    description: str = "",
    meetings_paid_from: str = PaidFrom.ORGANISATION,
) -> Project:
    """A coordinator, or an admin of the organisation, starts a project; they take part in it as
    its facilitator."""
    if organisation.timebank_id != timebank.pk or not (
        organisations_for_new_project(person=acting, timebank=timebank)
        .filter(pk=organisation.pk)
        .exists()
    ):
        raise PermissionDenied(
            _("Only a coordinator or an admin of %(organisation)s can start a project for it.")
            % {"organisation": organisation.name},
            "not_allowed",
        )
    if meetings_paid_from not in PaidFrom.values:
        raise ApplicationError(_("Choose who pays the credits for meetings."), "bad_payer")
    project = Project.objects.create(
        timebank=timebank,
        organisation=organisation,
        title=_text(title, what=_("a title"), limit=TITLE_MAX),
        question=_text(question, what=_("the question the project works on"), limit=1000),
        description=_text(
            description, what=_("the description"), limit=LONG_TEXT_MAX, required=False
        ),
        meetings_paid_from=meetings_paid_from,
        created_by=acting,
    )
    ProjectParticipant.objects.create(
        timebank=timebank, project=project, person=acting, role="facilitator"
    )
    audit_record(
        action="codesign.project_created",
        actor=acting,
        timebank_id=timebank.pk,
        target=audit_target(project),
        data={
            "organisation": str(organisation.public_id),
            "title": project.title,
            "meetings_paid_from": meetings_paid_from,
        },
    )
    return project


@transaction.atomic
def project_join(*, acting: Person, project: Project) -> ProjectParticipant:
    """One click: an active member takes part. Joining again changes nothing."""
    standing = project_standing(person=acting, project=project)
    if standing.participant is not None:
        return standing.participant
    if not standing.is_active_member:
        raise PermissionDenied(_("Only active members can join a project."), "not_active")
    # get_or_create: a double click racing itself finds the row the first click wrote.
    participant, created = ProjectParticipant.objects.get_or_create(
        project=project,
        person=acting,
        defaults={
            "timebank_id": project.timebank_id,
            "role": participant_role_for(person=acting, project=project),
        },
    )
    if not created:
        return participant
    audit_record(
        action="codesign.participant_joined",
        actor=acting,
        timebank_id=project.timebank_id,
        target=audit_target(project),
        data={"role": participant.role},
    )
    return participant


@transaction.atomic
def project_participant_add(
    *, acting: Person, project: Project, person: Person, role: str
) -> ProjectParticipant:
    """The organisation or a coordinator adds someone (a member who is not online, or a
    facilitator)."""
    require_manager(acting=acting, project=project, doing=_("add people"))
    if role not in {"member", "professional", "facilitator"}:
        raise ApplicationError(_("Choose a role in the project."), "bad_role")
    if not Membership.objects.filter(
        person=person, timebank_id=project.timebank_id, status=MembershipStatus.ACTIVE
    ).exists():
        raise ApplicationError(
            _("%(name)s is not an active member of this time bank.")
            % {"name": person.display_name},
            "not_member",
        )
    if ProjectParticipant.objects.filter(project=project, person=person).exists():
        raise Conflict(
            _("%(name)s is already taking part.") % {"name": person.display_name}, "already"
        )
    participant = ProjectParticipant.objects.create(
        timebank_id=project.timebank_id, project=project, person=person, role=role
    )
    audit_record(
        action="codesign.participant_added",
        actor=acting,
        on_behalf_of=person,
        timebank_id=project.timebank_id,
        target=audit_target(project),
        data={"role": role},
    )
    return participant


@transaction.atomic
def phase_add(
    *, acting: Person, project: Project, name: str, starts_on: date, ends_on: date
) -> Phase:
    require_manager(acting=acting, project=project, doing=_("plan phases"))
    if ends_on < starts_on:
        raise ApplicationError(_("A phase cannot end before it starts."), "dates")
    phase = Phase.objects.create(
        timebank_id=project.timebank_id,
        project=project,
        name=_text(name, what=_("a name for the phase"), limit=120),
        starts_on=starts_on,
        ends_on=ends_on,
        order=project.phases.count(),
    )
    audit_record(
        action="codesign.phase_added",
        actor=acting,
        timebank_id=project.timebank_id,
        target=audit_target(project),
        data={"name": phase.name, "starts_on": str(starts_on), "ends_on": str(ends_on)},
    )
    return phase


# Meetings and attendance credits ---------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    acting: Person,
    project: Project,
    starts_at: datetime,
    place: str,
    agenda: str = "",
    planned_minutes: int = 120,
) -> Meeting:
    require_manager(acting=acting, project=project, doing=_("arrange meetings"))
    if not 0 < planned_minutes <= project.timebank.max_exchange_minutes:
        raise ApplicationError(
            _("A meeting can last from a few minutes to %(max)s hours.")
            % {"max": format_hmm(project.timebank.max_exchange_minutes)},
            "bad_length",
        )
    meeting = Meeting.objects.create(
        timebank_id=project.timebank_id,
        project=project,
        starts_at=starts_at,
        planned_minutes=planned_minutes,
        place=_text(place, what=_("where the meeting is"), limit=200),
        agenda=_text(agenda, what=_("the agenda"), limit=LONG_TEXT_MAX, required=False),
        created_by=acting,
    )
    audit_record(
        action="codesign.meeting_scheduled",
        actor=acting,
        timebank_id=project.timebank_id,
        target=audit_target(meeting),
        data={"project": str(project.public_id), "starts_at": starts_at.isoformat()},
    )
    return meeting


@transaction.atomic
def meeting_minutes_write(*, acting: Person, meeting: Meeting, text: str) -> Meeting:
    require_manager(acting=acting, project=meeting.project, doing=_("write the minutes"))
    if meeting.starts_at > timezone.now():
        raise Conflict(_("Minutes can be written once the meeting has happened."), "not_yet")
    old = meeting.minutes_text
    meeting.minutes_text = _text(text, what=_("the minutes"), limit=20000)
    meeting.minutes_written_by = acting
    meeting.minutes_written_at = timezone.now()
    meeting.save(update_fields=["minutes_text", "minutes_written_by", "minutes_written_at"])
    audit_record(
        action="codesign.minutes_written",
        actor=acting,
        timebank_id=meeting.timebank_id,
        target=audit_target(meeting),
        data={"old": old, "new": meeting.minutes_text},
    )
    return meeting


@transaction.atomic
def proposal_submit(*, acting: Person, project: Project, title: str, text: str) -> Proposal:
    _require_participant(acting=acting, project=project)
    proposal = Proposal.objects.create(
        timebank_id=project.timebank_id,
        project=project,
        title=_text(title, what=_("a title"), limit=TITLE_MAX),
        text=_text(text, what=_("your proposal"), limit=LONG_TEXT_MAX),
        author=acting,
    )
    audit_record(
        action="codesign.proposal_submitted",
        actor=acting,
        timebank_id=project.timebank_id,
        target=audit_target(proposal),
        data={"project": str(project.public_id), "title": proposal.title},
    )
    return proposal


@transaction.atomic
def proposal_comment(*, acting: Person, proposal: Proposal, text: str) -> Comment:
    _require_participant(acting=acting, project=proposal.project)
    return Comment.objects.create(
        timebank_id=proposal.timebank_id,
        proposal=proposal,
        author=acting,
        text=_text(text, what=_("your comment"), limit=SHORT_TEXT_MAX),
    )


@transaction.atomic
def proposal_status_change(
    *, acting: Person, proposal: Proposal, to_status: str, response: str = ""
) -> StatusChange:
    """Move a proposal on (open → under consideration → accepted / not taken up), with the
    organisation's public response, which a decision must have."""
    project = proposal.project
    require_manager(acting=acting, project=project, doing=_("change a proposal's status"))
    # Lock the proposal: two staff deciding at once are taken in turn, and the second is told
    # what the first decided instead of writing a second decision.
    current = Proposal.objects.select_for_update().get(pk=proposal.pk).status
    if to_status not in ProposalStatus.values:
        raise ApplicationError(_("Choose a status."), "bad_status")
    if to_status not in PROPOSAL_TRANSITIONS[current]:
        raise Conflict(
            _("A proposal that is “%(current)s” cannot become “%(new)s”.")
            % {
                "current": ProposalStatus(current).label,
                "new": ProposalStatus(to_status).label,
            },
            "bad_transition",
        )
    response = _text(
        response,
        what=_("the public response"),
        limit=LONG_TEXT_MAX,
        required=to_status in DECISIONS,
    )
    change = StatusChange.objects.create(
        timebank_id=proposal.timebank_id,
        proposal=proposal,
        from_status=current,
        to_status=to_status,
        response=response,
        changed_by=acting,
    )
    proposal.status = to_status
    proposal.save(update_fields=["status"])
    audit_record(
        action="codesign.proposal_status_changed",
        actor=acting,
        timebank_id=proposal.timebank_id,
        target=audit_target(proposal),
        data={"old": current, "new": to_status, "response": response},
    )
    if proposal.author_id != acting.pk:
        notify(
            person=proposal.author,
            kind="codesign.proposal_status",
            message=lambda: (
                _("Your proposal “%(title)s” is now: %(status)s.")
                % {"title": proposal.title, "status": ProposalStatus(to_status).label}
            ),
            url=reverse("codesign:proposal", kwargs={"public_id": proposal.public_id}),
            timebank=project.timebank,
        )
    return change


@transaction.atomic
def progress_add(
    *,
    acting: Person,
    proposal: Proposal,
    text: str,
    is_milestone: bool = False,
    milestone_on: date | None = None,
) -> ProgressUpdate:
    require_manager(acting=acting, project=proposal.project, doing=_("report progress"))
    if proposal.status != ProposalStatus.ACCEPTED:
        raise Conflict(_("Progress is reported on accepted proposals only."), "not_accepted")
    if is_milestone and milestone_on is None:
        raise ApplicationError(_("Give the milestone a date."), "milestone_date")
    update = ProgressUpdate.objects.create(
        timebank_id=proposal.timebank_id,
        proposal=proposal,
        text=_text(text, what=_("the progress"), limit=SHORT_TEXT_MAX),
        is_milestone=is_milestone,
        milestone_on=milestone_on if is_milestone else None,
        author=acting,
    )
    audit_record(
        action="codesign.progress_added",
        actor=acting,
        timebank_id=proposal.timebank_id,
        target=audit_target(proposal),
        data={"text": update.text, "milestone_on": str(update.milestone_on or "")},
    )
    return update


@transaction.atomic
def milestone_mark_done(*, acting: Person, update: ProgressUpdate) -> ProgressUpdate:
    require_manager(acting=acting, project=update.proposal.project, doing=_("report progress"))
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if not update.is_milestone:
        raise ApplicationError(_("Only a milestone can be marked done."), "not_milestone")
    if update.done_at is not None:
        raise Conflict(_("This milestone is already marked done."), "already_done")
    update.done_at = timezone.now()
    update.save(update_fields=["done_at"])
    audit_record(
        action="codesign.milestone_done",
        actor=acting,
        timebank_id=update.timebank_id,
        target=audit_target(update),
    )
    return update


@transaction.atomic
def dissent_record(*, acting: Person, proposal: Proposal, text: str) -> Dissent:
    """Someone taking part puts their disagreement with the decision on the record, beside it.
    It cannot be edited or deleted afterwards, by the organisation or anyone else."""
    _require_participant(acting=acting, project=proposal.project)
    # Lock the proposal: a double submission is taken in turn and told the view is recorded.
    Proposal.objects.select_for_update().filter(pk=proposal.pk).first()
    decision = (
        StatusChange.objects.filter(proposal=proposal, to_status__in=DECISIONS)
        .order_by("-created_at", "-pk")
        .first()
    )
    if decision is None:
        raise Conflict(
            _("No decision has been taken yet; say what you think in the discussion."),
            "no_decision",
        )
    if Dissent.objects.filter(decision=decision, person=acting).exists():
        raise Conflict(_("Your view on this decision is already on the record."), "already")
    dissent = Dissent.objects.create(
        timebank_id=proposal.timebank_id,
        proposal=proposal,
        decision=decision,
        person=acting,
        text=_text(text, what=_("your view"), limit=SHORT_TEXT_MAX),
    )
    audit_record(
        action="codesign.dissent_recorded",
        actor=acting,
        timebank_id=proposal.timebank_id,
        target=audit_target(proposal),
        data={"decision": decision.to_status},
    )
    return dissent
