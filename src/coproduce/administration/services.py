"""What a site administrator does to the installation: make a time bank (with its community
chest and an invitation for its first coordinator), and invite, re-invite or stop inviting a
time bank's coordinators. The command line (`coproduce timebank create`, acting=None) and the
site administrator's pages call the same services. Nothing here deletes anything: a time bank's
history is its members' and stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coproduce.community.invitations import (
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitation_url,
)
from coproduce.community.locales import language_checked, timezone_checked
from coproduce.community.models import Invitation, InvitationKind, Person, TimeBank
from coproduce.community.permissions import is_site_admin
from coproduce.community.site_admins import email_checked
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.money import DEFAULT_CURRENCY, currency_checked
from coproduce.core.text import text_problem
from coproduce.ledger.accounts import chest_get_or_open

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_LENGTH = 50
NAME_LENGTH = 120


@dataclass(frozen=True)
class Invited:
    """An invitation just made or made again, with its link: shown once, never stored."""

    invitation: Invitation
    token: str
    url: str


@dataclass(frozen=True)
class TimeBankCreated:
    timebank: TimeBank
    invited: Invited


def _require_site_admin(acting: Person | None) -> None:
    # None: the command line, where whoever runs it already holds the whole installation.
    if acting is not None and not is_site_admin(acting):
        raise PermissionDenied(_("Only a site administrator can do that."), "site_admin_only")


def name_checked(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise ApplicationError(_("give the time bank a name"), "bad_name")
    problem = text_problem(name)
    if problem:
        raise ApplicationError(problem, "bad_name")
    if len(name) > NAME_LENGTH:
        raise ApplicationError(
            _("the name is too long: at most %(n)d characters") % {"n": NAME_LENGTH}, "bad_name"
        )
    return name


def slug_checked(text: str) -> str:
    """A slug is the time bank's short name in addresses (/join/<slug>/): lower-case letters,
    digits and single hyphens between them, at most 50 characters."""
    slug = text.strip()
    if not SLUG.match(slug) or len(slug) > SLUG_LENGTH:
        raise ApplicationError(
            _(
                "%(slug)r is not a slug: use lower-case letters, digits and hyphens, such as "
                "riverside or north-leeds (at most %(n)d characters)"
            )
            % {"slug": text, "n": SLUG_LENGTH},
            "bad_slug",
        )
    if TimeBank.objects.filter(slug=slug).exists():
        raise Conflict(
            _("the slug %(slug)r is taken by another time bank") % {"slug": slug}, "slug_taken"
        )
    return slug


@transaction.atomic
def timebank_create(
    *,
    name: str,
    slug: str,
    coordinator_email: str,
    language: str = "",
    timezone: str = "",
    currency: str = "",
    acting: Person | None,
) -> TimeBankCreated:
    """Make a time bank, open its community chest, and invite its first coordinator; returns
    the time bank and the invitation with its link (shown once). Every input is checked before
    anything is written, and it is one transaction: a refusal leaves the installation as it
    was. The language and time zone default to the installation's, the currency to pounds."""
    _require_site_admin(acting)
    name = name_checked(name)
    slug = slug_checked(slug)
    language = language_checked(language or settings.LANGUAGE_CODE)
    zone = timezone_checked(timezone or settings.TIME_ZONE)
    money = currency_checked(currency or DEFAULT_CURRENCY)
    email = email_checked(coordinator_email)
    try:
        with transaction.atomic():
            timebank = TimeBank.objects.create(
                name=name, slug=slug, language=language, time_zone=zone, currency=money
            )
    except IntegrityError:  # the same slug, made a moment ago by someone else
        raise Conflict(
            _("the slug %(slug)r is taken by another time bank") % {"slug": slug}, "slug_taken"
        ) from None
    # The community chest is the one system account a new time bank needs: it receives gifts
    # and gives grants. Members' and organisations' accounts open as they become active.
    chest = chest_get_or_open(timebank=timebank)
    audit_record(
        action="timebank.created",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"timebank:{timebank.public_id}",
        data={
            "name": name,
            "slug": slug,
            "language": language,
            "time_zone": zone,
            "currency": money,
            "chest": chest.pk,
            "from": "command line" if acting is None else "site administration",
        },
    )
    invited = _invite(timebank=timebank, acting=acting, email=email, name="")
    return TimeBankCreated(timebank=timebank, invited=invited)


def _invite(*, timebank: TimeBank, acting: Person | None, email: str, name: str) -> Invited:
    invitation, token = invitation_create(
        timebank=timebank,
        kind=InvitationKind.COORDINATOR,
        acting=acting,
        email=email,
        name=name,
    )
    return Invited(invitation=invitation, token=token, url=invitation_url(token))


@transaction.atomic
def coordinator_invite(
    *, timebank: TimeBank, acting: Person, email: str, name: str = ""
) -> Invited:
    """A site administrator invites a coordinator of a time bank (its first, or one more when
    the last has left)."""
    _require_site_admin(acting)
    return _invite(timebank=timebank, acting=acting, email=email_checked(email), name=name)


@transaction.atomic
def coordinator_invitation_resend(*, invitation: Invitation, acting: Person) -> Invited:
    """A new link for a coordinator's invitation; the old link stops working."""
    _require_site_admin(acting)
    invitation, token = invitation_resend(invitation=invitation, acting=acting)
    return Invited(invitation=invitation, token=token, url=invitation_url(token))


@transaction.atomic
def coordinator_invitation_revoke(*, invitation: Invitation, acting: Person) -> None:
    _require_site_admin(acting)
    invitation_revoke(invitation=invitation, acting=acting)
