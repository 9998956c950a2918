"""Co-design projects: an organisation and the people it serves plan a service together.

A project works on one question, in phases, through meetings (attending earns time credits for
members) and proposals. A proposal's status is changed only by the organisation or a coordinator,
each time with a public response ("you said, we did"); every change is kept as a row, and people
who disagree with a decision can put their view on the record beside it, where it stays.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaidFrom(models.TextChoices):
    ORGANISATION = "organisation", _("The organisation's account")
    CHEST = "chest", _("The community chest")


class Project(models.Model):
    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "community.Organisation", on_delete=models.PROTECT, related_name="projects"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=140)
    question = models.TextField(_("the question we are working on"), max_length=1000)
    description = models.TextField(_("more about the project"), max_length=5000, blank=True)
    # Who pays the time credits members earn by coming to meetings.
    meetings_paid_from = models.CharField(
        _("meeting credits are paid from"),
        max_length=16,
        choices=PaidFrom.choices,
        default=PaidFrom.ORGANISATION,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["timebank", "created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def meetings_paid_from_chest(self) -> bool:
        return self.meetings_paid_from == PaidFrom.CHEST


class Phase(models.Model):
    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="phases")
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="phase_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ParticipantRole(models.TextChoices):
    MEMBER = "member", _("Member")
    PROFESSIONAL = "professional", _("Professional")
    FACILITATOR = "facilitator", _("Facilitator")


class ProjectParticipant(models.Model):
    """Someone taking part. Every role has the same right to propose, comment and disagree."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="participants")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="codesign_parts"
    )
    role = models.CharField(
        _("role in the project"),
        max_length=16,
        choices=ParticipantRole.choices,
        default=ParticipantRole.MEMBER,
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], name="one_part_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role}) in {self.project}"


class Meeting(models.Model):
    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="meetings")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    starts_at = models.DateTimeField(_("date and time"))
    # The planned length, offered as each attendee's time when attendance is recorded.
    planned_minutes = models.PositiveIntegerField(_("how long (minutes)"), default=120)
    place = models.CharField(_("place"), max_length=200)
    agenda = models.TextField(_("agenda"), max_length=5000, blank=True)
    # Written after the meeting: what was discussed and decided.
    minutes_text = models.TextField(_("minutes"), max_length=20000, blank=True)
    minutes_written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes_written_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.project}: {self.starts_at:%Y-%m-%d %H:%M}"


class MeetingAttendance(models.Model):
    """Who came and for how long. Members are paid once, through the ledger; the organisation's
    own staff are there in their paid job and earn no credits (`transfer` stays empty)."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    minutes_attended = models.PositiveIntegerField(_("time attended (minutes)"))
    transfer = models.OneToOneField(
        "ledger.Transfer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_attendance",
    )
    as_staff = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_attendance_per_person"),
            models.CheckConstraint(
                condition=models.Q(minutes_attended__gt=0), name="attendance_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UNDER_CONSIDERATION = "under_consideration", _("Under consideration")
    ACCEPTED = "accepted", _("Accepted")
    NOT_TAKEN_UP = "not_taken_up", _("Not taken up")


# The only moves a proposal can make; accepted and not taken up are decisions, and final.
PROPOSAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProposalStatus.OPEN: (ProposalStatus.UNDER_CONSIDERATION,),
    ProposalStatus.UNDER_CONSIDERATION: (ProposalStatus.ACCEPTED, ProposalStatus.NOT_TAKEN_UP),
    ProposalStatus.ACCEPTED: (),
    ProposalStatus.NOT_TAKEN_UP: (),
}
DECISIONS = (ProposalStatus.ACCEPTED, ProposalStatus.NOT_TAKEN_UP)


class Proposal(models.Model):
    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="proposals")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=140)
    text = models.TextField(_("the proposal"), max_length=5000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_decided(self) -> bool:
        return self.status in DECISIONS

    @property
    def is_accepted(self) -> bool:
        return self.status == ProposalStatus.ACCEPTED


class StatusChange(models.Model):
    """One move of a proposal's status with the organisation's public response. Kept forever:
    the history is the record of what was said and what was done."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ProposalStatus.choices)
    to_status = models.CharField(max_length=20, choices=ProposalStatus.choices)
    response = models.TextField(_("public response"), max_length=5000, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.from_status} → {self.to_status}"


class Comment(models.Model):
    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"), max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class ProgressUpdate(models.Model):
    """What has happened since a proposal was accepted; a milestone has a date, done or not."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="progress_updates"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    text = models.TextField(_("what has happened, or what will"), max_length=3000)
    is_milestone = models.BooleanField(_("this is a milestone"), default=False)
    milestone_on = models.DateField(_("milestone date"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def done(self) -> bool:
        return self.done_at is not None


class DissentIsPermanent(Exception):
    """Raised when code tries to change or remove a recorded dissent."""


class Dissent(models.Model):
    """A participant's disagreement with a decision, kept beside it for good.

    There is no service to edit or delete one, and the model refuses both, so neither the
    organisation nor anyone else can quietly take a view off the record.
    """

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="dissents")
    # The decision disagreed with.
    decision = models.ForeignKey(StatusChange, on_delete=models.PROTECT, related_name="dissents")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("my view"), max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "person"], name="one_dissent_per_person_per_decision"
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise DissentIsPermanent("A recorded dissent cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DissentIsPermanent("A recorded dissent cannot be deleted.")
