"""A person's email address: confirming it after joining, changing it with a confirmation from
the new address, the one-click unsubscribe in the weekly digest, and password reset by email.

Every link is signed with the secret key (`django.core.signing`, its own salt per purpose) and
nothing about it is stored, so there is no token in the database to steal:
- confirming an address: the person and the address, for `LINK_AGE`; it works only while that is
  still their address, and confirming twice changes nothing;
- changing an address: the person, the old and the new address, for `LINK_AGE`; it works only
  while the old one is still theirs, so once followed it is spent;
- unsubscribing: the person and the kind of email, without expiry (it is in every digest);
- resetting a password: Django's `default_token_generator`, which stops working once the
  password is changed or the person signs in, and after `PASSWORD_RESET_TIMEOUT`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coproduce.community.models import Person, TimeBank
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.mail import absolute, mail_language, mail_send
from coproduce.core.throttle import (
    PASSWORD_RESET_PER_ADDRESS,
    PASSWORD_RESET_PER_EMAIL,
    throttle_record,
    throttle_refuses,
)

LINK_AGE = timedelta(days=7)
VERIFY_SALT = "coproduce.email-verify"
CHANGE_SALT = "coproduce.email-change"
UNSUBSCRIBE_SALT = "coproduce.email-unsubscribe"
# The kinds of email a link in them can turn off, and the Person field that turns each off.
UNSUBSCRIBE_FIELDS = {"digest": "digest_by_email", "notifications": "notify_by_email"}


def _gone() -> NotFound:
    return NotFound(
        _("This link does not work any more. Sign in and ask for a new one from your profile."),
        "link_gone",
    )


def _read(token: str, *, salt: str, max_age: timedelta | None) -> dict[str, Any]:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # an expired one too
        raise _gone() from None
    if not isinstance(data, dict):
        raise _gone()
    return data


def _person(public_id: object) -> Person:
    """The person a genuine link names, locked; a link for someone erased or gone is dead."""
    person = (
        Person.objects.select_for_update()
        .filter(public_id=str(public_id), is_active=True, erased_at__isnull=True)
        .first()
    )
    if person is None:
        raise _gone()
    return person


def _send(
    *,
    person: Person,
    to: str,
    subject: str,  # marked with gettext_noop, translated here in the person's language
    template: str,
    kind: str,
    timebank: TimeBank | None = None,
    background: bool = False,
    **context: Any,
) -> None:
    language = mail_language(person, timebank)
    with translation.override(language):
        mail_send(
            to=to,
            subject=_(subject),
            template=template,
            context={"person": person, **context},
            language=language,
            kind=kind,
            person=person,
            timebank=timebank,
            background=background,
        )


# --- confirming an address ---------------------------------------------------------------------


def email_verification_send(*, person: Person, timebank: TimeBank | None = None) -> None:
    """Email the person a link that confirms their address is theirs (inside the caller's
    transaction: it goes when that commits)."""
    if not person.email:
        return
    token = signing.dumps({"p": str(person.public_id), "e": person.email}, salt=VERIFY_SALT)
    _send(
        person=person,
        to=person.email,
        subject=gettext_noop("Please confirm your email address"),
        template="community/email/verify",
        kind="email_verify",
        timebank=timebank,
        link=absolute(reverse("community:email_verify", args=[token])),
        days=LINK_AGE.days,
    )


def email_verification_read(token: str) -> dict[str, Any]:
    """The link's contents if it is genuine and unexpired (the confirm page shows a button)."""
    return _read(token, salt=VERIFY_SALT, max_age=LINK_AGE)


@transaction.atomic
def email_verify(*, token: str) -> Person:
    """The person followed the link: their address is confirmed, if it is still that one."""
    data = email_verification_read(token)
    person = _person(data.get("p"))
    if not person.email or person.email.casefold() != str(data.get("e", "")).casefold():
        raise _gone()
    if person.email_verified_at is None:
        person.email_verified_at = timezone.now()
        person.save(update_fields=["email_verified_at"])
        audit_record(
            action="person.email_verified", actor=person, target=f"person:{person.public_id}"
        )
    return person


# --- changing an address -----------------------------------------------------------------------


def email_change_pending(person: Person, values: dict[str, object]) -> str:
    """For `profile_update`: a new, non-empty address is not saved until it is confirmed.
    Returns it (and puts the current address back in `values`), or "" when the address is not
    changing or is being removed (which needs no confirmation)."""
    new = str(values.get("email") or "").strip()
    if not new or new.casefold() == person.email.casefold():
        return ""
    values["email"] = person.email
    return new


def email_change_request(*, person: Person, new_email: str) -> None:
    """Send a confirmation link to the new address; the address changes only when it is
    followed (`email_change_confirm`). The audit row names no address."""
    new_email = new_email.strip()
    try:
        validate_email(new_email)
    except ValidationError:
        raise ApplicationError(_("Enter a valid email address."), "bad_email") from None
    token = signing.dumps(
        {"p": str(person.public_id), "o": person.email, "n": new_email}, salt=CHANGE_SALT
    )
    _send(
        person=person,
        to=new_email,
        subject=gettext_noop("Please confirm your new email address"),
        template="community/email/change_confirm",
        kind="email_change",
        link=absolute(reverse("community:email_change", args=[token])),
        days=LINK_AGE.days,
    )
    audit_record(
        action="person.email_change_requested", actor=person, target=f"person:{person.public_id}"
    )


def email_change_read(token: str) -> dict[str, Any]:
    return _read(token, salt=CHANGE_SALT, max_age=LINK_AGE)


@transaction.atomic
def email_change_confirm(*, token: str) -> Person:
    """The new address's owner followed the link: the address changes (and counts as
    confirmed), and the old address is told. A link whose old address is no longer the person's
    (it was used, or another change came first) is dead."""
    data = email_change_read(token)
    person = _person(data.get("p"))
    old, new = str(data.get("o", "")), str(data.get("n", ""))
    if person.email != old or not new:
        raise _gone()
    person.email = new
    person.email_verified_at = timezone.now()
    person.save(update_fields=["email", "email_verified_at"])
    audit_record(action="person.email_changed", actor=person, target=f"person:{person.public_id}")
    if old:
        _send(
            person=person,
            to=old,
            subject=gettext_noop("Your email address was changed"),
            template="community/email/changed_notice",
            kind="email_changed",
            new_email=new,
        )
    return person


# --- unsubscribing -----------------------------------------------------------------------------


def unsubscribe_url(person: Person, kind: str = "digest") -> str:
    """The absolute one-click link that turns off one kind of email for this person."""
    token = signing.dumps({"p": str(person.public_id), "k": kind}, salt=UNSUBSCRIBE_SALT)
    return absolute(reverse("community:unsubscribe", args=[token]))


def unsubscribe_read(token: str) -> dict[str, Any]:
    data = _read(token, salt=UNSUBSCRIBE_SALT, max_age=None)
    if data.get("k") not in UNSUBSCRIBE_FIELDS:
        raise _gone()
    return data


@transaction.atomic
def email_unsubscribe(*, token: str) -> tuple[Person, str]:
    """Turn off the kind of email the link names (no sign-in needed: the link is signed).
    Returns the person and the kind; doing it twice changes nothing more."""
    data = unsubscribe_read(token)
    person = _person(data.get("p"))
    kind = str(data["k"])
    field = UNSUBSCRIBE_FIELDS[kind]
    if getattr(person, field):
        setattr(person, field, False)
        person.save(update_fields=[field])
        audit_record(
            action="person.unsubscribed",
            actor=person,
            target=f"person:{person.public_id}",
            data={"kind": kind},
        )
    return person, kind


# --- password reset ----------------------------------------------------------------------------


@transaction.atomic
def password_reset_request(*, email: str, address: str | None) -> None:
    """Email a link to choose a new password to every active account with this address and a
    password of its own. Quietly nothing for an unknown address, an account without a usable
    password (the coordinator's one-time link is for those), or when asked too often: the caller
    answers the same in every case, and the email is delivered in the background so the answer
    takes as long for a known address as for an unknown one."""
    email = email.strip()
    key = email.casefold()
    if throttle_refuses(PASSWORD_RESET_PER_EMAIL, key) or throttle_refuses(
        PASSWORD_RESET_PER_ADDRESS, address
    ):
        return
    throttle_record(PASSWORD_RESET_PER_EMAIL, key)
    throttle_record(PASSWORD_RESET_PER_ADDRESS, address)
    people = Person.objects.filter(email__iexact=email, is_active=True, erased_at__isnull=True)
    for person in people.order_by("pk"):
        if not person.has_usable_password():
            continue
        uid = urlsafe_base64_encode(force_bytes(person.pk))
        token = default_token_generator.make_token(person)
        _send(
            person=person,
            to=person.email,
            subject=gettext_noop("Choose a new password"),
            template="community/email/password_reset",
            kind="password_reset",
            background=True,
            link=absolute(reverse("community:password_reset", args=[uid, token])),
            username=person.username,
        )
        audit_record(
            action="person.password_reset_sent", actor=None, target=f"person:{person.public_id}"
        )


@transaction.atomic
def password_reset_complete(*, person: Person, password: str) -> Person:
    """The person followed a working reset link and chose a password (already validated by the
    form): set it and audit it. The link stops working, since the password changed."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.set_password(password)
    person.save(update_fields=["password"])
    audit_record(action="person.password_reset", actor=person, target=f"person:{person.public_id}")
    return person
