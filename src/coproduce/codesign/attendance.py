"""Meeting attendance earns time credits: recording who came to a co-design meeting pays each of
them through the ledger in one transaction (the project's organisation or the community chest
pays), and recording the same people again pays no one twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coproduce.codesign.models import (
    Meeting,
    MeetingAttendance,
    PaidFrom,
    Project,
)
from coproduce.codesign.services import audit_target, require_manager
from coproduce.community.permissions import staff_person_ids
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict
from coproduce.core.notifications import notify
from coproduce.core.units import format_hmm
from coproduce.ledger.accounts import (
    chest_get_or_open,
    member_account_get_or_open,
    organisation_account_get_or_open,
)
from coproduce.ledger.models import TransferKind
from coproduce.ledger.services import transfer_post

if TYPE_CHECKING:
    from coproduce.community.models import Person
    from coproduce.ledger.models import Account


def _earned_words(*, minutes: int, project: str) -> str:
    return _("You earned %(hours)s hours for coming to the “%(project)s” meeting.") % {
        "hours": format_hmm(minutes),
        "project": project,
    }


@dataclass
class AttendanceReport:
    """What recording attendance did, person by person."""

    paid: list[MeetingAttendance] = field(default_factory=list)
    staff: list[MeetingAttendance] = field(default_factory=list)
    already: list[MeetingAttendance] = field(default_factory=list)


def _payer(project: Project) -> Account:
    if project.meetings_paid_from == PaidFrom.CHEST:
        return chest_get_or_open(timebank=project.timebank)
    return organisation_account_get_or_open(organisation=project.organisation)


@transaction.atomic
def meeting_attendance_record(
    *, acting: Person, meeting: Meeting, attendees: Sequence[tuple[Person, int]]
) -> AttendanceReport:
    """Record who came and for how long, and pay each member for their time, once.

    The whole list is one transaction: if the ledger refuses any payment (the chest is empty, the
    organisation is at its limit), nothing at all is recorded and the message says whose payment
    failed and why, so the list can be recorded again once that is sorted out. Someone already
    recorded is left as they were, and each payment carries an idempotency key, so recording
    the same attendance twice never pays twice. The organisation's own staff are there in their
    paid job: their attendance is kept, with no credits.
    """
    project = meeting.project
    require_manager(acting=acting, project=project, doing=_("record attendance"))
    # Lock the meeting: two people recording the same attendance at once are taken in turn, so
    # the second sees the first one's rows instead of tripping over the unique constraint.
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.starts_at > timezone.now():
        raise Conflict(_("Attendance can be recorded once the meeting has happened."), "not_yet")
    if not attendees:
        raise ApplicationError(_("Tick at least one person who came."), "nobody")
    taking_part = set(project.participants.values_list("person_id", flat=True))
    limit = project.timebank.max_exchange_minutes
    seen: set[int] = set()
    for person, minutes in attendees:
        if person.pk in seen:
            raise ApplicationError(
                _("%(name)s is on the list twice.") % {"name": person.display_name}, "twice"
            )
        seen.add(person.pk)
        if person.pk not in taking_part:
            raise ApplicationError(
                _("%(name)s is not taking part in this project.") % {"name": person.display_name},
                "not_taking_part",
            )
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= limit:
            raise ApplicationError(
                _("The time for %(name)s must be more than zero and at most %(max)s hours.")
                % {"name": person.display_name, "max": format_hmm(limit)},
                "bad_minutes",
            )
    existing = {a.person_id: a for a in MeetingAttendance.objects.filter(meeting=meeting)}
    staff = staff_person_ids(organisation_id=project.organisation_id)
    payer = None
    report = AttendanceReport()
    memo = (
        _("Co-design meeting: %(project)s, %(date)s")
        % {
            "project": project.title,
            "date": date_format(timezone.localtime(meeting.starts_at), "j M Y"),
        }
    )[:255]
    for person, minutes in attendees:
        if person.pk in existing:
            report.already.append(existing[person.pk])
            continue
        attendance = MeetingAttendance(
            timebank_id=meeting.timebank_id,
            meeting=meeting,
            person=person,
            minutes_attended=minutes,
            as_staff=person.pk in staff,
            recorded_by=acting,
        )
        if attendance.as_staff:
            attendance.save()
            report.staff.append(attendance)
            continue
        payer = payer or _payer(project)
        try:
            attendance.transfer = transfer_post(
                timebank=project.timebank,
                acting=acting,
                payer=payer,
                payee=member_account_get_or_open(timebank=project.timebank, person=person),
                minutes=minutes,
                memo=memo,
                kind=TransferKind.MEETING,
                idempotency_key=f"meeting:{meeting.public_id}:attendee:{person.public_id}",
                occurred_at=meeting.starts_at,
            )
        except ApplicationError as exc:
            raise ApplicationError(
                _("Nothing was recorded: the credits for %(name)s could not be paid. %(reason)s")
                % {"name": person.display_name, "reason": exc.message},
                exc.code,
            ) from exc
        attendance.save()
        report.paid.append(attendance)
        notify(
            person=person,
            kind="codesign.meeting_credits",
            message=partial(_earned_words, minutes=minutes, project=project.title),
            url=reverse("codesign:meeting", kwargs={"public_id": meeting.public_id}),
            timebank=project.timebank,
        )
    audit_record(
        action="codesign.attendance_recorded",
        actor=acting,
        timebank_id=meeting.timebank_id,
        target=audit_target(meeting),
        data={
            "paid": {str(a.person.public_id): a.minutes_attended for a in report.paid},
            "staff": [str(a.person.public_id) for a in report.staff],
            "already": [str(a.person.public_id) for a in report.already],
            "paid_from": project.meetings_paid_from,
        },
    )
    return report


# Proposals, their discussion, decisions, progress and dissent ---------------------------------
