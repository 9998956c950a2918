"""Confidential incident records: what happened involving a member, who was involved, what was
done, and the follow-ups until a coordinator closes it.

Only active coordinators and administrators of the incident's time bank ever see one; for
anyone else (the member, a professional, another time bank's coordinator) it does not exist.
Every opening of an incident is audited (`incident.viewed`), like a referral's notes. Incidents
are never part of an export, a report or anyone's "download my data".
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Incident,
    IncidentFollowUp,
    IncidentStatus,
    Membership,
    Person,
    TimeBank,
)
from coproduce.community.permissions import is_coordinator
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound

# --- Reads ------------------------------------------------------------------------------------


def _coordinator_only(person: Person, timebank: TimeBank | None) -> TimeBank:
    if timebank is None or not is_coordinator(person=person, timebank=timebank):
        raise NotFound(_("No such page."))
    return timebank


def incidents_about(*, viewer: Person, timebank: TimeBank | None, person: Person) -> list[Incident]:
    """The incidents about one member, open first then newest: for coordinators only. The list
    shows dates and status only, so it is not audited; opening one is."""
    timebank = _coordinator_only(viewer, timebank)
    return list(
        Incident.objects.filter(timebank=timebank, person=person)
        .select_related("recorded_by")
        .order_by("-status", "-occurred_on", "-pk")  # "open" sorts after "closed"
    )


def incident_get_for(
    *, viewer: Person, timebank: TimeBank | None, public_id: UUID | str, audit: bool = True
) -> Incident:
    """One incident of the viewer's current time bank; the opening is audited unless `audit`
    is False (then the caller calls `incident_viewed` when it shows it). Anyone but its
    coordinators is told it does not exist."""
    timebank = _coordinator_only(viewer, timebank)
    incident = (
        Incident.objects.filter(timebank=timebank, public_id=public_id)
        .select_related("person", "recorded_by", "closed_by")
        .first()
    )
    if incident is None:
        raise NotFound(_("No such incident."))
    if audit:
        incident_viewed(viewer=viewer, incident=incident)
    return incident


def incident_viewed(*, viewer: Person, incident: Incident) -> None:
    """Every time an incident's text is shown to someone, an audit row says who and when."""
    audit_record(
        action="incident.viewed",
        actor=viewer,
        timebank_id=incident.timebank_id,
        target=f"incident:{incident.public_id}",
    )


def follow_ups_of(incident: Incident) -> list[IncidentFollowUp]:
    return list(incident.follow_ups.select_related("written_by").order_by("written_at", "pk"))


# --- Writes -----------------------------------------------------------------------------------


def _text(value: str, message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, code)
    return value


@transaction.atomic
def incident_record(
    *,
    timebank: TimeBank,
    acting: Person,
    person: Person,
    occurred_on: date,
    what_happened: str,
    people_involved: str = "",
    action_taken: str = "",
    follow_up_on: date | None = None,
) -> Incident:
    """A coordinator records an incident about a member of their time bank."""
    _coordinator_only(acting, timebank)
    if not Membership.objects.filter(timebank=timebank, person=person).exists():
        raise NotFound(_("No such person in this time bank."))
    what_happened = _text(what_happened, _("Say what happened."), "what_required")
    today = timezone.localdate()
    if occurred_on > today:
        raise ApplicationError(_("An incident cannot be dated in the future."), "future_date")
    if follow_up_on is not None and follow_up_on < occurred_on:
        raise ApplicationError(
            _("The follow-up date cannot be before the incident."), "bad_follow_up"
        )
    incident = Incident.objects.create(
        timebank=timebank,
        person=person,
        occurred_on=occurred_on,
        what_happened=what_happened,
        people_involved=(people_involved or "").strip(),
        action_taken=(action_taken or "").strip(),
        follow_up_on=follow_up_on,
        recorded_by=acting,
        recorded_at=timezone.now(),
    )
    # The audit row says that an incident exists and about whom, never what it says.
    audit_record(
        action="incident.recorded",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"incident:{incident.public_id}",
        data={"person": str(person.public_id)},
    )
    return incident


def _locked_open(incident: Incident) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != IncidentStatus.OPEN:
        raise Conflict(_("This incident is closed."), "closed")
    return incident


@transaction.atomic
def incident_follow_up(
    *, incident: Incident, acting: Person, note: str, next_follow_up_on: date | None = None
) -> IncidentFollowUp:
    """A coordinator adds what was done since; the next follow-up date replaces the last."""
    _coordinator_only(acting, incident.timebank)
    incident = _locked_open(incident)
    note = _text(note, _("Say what was done."), "note_required")
    if next_follow_up_on is not None and next_follow_up_on < timezone.localdate():
        raise ApplicationError(_("The next follow-up date cannot be in the past."), "bad_follow_up")
    follow_up = IncidentFollowUp.objects.create(
        incident=incident,
        note=note,
        next_follow_up_on=next_follow_up_on,
        written_by=acting,
        written_at=timezone.now(),
    )
    incident.follow_up_on = next_follow_up_on
    incident.save(update_fields=["follow_up_on"])
    audit_record(
        action="incident.followed_up",
        actor=acting,
        timebank_id=incident.timebank_id,
        target=f"incident:{incident.public_id}",
    )
    return follow_up


@transaction.atomic
def incident_close(*, incident: Incident, acting: Person, outcome: str) -> Incident:
    """A coordinator closes an incident with its outcome; a closed incident is kept, unchanged."""
    _coordinator_only(acting, incident.timebank)
    incident = _locked_open(incident)
    incident.outcome = _text(outcome, _("Say how it ended."), "outcome_required")
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = timezone.now()
    incident.closed_by = acting
    incident.follow_up_on = None
    incident.save(update_fields=["outcome", "status", "closed_at", "closed_by", "follow_up_on"])
    audit_record(
        action="incident.closed",
        actor=acting,
        timebank_id=incident.timebank_id,
        target=f"incident:{incident.public_id}",
    )
    return incident
