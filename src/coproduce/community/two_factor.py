"""Two-step sign-in: a code from an authenticator app (a django-otp TOTP device) after the
password, with ten single-use recovery codes (a static device) for a lost phone.

Who must use it (`two_factor_required`): site administrators always, and coordinators,
administrators and organisation admins of a time bank that requires it. Anyone else may turn it
on for themselves. Only the person (with a current code or a recovery code) or a site
administrator (`coproduce manage two_factor_remove`) can take it off: never a coordinator, who
could otherwise take over another coordinator's account (docs/DESIGN.md, "Two-step sign-in").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coproduce.community.models import (
    Membership,
    MembershipStatus,
    OrganisationStaff,
    Person,
    StaffRole,
    TimeBank,
)
from coproduce.community.permissions import membership_is_coordinator, require_coordinator
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, PermissionDenied

RECOVERY_CODES = 10
APP_NAME = "authenticator app"  # the TOTP device's name; the person has one at a time
RECOVERY_NAME = "recovery codes"
_NOT_CODE = re.compile(r"[\s-]+")


# --- reads ---------------------------------------------------------------------------------------


def two_factor_required(*, person: Person, memberships: Iterable[Membership]) -> bool:
    """Whether this person must use two-step sign-in. `memberships` are the person's memberships
    (any status but left) with their time banks, as `CurrentTimeBankMiddleware` loads them, so
    the usual answer (no time bank requires it) costs no query."""
    if person.is_staff or person.is_superuser:
        # A site administrator reaches every time bank; no one bank can decide for them.
        return True
    strict = [m for m in memberships if m.timebank.require_two_factor]
    if not strict:
        return False
    if any(membership_is_coordinator(m) for m in strict):
        return True
    return OrganisationStaff.objects.filter(
        person=person, role=StaffRole.ADMIN, timebank_id__in=[m.timebank_id for m in strict]
    ).exists()


def two_factor_required_for(person: Person) -> bool:
    """`two_factor_required` when the memberships are not at hand (commands, sign-in)."""
    memberships = (
        Membership.objects.filter(person=person)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("timebank")
    )
    return two_factor_required(person=person, memberships=memberships)


def app_device_for(person: Person) -> TOTPDevice | None:
    """The person's confirmed authenticator app, or None when two-step sign-in is off."""
    return TOTPDevice.objects.filter(user=person, confirmed=True).first()


def two_factor_enabled(person: Person) -> bool:
    return TOTPDevice.objects.filter(user=person, confirmed=True).exists()


def recovery_codes_left(person: Person) -> int:
    return StaticToken.objects.filter(device__user=person, device__confirmed=True).count()


# --- writes --------------------------------------------------------------------------------------


@transaction.atomic
def app_device_start(*, person: Person) -> TOTPDevice:
    """The unconfirmed authenticator device the set-up page shows, made once and kept until it
    is confirmed (so reloading the page shows the same secret)."""
    if two_factor_enabled(person):
        raise ApplicationError(_("Two-step sign-in is already on."), "two_factor_on")
    device = TOTPDevice.objects.filter(user=person, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=person, name=APP_NAME, confirmed=False)
    return device


def _normalise(code: str) -> str:
    return _NOT_CODE.sub("", code or "").lower()[:16]


def _new_recovery_codes(person: Person) -> list[str]:
    StaticDevice.objects.filter(user=person).delete()
    device = StaticDevice.objects.create(user=person, name=RECOVERY_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < RECOVERY_CODES:
        code = StaticToken.random_token()
        if not code.isdigit() and code not in codes:  # an all-digit one would look like an app code
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_confirm(*, person: Person, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn two-step sign-in on with the first code from the app; returns the device and the
    recovery codes, which are shown once and never again."""
    # Locked so two confirmations sent at once cannot both make recovery codes.
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=person, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None:
        raise ApplicationError(
            _("Start again: open the set-up page to get a new secret."), "no_device"
        )
    if not device.verify_token(_normalise(code)):
        raise ApplicationError(
            _("That code did not match. Check the time on your phone and try the newest code."),
            "wrong_code",
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=person, confirmed=False).delete()
    codes = _new_recovery_codes(person)
    audit_record(
        action="person.two_factor_set_up", actor=person, target=f"person:{person.public_id}"
    )
    return device, codes


@transaction.atomic
def second_step_verify(*, person: Person, code: str) -> Device | None:
    """The device that accepts this code (the app's six digits, or a recovery code, which is
    used up), or None. Devices are locked while checking, so a code cannot be used twice at
    once; django-otp also refuses a replayed app code and slows down repeated wrong ones."""
    token = _normalise(code)
    if not token:
        return None
    # Six digits go to the app, anything else to the recovery codes (eight letters and digits),
    # so a mistyped app code never counts against the recovery codes' delay, or the reverse.
    from_app = token.isdigit() and len(token) <= 8
    app = TOTPDevice.objects.select_for_update().filter(user=person, confirmed=True).first()
    if app is not None and from_app and app.verify_token(token):
        return app
    recovery = StaticDevice.objects.select_for_update().filter(user=person, confirmed=True).first()
    if recovery is not None and not from_app and recovery.verify_token(token):
        audit_record(
            action="person.recovery_code_used",
            actor=person,
            target=f"person:{person.public_id}",
            data={"left": recovery.token_set.count()},
        )
        return recovery
    return None


@transaction.atomic
def recovery_codes_regenerate(*, person: Person, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), after a current code."""
    if not two_factor_enabled(person):
        raise ApplicationError(_("Two-step sign-in is off."), "two_factor_off")
    if second_step_verify(person=person, code=code) is None:
        raise ApplicationError(_("That code did not match."), "wrong_code")
    codes = _new_recovery_codes(person)
    audit_record(
        action="person.recovery_codes_regenerated",
        actor=person,
        target=f"person:{person.public_id}",
    )
    return codes


def _remove_devices(person: Person) -> None:
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()


@transaction.atomic
def two_factor_turn_off(*, person: Person, code: str) -> None:
    """The person turns two-step sign-in off, with a current code or a recovery code."""
    if not two_factor_enabled(person):
        raise ApplicationError(_("Two-step sign-in is already off."), "two_factor_off")
    if second_step_verify(person=person, code=code) is None:
        raise ApplicationError(_("That code did not match."), "wrong_code")
    _remove_devices(person)
    audit_record(
        action="person.two_factor_removed", actor=person, target=f"person:{person.public_id}"
    )


@transaction.atomic
def two_factor_remove_by_site_admin(*, person: Person, acting: Person, reason: str) -> None:
    """A site administrator takes off a person's second step (their phone is lost and so are
    their recovery codes), after checking who they are away from the app. The person then
    signs in with their password, and must set it up again if their role requires it."""
    if not (acting.is_staff or acting.is_superuser):
        raise PermissionDenied(
            _("Only a site administrator can remove someone's two-step sign-in."), "not_admin"
        )
    if not reason.strip():
        raise ApplicationError(_("Say why, for the audit log."), "reason_required")
    if not TOTPDevice.objects.filter(user=person).exists():
        raise ApplicationError(_("Two-step sign-in is already off."), "two_factor_off")
    _remove_devices(person)
    audit_record(
        action="person.two_factor_removed",
        actor=acting,
        on_behalf_of=person,
        target=f"person:{person.public_id}",
        data={"reason": reason.strip()},
    )


@transaction.atomic
def timebank_two_factor_set(*, timebank: TimeBank, acting: Person, required: bool) -> TimeBank:
    """A coordinator requires (or stops requiring) two-step sign-in of the time bank's
    coordinators, administrators and organisation admins."""
    require_coordinator(
        person=acting, timebank=timebank, message=_("Only a coordinator can change this.")
    )
    # Locked so two coordinators changing it at once each audit the value they really replaced.
    timebank = TimeBank.objects.select_for_update().get(pk=timebank.pk)
    old = timebank.require_two_factor
    if old != required:
        timebank.require_two_factor = required
        timebank.save(update_fields=["require_two_factor"])
        audit_record(
            action="timebank.two_factor_required",
            actor=acting,
            timebank_id=timebank.pk,
            target=f"timebank:{timebank.slug}",
            data={"old": old, "new": required},
        )
    return timebank
