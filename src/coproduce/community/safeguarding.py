"""Safeguarding: which kinds of help need a current check, a coordinator's safeguarding pause of a
member, and reminders before checks expire.

- **The check rule** (`TimeBank.checks_needed`, e.g. care → enhanced): whoever gives that kind of
  help needs a current check of that kind in this time bank. `givers_check_require` is called by
  every path that arranges an exchange (exchanges.services) and matching filters on the same
  rule. A check is current while it has no expiry date or that date is still to come: on its
  expiry date it no longer counts. Organisations are not checked (checks are per person).
- **A safeguarding pause** takes effect at once: the member keeps their sign-in, statement and
  existing exchanges, but takes part in no new exchange (proposing, agreeing, being proposed
  to, being suggested), and their listings are hidden from everyone but themselves and
  coordinators. Their membership's own status is untouched: "paused" there is a break the member
  asked for, told to everyone; this pause's reason is seen by coordinators only.
- **Reminders**: `check_reminders_send` (the `remind_expiring_checks` command, daily from cron)
  tells the coordinators and the member 30 days before a check expires and on the day it
  does, once per check and threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coproduce.community.models import (
    CheckKind,
    CheckReminder,
    CheckReminderThreshold,
    Membership,
    MembershipStatus,
    Person,
    Role,
    SafeguardingCheck,
    SafeguardingPause,
    TimeBank,
)
from coproduce.community.permissions import coordinators_of, is_coordinator
from coproduce.community.settings import category_label
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.notifications import notify

REMIND_DAYS_BEFORE = 30
# Pausing needs a reason a coordinator can act on later; a word is not one.
REASON_MIN_LENGTH = 5

# --- Reads: the check rule -------------------------------------------------------------------


def current_checks(today: date | None = None) -> Q:
    """Checks that count today: no expiry date, or one still to come."""
    today = today or timezone.localdate()
    return Q(expires_on__isnull=True) | Q(expires_on__gt=today)


def check_needed(timebank: TimeBank, category: str) -> str | None:
    """The kind of check a giver of `category` needs in this time bank, if any."""
    return (timebank.checks_needed or {}).get(category) or None


@dataclass(frozen=True)
class MissingCheck:
    person: Person
    kind: str
    expired_on: date | None  # the latest check of that kind, when one has expired


def givers_missing_check(
    *, timebank: TimeBank, category: str, givers: Iterable[Any], today: date | None = None
) -> list[MissingCheck]:
    """The people among `givers` (people or organisations) who lack the current check this kind
    of help needs, in one query. Organisations are not checked: checks are per person."""
    kind = check_needed(timebank, category)
    people = [g for g in givers if isinstance(g, Person)]
    if kind is None or not people:
        return []
    today = today or timezone.localdate()
    latest: dict[int, date | None] = {}
    current: set[int] = set()
    for person_id, expires_on in SafeguardingCheck.objects.filter(
        timebank=timebank, kind=kind, person_id__in=[p.pk for p in people]
    ).values_list("person_id", "expires_on"):
        if expires_on is None or expires_on > today:
            current.add(person_id)
        elif latest.get(person_id) is None or expires_on > latest[person_id]:  # type: ignore[operator]
            latest[person_id] = expires_on
    return [
        MissingCheck(person=p, kind=kind, expired_on=latest.get(p.pk))
        for p in people
        if p.pk not in current
    ]


def givers_check_require(
    *, timebank: TimeBank, category: str, givers: Iterable[Any], today: date | None = None
) -> None:
    """Refuse, with a message a coordinator can act on, an exchange whose giver lacks the check
    its kind of help needs. Called by every path that arranges an exchange."""
    missing = givers_missing_check(timebank=timebank, category=category, givers=givers, today=today)
    if not missing:
        return
    first = missing[0]
    values = {
        "name": first.person.display_name,
        "help": category_label(timebank, category),
        "check": CheckKind(first.kind).label,
    }
    if first.expired_on is not None:
        message = _(
            "%(name)s cannot give help with “%(help)s”: it needs a current %(check)s, and "
            "theirs expired on %(date)s. A coordinator can record the renewed check."
        ) % {**values, "date": date_format(first.expired_on, "SHORT_DATE_FORMAT")}
    else:
        message = (
            _(
                "%(name)s cannot give help with “%(help)s”: it needs a current %(check)s, "
                "and none is recorded for them. A coordinator records checks they have seen."
            )
            % values
        )
    raise ApplicationError(message, "check_needed")


# --- Reads: pauses ---------------------------------------------------------------------------


def open_pauses(timebank: TimeBank | int) -> QuerySet[SafeguardingPause]:
    timebank_id = timebank if isinstance(timebank, int) else timebank.pk
    return SafeguardingPause.objects.filter(timebank_id=timebank_id, ended_at__isnull=True)


def paused_person_ids(timebank: TimeBank | int) -> QuerySet[SafeguardingPause, int]:
    """The people under a safeguarding pause, as a subquery (`person_id__in=`)."""
    return open_pauses(timebank).values_list("person_id", flat=True)


def is_paused_q(timebank_field: str = "timebank_id", person_field: str = "person_id") -> Exists:
    """On a row with a time bank and a person: that person is paused in that time bank."""
    return Exists(
        SafeguardingPause.objects.filter(
            timebank_id=OuterRef(timebank_field),
            person_id=OuterRef(person_field),
            ended_at__isnull=True,
        )
    )


def pause_current(*, person: Person, timebank: TimeBank | int) -> SafeguardingPause | None:
    return open_pauses(timebank).filter(person=person).first()


def is_paused(*, person: Person | None, timebank: TimeBank | int | None) -> bool:
    if person is None or timebank is None or not getattr(person, "is_authenticated", True):
        return False
    return open_pauses(timebank).filter(person=person).exists()


def paused_among(*, timebank: TimeBank, people: Sequence[Any]) -> list[Person]:
    """Which of these people (organisations are skipped) are paused here, in one query."""
    ids = [p.pk for p in people if isinstance(p, Person)]
    if not ids:
        return []
    paused = set(paused_person_ids(timebank).filter(person_id__in=ids))
    return [p for p in people if isinstance(p, Person) and p.pk in paused]


def pause_refuses(*, timebank: TimeBank, people: Sequence[Any], acting: Person) -> None:
    """Refuse a new exchange, or agreeing to one, when anyone in it (or the person acting) is
    under a safeguarding pause. The message never gives the reason."""
    paused = paused_among(timebank=timebank, people=[acting, *people])
    if not paused:
        return
    if any(p.pk == acting.pk for p in paused):
        raise PermissionDenied(
            _(
                "Your membership is on hold, so you cannot arrange or agree to exchanges for now. "
                "Please talk to your coordinator."
            ),
            "on_hold",
        )
    raise ApplicationError(
        _("%(name)s cannot take part in new exchanges at the moment.")
        % {"name": paused[0].display_name},
        "on_hold",
    )


def pauses_for(*, person: Person, timebank: TimeBank) -> list[SafeguardingPause]:
    """Every pause of a member, newest first: for coordinators only."""
    return list(
        SafeguardingPause.objects.filter(timebank=timebank, person=person)
        .select_related("started_by", "ended_by")
        .order_by("-started_at", "-pk")
    )


def pauses_open_in(timebank: TimeBank) -> QuerySet[SafeguardingPause]:
    """The coordinator dashboard's list: members paused now, the longest paused first."""
    return open_pauses(timebank).select_related("person", "started_by").order_by("started_at", "pk")


def checks_expiring(
    timebank: TimeBank, *, today: date | None = None
) -> QuerySet[SafeguardingCheck]:
    """Checks that expire within REMIND_DAYS_BEFORE days (or expired today), of people still
    in the time bank, that no later check of the same kind has renewed: soonest first."""
    today = today or timezone.localdate()
    renewed = SafeguardingCheck.objects.filter(
        timebank_id=OuterRef("timebank_id"), person_id=OuterRef("person_id"), kind=OuterRef("kind")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    return (
        SafeguardingCheck.objects.filter(
            timebank=timebank,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .filter(
            Exists(
                Membership.objects.filter(
                    timebank_id=OuterRef("timebank_id"), person_id=OuterRef("person_id")
                ).exclude(status=MembershipStatus.LEFT)
            )
        )
        .exclude(Exists(renewed))
        .select_related("person")
        .order_by("expires_on", "pk")
    )


# --- Writes: pauses --------------------------------------------------------------------------


def _pause_target(*, timebank: TimeBank, person: Person, acting: Person) -> Membership:
    if not is_coordinator(person=acting, timebank=timebank):
        raise NotFound(_("No such page."))
    membership = (
        Membership.objects.select_for_update().filter(timebank=timebank, person=person).first()
    )
    if membership is None:
        raise NotFound(_("No such person in this time bank."))
    return membership


@transaction.atomic
def safeguarding_pause(
    *, timebank: TimeBank, person: Person, acting: Person, reason: str
) -> SafeguardingPause:
    """A coordinator pauses a member at once, with a reason only coordinators see.

    Nobody pauses themselves, and a coordinator or administrator is never paused: an
    administrator first changes their role to member, so a paused person can never act as a
    coordinator. Pending exchanges are left for the coordinator to handle one by one."""
    membership = _pause_target(timebank=timebank, person=person, acting=acting)
    if person.pk == acting.pk:
        raise PermissionDenied(_("You cannot pause yourself."), "own_pause")
    if membership.role in {Role.COORDINATOR, Role.ADMIN}:
        raise PermissionDenied(
            _(
                "%(name)s is a coordinator. An administrator first changes their role to "
                "member; then they can be paused."
            )
            % {"name": person.display_name},
            "coordinator_pause",
        )
    if membership.status == MembershipStatus.LEFT:
        raise Conflict(
            _("%(name)s has left this time bank.") % {"name": person.display_name}, "left"
        )
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ApplicationError(
            _("Say why they are paused; only coordinators will see it."), "reason_required"
        )
    # The membership row is locked above, so two coordinators pausing at once queue here and
    # the second finds the first one's pause.
    if pause_current(person=person, timebank=timebank) is not None:
        raise Conflict(
            _("%(name)s is already paused.") % {"name": person.display_name}, "already_paused"
        )
    try:
        with transaction.atomic():
            pause = SafeguardingPause.objects.create(
                timebank=timebank,
                person=person,
                reason=reason,
                started_at=timezone.now(),
                started_by=acting,
            )
    except IntegrityError as exc:  # one open pause per member (a database constraint)
        raise Conflict(
            _("%(name)s is already paused.") % {"name": person.display_name}, "already_paused"
        ) from exc
    # The reason stays on the pause (coordinators only); the audit row says who and when.
    audit_record(
        action="membership.safeguarding_paused",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"person:{person.public_id}",
        data={"pause": pause.pk},
    )
    return pause


@transaction.atomic
def safeguarding_resume(
    *, timebank: TimeBank, person: Person, acting: Person, note: str
) -> SafeguardingPause:
    """A coordinator ends a member's safeguarding pause, saying why (coordinators only)."""
    _pause_target(timebank=timebank, person=person, acting=acting)
    if person.pk == acting.pk:
        raise PermissionDenied(_("You cannot end your own pause."), "own_pause")
    pause = open_pauses(timebank).select_for_update().filter(person=person).first()
    if pause is None:
        raise Conflict(_("%(name)s is not paused.") % {"name": person.display_name}, "not_paused")
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Say why the pause ends."), "note_required")
    pause.ended_at = timezone.now()
    pause.ended_by = acting
    pause.end_note = note
    pause.save(update_fields=["ended_at", "ended_by", "end_note"])
    audit_record(
        action="membership.safeguarding_resumed",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"person:{person.public_id}",
        data={"pause": pause.pk},
    )
    return pause


# --- Writes: reminders before checks expire ---------------------------------------------------


def _due(today: date) -> list[tuple[SafeguardingCheck, CheckReminderThreshold]]:
    """(check, threshold) pairs due today and not yet sent; a threshold missed on a day the
    command did not run is still sent, but a check long expired is not reminded of as soon."""
    renewed = SafeguardingCheck.objects.filter(
        timebank_id=OuterRef("timebank_id"), person_id=OuterRef("person_id"), kind=OuterRef("kind")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    still_member = Exists(
        Membership.objects.filter(
            timebank_id=OuterRef("timebank_id"), person_id=OuterRef("person_id")
        ).exclude(status=MembershipStatus.LEFT)
    )
    base = (
        SafeguardingCheck.objects.filter(expires_on__isnull=False)
        .filter(still_member)
        .exclude(Exists(renewed))
        .select_related("person", "timebank")
        .order_by("timebank_id", "expires_on", "pk")
    )

    def unsent(threshold: str) -> Exists:
        return Exists(
            CheckReminder.objects.filter(check_record_id=OuterRef("pk"), threshold=threshold)
        )

    soon_window = base.filter(
        expires_on__gt=today, expires_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE)
    ).exclude(unsent(CheckReminderThreshold.SOON))
    # Expired today, or within the last week (a missed run), and not told yet.
    expired = base.filter(expires_on__lte=today, expires_on__gt=today - timedelta(days=7)).exclude(
        unsent(CheckReminderThreshold.EXPIRED)
    )
    return [(c, CheckReminderThreshold.SOON) for c in soon_window] + [
        (c, CheckReminderThreshold.EXPIRED) for c in expired
    ]


def _reminder_words(check: SafeguardingCheck, threshold: str, *, to_member: bool) -> str:
    """A check reminder's words, in the active language (the recipient's: see `notify`)."""
    assert check.expires_on is not None
    values = {
        "name": check.person.display_name,
        "check": CheckKind(check.kind).label,
        "date": date_format(check.expires_on, "SHORT_DATE_FORMAT"),
    }
    if threshold == CheckReminderThreshold.SOON:
        if to_member:
            return (
                _(
                    "Your %(check)s expires on %(date)s. Please talk to your coordinator about "
                    "renewing it."
                )
                % values
            )
        return _("%(name)s's %(check)s expires on %(date)s.") % values
    if to_member:
        return (
            _(
                "Your %(check)s expired on %(date)s. Until it is renewed you cannot give "
                "help that needs it; please talk to your coordinator."
            )
            % values
        )
    return (
        _(
            "%(name)s's %(check)s expired on %(date)s: kinds of help that need it are "
            "refused until a renewed check is recorded."
        )
        % values
    )


@transaction.atomic
def check_reminders_send(*, today: date | None = None) -> str:
    """Tell each time bank's coordinators and the member about checks that expire within 30
    days, or expire today: once per check and threshold, so running it again sends nothing."""
    today = today or timezone.localdate()
    sent = 0
    now = timezone.now()
    coordinators: dict[int, list[Person]] = {}
    for check, threshold in _due(today):
        # Recorded first: a second run racing this one fails on the unique row and sends nothing.
        try:
            with transaction.atomic():
                CheckReminder.objects.create(check_record=check, threshold=threshold, sent_at=now)
        except IntegrityError:
            continue
        timebank, person = check.timebank, check.person
        to_coordinators = partial(_reminder_words, check, threshold, to_member=False)
        to_member = partial(_reminder_words, check, threshold, to_member=True)
        if timebank.pk not in coordinators:
            coordinators[timebank.pk] = list(coordinators_of(timebank))
        url = reverse("community:profile", kwargs={"public_id": person.public_id})
        for coordinator in coordinators[timebank.pk]:
            if coordinator.pk != person.pk:
                notify(
                    person=coordinator,
                    kind="check_expiring",
                    message=to_coordinators,
                    url=url,
                    timebank=timebank,
                )
        notify(
            person=person,
            kind="check_expiring",
            message=to_member,
            url=reverse("community:profile_me"),
            timebank=timebank,
        )
        audit_record(
            action="check.reminder_sent",
            actor=None,
            timebank_id=timebank.pk,
            target=f"person:{person.public_id}",
            data={"check": check.pk, "threshold": threshold},
        )
        sent += 1
    return f"Sent {sent} reminder(s) about checks expiring (as of {today.isoformat()})."
