"""Site administrators: the people who run the installation (its time banks and their first
coordinators), not any one community.

A site administrator is a Person with `is_staff` and `is_superuser` (docs/DESIGN.md: they must
use two-step sign-in and belong to no time bank by being one). The first is made from the
command line (`coproduce admin create`), which prints a one-time link: the new administrator
chooses a password with it (`/welcome/<token>/`) and is taken straight on to set up two-step
sign-in, which the middleware then insists on everywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import PasswordLink, PasswordLinkPurpose, Person
from coproduce.community.permissions import is_site_admin
from coproduce.community.services import PASSWORD_LINK_LIFETIME
from coproduce.community.tokens import token_hash, token_new
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound


def email_checked(text: str) -> str:
    """An email address as typed, trimmed, or an ApplicationError (code `bad_email`)."""
    email = text.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(
            _("%(email)r is not an email address") % {"email": text}, "bad_email"
        ) from None
    return email


def password_link_url(token: str) -> str:
    """The absolute address of a one-time link to choose a password (from SITE_URL)."""
    return settings.SITE_URL + reverse("community:password_link", args=[token])


def _name_parts(name: str) -> tuple[str, str]:
    first, _space, last = " ".join(name.split()).partition(" ")
    return first[:150], last[:150]


@transaction.atomic
def site_admin_create(*, email: str, name: str = "") -> tuple[Person, PasswordLink, str]:
    """Make a site administrator (from the command line) and a one-time link with which they
    choose their password; returns the person, the link and its token (shown once, stored
    hashed). Their username is their email address. Refused (nothing written) for an address
    that is not one, or that someone already has."""
    email = email_checked(email)
    username = email.lower()
    taken = Conflict(
        _("someone already has the email address %(email)s") % {"email": email}, "email_taken"
    )
    if (
        Person.objects.filter(email__iexact=email).exists()
        or Person.objects.filter(username__iexact=username).exists()
    ):
        raise taken
    first_name, last_name = _name_parts(name)
    person = Person(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
        is_superuser=True,
    )
    person.set_unusable_password()
    try:
        with transaction.atomic():  # a savepoint: the same address made a moment ago
            person.save()
    except IntegrityError:
        raise taken from None
    audit_record(
        action="person.site_admin_created",
        actor=None,
        target=f"person:{person.public_id}",
        data={"email": email, "from": "command line"},
    )
    link, token = _admin_link_new(person)
    return person, link, token


@transaction.atomic
def site_admin_link_create(*, email: str) -> tuple[Person, PasswordLink, str]:
    """A new one-time link for an existing site administrator (their first link expired, or
    they lost their password and their second step still guards the account); any older
    unused link of theirs stops working."""
    email = email_checked(email)
    person = Person.objects.select_for_update().filter(email__iexact=email).first()
    if person is None or not is_site_admin(person) or person.erased_at is not None:
        raise NotFound(
            _("no site administrator has the email address %(email)s") % {"email": email},
            "not_site_admin",
        )
    link, token = _admin_link_new(person)
    return person, link, token


def _admin_link_new(person: Person) -> tuple[PasswordLink, str]:
    now = timezone.now()
    revoked = PasswordLink.objects.filter(
        person=person, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    token = token_new()
    hashed = token_hash(token)
    assert hashed is not None  # a token we made is always well formed
    link = PasswordLink.objects.create(
        person=person,
        purpose=PasswordLinkPurpose.ADMIN_SETUP,
        timebank=None,
        created_by=None,
        token_hash=hashed,
        expires_at=now + PASSWORD_LINK_LIFETIME,
    )
    audit_record(
        action="person.password_link_created",
        actor=None,
        target=f"person:{person.public_id}",
        data={
            "link": link.pk,
            "purpose": link.purpose,
            "expires_at": link.expires_at.isoformat(),
            "revoked_older": revoked,
        },
    )
    return link, token
