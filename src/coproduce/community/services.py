"""Writes about people: applying, induction, profiles, checks, changes to a membership. An
activation sends community.signals.membership_activated: the ledger opens the account."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coproduce.community import emails
from coproduce.community.availability import SLOTS
from coproduce.community.models import (
    CheckKind,
    ContactPreference,
    Membership,
    MembershipStatus,
    PasswordLink,
    PasswordLinkPurpose,
    Person,
    Role,
    SafeguardingCheck,
    TimeBank,
    Visibility,
)
from coproduce.community.permissions import (
    coordinators_of,
    membership_is_coordinator,
    require_coordinator,
)
from coproduce.community.selectors import password_handover_allowed, password_link_usable
from coproduce.community.signals import membership_activated
from coproduce.community.tokens import token_hash, token_new
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.notifications import notify

# The fields of Person a member may change on their own profile.
PROFILE_FIELDS: tuple[str, ...] = (
    *("gives", "needs", "about", "availability", "languages", "accessibility_needs"),
    *("contact_preference", "phone", "email", "notify_by_email", "digest_by_email"),
)
# Fields whose values are private: the audit log names them but does not copy them.
_PRIVATE_FIELDS = {"accessibility_needs", "phone", "email"}
# Notices translated when `notify` writes them, in the recipient's language.
WELCOME = gettext_noop(
    "Welcome to %(timebank)s! Your membership is active: you can now give and receive help."
)
LINK_MADE = gettext_noop(
    "%(coordinator)s made you a link to choose your password, to give you in person or by post. "
    "If you did not ask for one, please tell your time bank."
)


def _check_contact(*, contact_preference: str, email: str, phone: str) -> None:
    """A preference the coordinator can act on: an email address for email, a number for calls
    and texts. "Through the coordinator" needs neither."""
    if contact_preference not in ContactPreference.values:
        raise ApplicationError(_("Choose how you prefer to be contacted."), "bad_contact")
    if contact_preference == ContactPreference.EMAIL and not email:
        raise ApplicationError(
            _("You chose to be contacted by email: please give an email address."), "no_email"
        )
    if contact_preference in {ContactPreference.PHONE, ContactPreference.TEXT} and not phone:
        raise ApplicationError(
            _("You chose to be contacted by phone or text: please give a phone number."),
            "no_phone",
        )


@transaction.atomic
def membership_apply(
    *,
    timebank: TimeBank,
    person: Person | None,
    first_name: str,
    last_name: str = "",
    username: str = "",
    password: str = "",
    email: str = "",
    phone: str = "",
    area: str = "",
    gives: str = "",
    needs: str = "",
    contact_preference: str = ContactPreference.EMAIL,
    note: str = "",
) -> Membership:
    """Apply to join a time bank. A newcomer (`person=None`) gets a login from `username` and
    `password`; someone signed in applies as themselves. The membership starts as `applied`
    (no trading until the coordinator has met them) and every active coordinator is told."""
    first_name, email, phone = first_name.strip(), email.strip(), phone.strip()
    if not first_name:
        raise ApplicationError(_("Please tell us your name."), "no_name")
    if not email and not phone:
        raise ApplicationError(
            _("Please give an email address or a phone number, so the coordinator can reach you."),
            "no_contact",
        )
    _check_contact(contact_preference=contact_preference, email=email, phone=phone)

    new_person = person is None
    if person is None:
        username = username.strip()
        if not username or not password:
            raise ApplicationError(_("Choose a username and a password."), "no_login")
        try:
            validate_password(password, Person(username=username, first_name=first_name))
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), "weak_password") from exc
        if Person.objects.filter(username__iexact=username).exists():
            raise Conflict(
                _("The username “%(username)s” is taken. If it is yours, sign in first.")
                % {"username": username},
                "username_taken",
            )
        try:
            # A savepoint: a race lost on the username leaves the transaction usable below.
            with transaction.atomic():
                person = Person.objects.create_user(
                    username=username, password=password, first_name=first_name
                )
        except IntegrityError as exc:
            raise Conflict(
                _("The username “%(username)s” is taken. If it is yours, sign in first.")
                % {"username": username},
                "username_taken",
            ) from exc
    else:
        person = Person.objects.select_for_update().get(pk=person.pk)

    person.first_name = first_name
    person.last_name = last_name.strip()
    if email != person.email or (email and person.email_verified_at is None):  # confirm it
        person.email, person.email_verified_at = email, None
        emails.email_verification_send(person=person, timebank=timebank)
    person.phone = phone
    person.contact_preference = contact_preference
    # A second application adds to what a person already said only when they say something new.
    if gives.strip() or new_person:
        person.gives = gives.strip()
    if needs.strip() or new_person:
        person.needs = needs.strip()
    person.save()

    membership = (
        Membership.objects.select_for_update().filter(timebank=timebank, person=person).first()
    )
    if membership is not None and membership.status != MembershipStatus.LEFT:
        message = (
            _("You have already applied to %(timebank)s; the coordinator will be in touch.")
            if membership.status == MembershipStatus.APPLIED
            else _("You are already a member of %(timebank)s.")
        )
        raise Conflict(message % {"timebank": timebank.name}, "already_member")
    now = timezone.now()
    if membership is None:
        membership = Membership.objects.create(
            timebank=timebank,
            person=person,
            status=MembershipStatus.APPLIED,
            area=area.strip(),
            application_note=note.strip(),
        )
    else:
        # Someone who left (or was declined) applies again: they start afresh as an applicant.
        membership.role = Role.MEMBER
        membership.status = MembershipStatus.APPLIED
        membership.area = area.strip()
        membership.application_note = note.strip()
        membership.applied_at = now
        membership.activated_at = None
        membership.save()

    audit_record(
        action="membership.applied",
        actor=person,
        timebank_id=timebank.pk,
        target=f"person:{person.public_id}",
        data={"new_person": new_person, "contact_preference": contact_preference},
    )
    url = reverse("members:induct", kwargs={"public_id": person.public_id})
    for coordinator in coordinators_of(timebank):
        notify(
            person=coordinator,
            kind="application_received",
            timebank=timebank,
            url=url,
            message=lambda: (
                _("%(name)s has applied to join %(timebank)s.")
                % {"name": person.display_name, "timebank": timebank.name}
            ),
        )
    return membership


@transaction.atomic
def membership_induct(
    *,
    membership: Membership,
    acting: Person,
    inducted_on: date,
    inducted_by: Person,
    notes: str = "",
) -> Membership:
    """Record the induction meeting and welcome the applicant: from now on they can trade."""
    timebank = membership.timebank
    require_coordinator(person=acting, timebank=timebank)
    require_coordinator(person=inducted_by, timebank=timebank)
    # Locked so two coordinators deciding the same application at once cannot both win.
    membership = (
        Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    )
    if membership.status != MembershipStatus.APPLIED:
        raise Conflict(
            _("%(name)s's application has already been decided.")
            % {"name": membership.person.display_name},
            "already_decided",
        )
    if inducted_on > timezone.localdate():
        raise ApplicationError(_("The induction date cannot be in the future."), "future_date")
    membership.status = MembershipStatus.ACTIVE
    membership.activated_at = timezone.now()
    membership.inducted_on = inducted_on
    membership.inducted_by = inducted_by
    membership.induction_notes = notes.strip()
    membership.save()
    membership_activated.send(sender=Membership, membership=membership)
    audit_record(
        action="membership.inducted",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"person:{membership.person.public_id}",
        data={
            "old_status": MembershipStatus.APPLIED,
            "new_status": MembershipStatus.ACTIVE,
            "inducted_on": inducted_on.isoformat(),
            "inducted_by": str(inducted_by.public_id),
        },
    )
    notify(
        person=membership.person,
        kind="application_decided",
        timebank=timebank,
        url=reverse("web:home"),
        message=lambda: _(WELCOME) % {"timebank": timebank.name},
    )
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership, acting: Person, reason: str) -> Membership:
    """Decline an application, with a reason the applicant is told."""
    timebank = membership.timebank
    require_coordinator(person=acting, timebank=timebank)
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Say why the application is declined."), "reason_required")
    membership = (
        Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    )
    if membership.status != MembershipStatus.APPLIED:
        raise Conflict(
            _("%(name)s's application has already been decided.")
            % {"name": membership.person.display_name},
            "already_decided",
        )
    membership.status = MembershipStatus.LEFT
    membership.save(update_fields=["status"])
    audit_record(
        action="membership.declined",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"person:{membership.person.public_id}",
        data={
            "old_status": MembershipStatus.APPLIED,
            "new_status": MembershipStatus.LEFT,
            "reason": reason,
        },
    )
    notify(
        person=membership.person,
        kind="application_decided",
        timebank=timebank,
        message=lambda: (
            _("Your application to join %(timebank)s was not accepted: %(reason)s")
            % {"timebank": timebank.name, "reason": reason}
        ),
    )
    return membership


@transaction.atomic
def membership_update(
    *, membership: Membership, acting: Person, role: str, status: str
) -> Membership:
    """A coordinator changes someone's role or status (active, paused, left). An applicant is
    welcomed or declined through the induction instead, and a time bank is never left without
    an active coordinator."""
    timebank = membership.timebank
    require_coordinator(person=acting, timebank=timebank)
    if role not in Role.values:
        raise ApplicationError(_("Choose a role."), "bad_role")
    if status not in MembershipStatus.values:
        raise ApplicationError(_("Choose a status."), "bad_status")
    membership = (
        Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    )
    old = {"role": membership.role, "status": membership.status}
    if old == {"role": role, "status": status}:
        return membership
    if membership.status == MembershipStatus.APPLIED and status != MembershipStatus.APPLIED:
        raise Conflict(
            _("%(name)s has applied but not been inducted: record the induction to welcome them.")
            % {"name": membership.person.display_name},
            "not_inducted",
        )
    if status == MembershipStatus.APPLIED and membership.status != MembershipStatus.APPLIED:
        raise ApplicationError(_("A member cannot be put back to “applied”."), "bad_status")
    was_coordinator = membership_is_coordinator(membership)
    membership.role, membership.status = role, status
    if was_coordinator and not membership_is_coordinator(membership):
        # Locks the coordinators' rows: two stepping each other down cannot leave none.
        others = (
            Membership.objects.select_for_update()
            .filter(timebank=timebank, status=MembershipStatus.ACTIVE)
            .coordinators()
            .exclude(pk=membership.pk)
        )
        if not list(others):
            raise Conflict(
                _("%(timebank)s needs at least one active coordinator; appoint another first.")
                % {"timebank": timebank.name},
                "last_coordinator",
            )
    if status == MembershipStatus.ACTIVE and membership.activated_at is None:
        membership.activated_at = timezone.now()
    membership.save(update_fields=["role", "status", "activated_at"])
    if status == MembershipStatus.ACTIVE and old["status"] != MembershipStatus.ACTIVE:
        membership_activated.send(sender=Membership, membership=membership)
    audit_record(
        action="membership.updated",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"person:{membership.person.public_id}",
        data={"old": old, "new": {"role": role, "status": status}},
    )
    return membership


@transaction.atomic
def profile_update(
    *,
    person: Person,
    membership: Membership | None,
    area: str | None = None,
    **fields: object,
) -> Person:
    """A person edits their own profile (and their area in the current time bank)."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    values = {name: fields.get(name, getattr(person, name)) for name in PROFILE_FIELDS}
    for name in ("gives", "needs", "about", "languages", "accessibility_needs", "phone", "email"):
        values[name] = str(values[name] or "").strip()
    availability = values["availability"]
    if not isinstance(availability, list) or not set(availability) <= set(SLOTS):
        raise ApplicationError(_("Choose the times you are free from the list."), "bad_slots")
    values["availability"] = [slot for slot in SLOTS if slot in availability]
    _check_contact(
        contact_preference=str(values["contact_preference"]),
        email=str(values["email"]),
        phone=str(values["phone"]),
    )
    if new_email := emails.email_change_pending(person, values):  # used once confirmed
        emails.email_change_request(person=person, new_email=new_email)
    changed = [name for name in PROFILE_FIELDS if values[name] != getattr(person, name)]
    for name in changed:
        setattr(person, name, values[name])
    if changed:
        person.save(update_fields=changed)

    area_change = None
    if membership is not None and area is not None and area.strip() != membership.area:
        area_change = {"old": membership.area, "new": area.strip()}
        membership.area = area.strip()
        membership.save(update_fields=["area"])
    if changed or area_change:
        audit_record(
            action="person.profile_updated",
            actor=person,
            timebank_id=membership.timebank_id if membership else None,
            target=f"person:{person.public_id}",
            data={
                "changed": changed,
                **({"area": area_change} if area_change else {}),
                **{
                    "values": {
                        name: values[name] for name in changed if name not in _PRIVATE_FIELDS
                    }
                },
            },
        )
    return person


@transaction.atomic
def check_record(
    *,
    timebank: TimeBank,
    person: Person,
    acting: Person,
    kind: str,
    checked_on: date,
    expires_on: date | None = None,
    reference: str = "",
    notes: str = "",
) -> SafeguardingCheck:
    """A coordinator records a safeguarding check they have seen. Its badge shows on the
    member's profile while it is current; the reference and notes stay with coordinators."""
    require_coordinator(person=acting, timebank=timebank)
    if not Membership.objects.filter(timebank=timebank, person=person).exists():
        raise ApplicationError(_("That person is not in this time bank."), "not_member")
    if kind not in CheckKind.values:
        raise ApplicationError(_("Choose the kind of check."), "bad_kind")
    if checked_on > timezone.localdate():
        raise ApplicationError(_("A check cannot be dated in the future."), "future_date")
    if kind == CheckKind.ENHANCED and expires_on is None:
        raise ApplicationError(
            _("An enhanced check needs the date it should be renewed by."), "expiry_required"
        )
    if expires_on is not None and expires_on <= checked_on:
        raise ApplicationError(_("The check must expire after the date it was made."), "bad_expiry")
    check = SafeguardingCheck.objects.create(
        timebank=timebank,
        person=person,
        kind=kind,
        checked_on=checked_on,
        expires_on=expires_on,
        reference=reference.strip(),
        notes=notes.strip(),
        recorded_by=acting,
    )
    audit_record(
        action="check.recorded",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"person:{person.public_id}",
        data={
            "kind": kind,
            "checked_on": checked_on.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    return check


# How long a link to choose a password works: long enough for a letter to reach someone.
PASSWORD_LINK_LIFETIME = timedelta(days=7)


@transaction.atomic
def password_link_create(*, membership: Membership, acting: Person) -> tuple[PasswordLink, str]:
    """A coordinator makes a one-time link with which a member chooses their own password: for
    someone referred or imported without one, or who lost it before ever signing in. Returns the
    link and its token; the token is shown to the coordinator once and never stored.

    Only for a login the coordinator's time bank alone answers for
    (selectors.password_handover_allowed): anyone else's password is theirs to choose. A new link
    stops any older unused one for the same person."""
    timebank = membership.timebank
    require_coordinator(person=acting, timebank=timebank)
    # Locked, so an application to another bank (locking too) cannot slip in before the link.
    person = Person.objects.select_for_update().get(pk=membership.person_id)
    handover = password_handover_allowed(person=person, timebank=timebank)
    if not handover:
        raise PermissionDenied(handover.reason, f"handover_{handover.code}")
    now = timezone.now()
    revoked = (
        PasswordLink.objects.filter(person=person, used_at__isnull=True, revoked_at__isnull=True)
        .filter(expires_at__gt=now)
        .update(revoked_at=now)
    )
    token = token_new()
    hashed = token_hash(token)
    assert hashed is not None  # a token we made is always well formed
    link = PasswordLink.objects.create(
        person=person,
        purpose=PasswordLinkPurpose.HANDOVER,
        timebank=timebank,
        created_by=acting,
        token_hash=hashed,
        expires_at=now + PASSWORD_LINK_LIFETIME,
    )
    audit_record(
        action="person.password_link_created",
        actor=acting,
        timebank_id=timebank.pk,
        on_behalf_of=person,
        target=f"person:{person.public_id}",
        data={
            "link": link.pk,
            "purpose": link.purpose,
            "expires_at": link.expires_at.isoformat(),
            "revoked_older": revoked,
        },
    )
    notify(
        person=person,
        kind="password_link",
        message=lambda: _(LINK_MADE) % {"coordinator": acting.display_name},
        timebank=timebank,
    )
    return link, token


@transaction.atomic
def password_link_use(*, token: str, password: str) -> Person:
    """Whoever holds a working link chooses the password of its person; the link is then spent,
    and the caller signs them in. A refused password leaves the link working. Any token that
    does not open a working link gets the same answer, so nothing is learnt from guessing."""
    gone = NotFound(
        _("This link does not work any more. Please ask your coordinator for a new one."),
        "link_gone",
    )
    # Locked: of two people submitting the same link at once, the second reads it as used.
    hashed = token_hash(token)
    link = (
        PasswordLink.objects.select_for_update().filter(token_hash=hashed).first()
        if hashed is not None
        else None
    )
    if link is None:
        raise gone
    link.person = Person.objects.select_for_update().get(pk=link.person_id)
    person = link.person
    now = timezone.now()
    if not password_link_usable(link, now=now):
        raise gone
    try:
        validate_password(password, user=person)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), "weak_password") from None
    person.set_password(password)
    person.save(update_fields=["password"])
    link.used_at = now
    link.save(update_fields=["used_at"])
    audit_record(
        action="person.password_link_used",
        actor=person,
        timebank_id=link.timebank_id,
        target=f"person:{person.public_id}",
        data={"link": link.pk, "purpose": link.purpose},
    )
    return person


# --- Privacy (issue 10) -------------------------------------------------------------------------
VISIBILITY_FIELDS = ("phone_visible_to", "email_visible_to", "area_visible_to")


@transaction.atomic
def contact_visibility_set(*, membership: Membership, acting: Person, **choices: str) -> Membership:
    """A person chooses who sees their phone, email and area in one time bank. Only the person
    themselves sets it: a coordinator sees everything anyway."""
    if membership.person_id != acting.pk:
        raise PermissionDenied(_("Only the person themselves chooses this."), "not_yours")
    unknown = set(choices) - set(VISIBILITY_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if any(value not in Visibility.values for value in choices.values()):
        raise ApplicationError(_("Choose who may see it from the list."), "bad_visibility")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    old = {name: getattr(membership, name) for name in choices}
    changed = [name for name, value in choices.items() if old[name] != value]
    if not changed:
        return membership
    for name in changed:
        setattr(membership, name, choices[name])
    membership.save(update_fields=changed)
    audit_record(
        action="person.privacy_updated",
        actor=acting,
        timebank_id=membership.timebank_id,
        target=f"person:{acting.public_id}",
        data={
            "old": {name: old[name] for name in changed},
            "new": {name: choices[name] for name in changed},
        },
    )
    return membership
