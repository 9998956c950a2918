"""Invitations: how people come into a time bank in a role someone already chose for them.

A coordinator invites another coordinator, a member they have already met (who lands active, with
no application to decide) or an organisation's first admin; an organisation's admin invites its
own staff; `coproduce timebank create` invites a new bank's first coordinator (no one acting).
An invitation is a one-time link: its token is shown once (emailed, printed on a letter or read
out by the command) and only its SHA-256 hash is kept (community/tokens.py). It works for
`INVITATION_LIFETIME`, once; resending makes a new token and stops the old one; revoking stops it.

Accepting signs a newcomer up (a username and a password they choose) or, for someone already
signed in, adds the role to their own login. Either way the membership is active from that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Invitation,
    InvitationKind,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationStaff,
    Person,
    Role,
    StaffRole,
    TimeBank,
)
from coproduce.community.permissions import (
    is_coordinator,
    is_site_admin,
    organisation_role,
)
from coproduce.community.signals import membership_activated
from coproduce.community.tokens import token_hash, token_new
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.mail import mail_language, mail_send
from coproduce.core.notifications import notify
from coproduce.core.text import text_problem

# Long enough for a letter to arrive and be opened; short enough that a lost one goes stale.
INVITATION_LIFETIME = timedelta(days=7)

ORGANISATION_KINDS = (InvitationKind.ORGANISATION_ADMIN, InvitationKind.ORGANISATION_STAFF)


def _line(value: str, *, limit: int) -> str:
    """Typed single-line text, stripped; a clear refusal for characters that cannot be stored."""
    value = (value or "").strip()
    problem = text_problem(value)
    if problem:
        raise ApplicationError(problem, "control_character")
    return value[:limit]


# --- Reads ---------------------------------------------------------------------------------------


def invitation_url(token: str) -> str:
    """The absolute address of an invitation's page, for an email, a letter or the terminal."""
    return settings.SITE_URL + reverse("community:invitation_accept", kwargs={"token": token})


def invitation_by_token(token: str) -> Invitation | None:
    """The live invitation a token opens; None for any other token (unknown, used, expired or
    revoked look the same, so nothing is learnt by guessing)."""
    hashed = token_hash(token)
    if hashed is None:
        return None
    invitation = (
        Invitation.objects.filter(token_hash=hashed)
        .select_related("timebank", "organisation", "invited_by")
        .first()
    )
    if invitation is None or not invitation.is_live(timezone.now()):
        return None
    return invitation


def _may_invite(
    *, person: Person, timebank: TimeBank, kind: str, organisation_id: int | None
) -> bool:
    """Coordinators invite anyone into their bank; an organisation's admin invites its staff; a
    site administrator invites any bank's coordinators (from /site/, issue 12)."""
    if kind == InvitationKind.COORDINATOR and is_site_admin(person):
        return True
    if is_coordinator(person=person, timebank=timebank):
        return True
    return (
        kind == InvitationKind.ORGANISATION_STAFF
        and organisation_id is not None
        and organisation_role(person=person, organisation=organisation_id) == StaffRole.ADMIN
    )


def invitations_pending(
    *, timebank: TimeBank, acting: Person, organisation: Organisation | None = None
) -> QuerySet[Invitation]:
    """The live invitations of a time bank (or of one organisation of it), newest first, for
    someone who may make them: a coordinator sees all, an organisation's admin its own staff's.
    Anyone else is refused with a 404, as if there were none to see."""
    if organisation is not None and organisation.timebank_id != timebank.pk:
        raise NotFound(_("There is no such organisation here."), "not_found")
    coordinator = is_coordinator(person=acting, timebank=timebank)
    if not coordinator and not (
        organisation is not None
        and organisation_role(person=acting, organisation=organisation) == StaffRole.ADMIN
    ):
        raise NotFound(_("There is no such page here."), "not_found")
    invitations = Invitation.objects.filter(
        timebank=timebank,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if organisation is not None:
        invitations = invitations.filter(organisation=organisation)
        if not coordinator:
            invitations = invitations.filter(kind=InvitationKind.ORGANISATION_STAFF)
    return invitations.select_related("organisation", "invited_by").order_by("-created_at")


def invitation_get_for(*, public_id: UUID | str, acting: Person) -> Invitation:
    """An invitation by public id, for someone who may resend or revoke it; a 404 otherwise."""
    invitation = (
        Invitation.objects.filter(public_id=public_id)
        .select_related("timebank", "organisation", "invited_by")
        .first()
    )
    if invitation is None or not _may_invite(
        person=acting,
        timebank=invitation.timebank,
        kind=invitation.kind,
        organisation_id=invitation.organisation_id,
    ):
        raise NotFound(_("There is no such invitation."), "not_found")
    return invitation


# --- Writes --------------------------------------------------------------------------------------


def _issue(invitation: Invitation) -> str:
    """Give the invitation a fresh token (kept only as its hash) and a fresh expiry."""
    token = token_new()
    hashed = token_hash(token)
    assert hashed is not None  # a token we made is always well formed
    invitation.token_hash = hashed
    invitation.expires_at = timezone.now() + INVITATION_LIFETIME
    return token


def _role_words(invitation: Invitation) -> str:
    if invitation.organisation is not None:
        return _("%(role)s of %(organisation)s in %(timebank)s") % {
            "role": invitation.get_kind_display(),
            "organisation": invitation.organisation.name,
            "timebank": invitation.timebank.name,
        }
    return _("%(role)s of %(timebank)s") % {
        "role": invitation.get_kind_display(),
        "timebank": invitation.timebank.name,
    }


def _email_on_commit(invitation: Invitation, token: str) -> None:
    """Email the link to the invitation's address, in the time bank's language, through the
    recorded mail path (core.mail): it goes when the transaction commits, and a mail server that
    is down never undoes the invitation (the coordinator can resend it, or print it)."""
    if not invitation.email:
        return
    timebank = invitation.timebank
    language = mail_language(None, timebank)
    with translation.override(language):
        inviter = (
            invitation.invited_by.display_name
            if invitation.invited_by is not None
            else _("The people who run %(timebank)s") % {"timebank": timebank.name}
        )
        mail_send(
            to=invitation.email,
            subject=_("You are invited to %(timebank)s") % {"timebank": timebank.name},
            template="community/email/invitation",
            context={
                "name": invitation.name,
                "inviter": inviter,
                "role": _role_words(invitation),
                "expires": formats.date_format(
                    timezone.localtime(invitation.expires_at), "DATE_FORMAT"
                ),
                "link": invitation_url(token),
            },
            language=language,
            kind="invitation",
            timebank=timebank,
        )


@transaction.atomic
def invitation_create(
    *,
    timebank: TimeBank,
    kind: str,
    acting: Person | None,
    email: str = "",
    name: str = "",
    organisation: Organisation | None = None,
    may_refer: bool = False,
) -> tuple[Invitation, str]:
    """Invite someone into `timebank` as `kind`. Returns the invitation and its token, which is
    shown once and never stored. `acting=None` is the command line setting up a new bank."""
    if kind not in InvitationKind.values:
        raise ApplicationError(_("Choose what they are invited as."), "bad_kind")
    if kind in ORGANISATION_KINDS:
        if organisation is None or organisation.timebank_id != timebank.pk:
            raise ApplicationError(_("Choose the organisation they will work for."), "organisation")
    elif organisation is not None:
        raise ApplicationError(_("Only an organisation's staff are invited to it."), "organisation")
    if acting is not None and not _may_invite(
        person=acting,
        timebank=timebank,
        kind=kind,
        organisation_id=organisation.pk if organisation is not None else None,
    ):
        raise PermissionDenied(
            _(
                "Only the time bank's coordinators, or an organisation's admin for its staff, can "
                "invite people."
            ),
            "not_allowed",
        )
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ApplicationError(
                _("“%(email)s” is not an email address.") % {"email": email}, "bad_email"
            ) from None
    name = _line(name, limit=150)
    invitation = Invitation(
        timebank=timebank,
        kind=kind,
        organisation=organisation,
        email=email,
        name=name,
        # An organisation's admin may refer too, when whoever invites them says so.
        may_refer=bool(may_refer) and kind in ORGANISATION_KINDS,
        invited_by=acting,
    )
    token = _issue(invitation)
    invitation.save()
    audit_record(
        action="invitation.created",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"invitation:{invitation.public_id}",
        data={
            "kind": kind,
            "organisation": str(organisation.public_id) if organisation is not None else None,
            "by_email": bool(email),
            "may_refer": invitation.may_refer,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    _email_on_commit(invitation, token)
    return invitation, token


def _locked_live(invitation: Invitation, *, acting: Person) -> Invitation:
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("timebank", "organisation", "invited_by")
        .get(pk=invitation.pk)
    )
    if not _may_invite(
        person=acting,
        timebank=locked.timebank,
        kind=locked.kind,
        organisation_id=locked.organisation_id,
    ):
        raise NotFound(_("There is no such invitation."), "not_found")
    if locked.accepted_at is not None:
        raise Conflict(_("This invitation has already been accepted."), "accepted")
    if locked.revoked_at is not None:
        raise Conflict(_("This invitation was withdrawn."), "revoked")
    return locked


@transaction.atomic
def invitation_resend(*, invitation: Invitation, acting: Person) -> tuple[Invitation, str]:
    """A new token for an invitation not yet accepted (also after it expired): the old link stops
    working, the new one works for another `INVITATION_LIFETIME` and is emailed again."""
    invitation = _locked_live(invitation, acting=acting)
    token = _issue(invitation)
    invitation.save(update_fields=["token_hash", "expires_at"])
    audit_record(
        action="invitation.resent",
        actor=acting,
        timebank_id=invitation.timebank_id,
        target=f"invitation:{invitation.public_id}",
        data={"expires_at": invitation.expires_at.isoformat()},
    )
    _email_on_commit(invitation, token)
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, acting: Person) -> Invitation:
    """Withdraw an invitation: its link stops working at once."""
    invitation = _locked_live(invitation, acting=acting)
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = acting
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action="invitation.revoked",
        actor=acting,
        timebank_id=invitation.timebank_id,
        target=f"invitation:{invitation.public_id}",
        data={"kind": invitation.kind},
    )
    return invitation


@dataclass(frozen=True)
class Newcomer:
    """What someone without a login here chooses when accepting an invitation."""

    username: str
    password: str
    first_name: str
    email: str = ""


def _person_new(newcomer: Newcomer) -> Person:
    username = _line(newcomer.username, limit=150)
    first_name = _line(newcomer.first_name, limit=150)
    if not first_name:
        raise ApplicationError(_("Please tell us your name."), "no_name")
    if not username or not newcomer.password:
        raise ApplicationError(_("Choose a username and a password."), "no_login")
    email = newcomer.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ApplicationError(
                _("“%(email)s” is not an email address.") % {"email": email}, "bad_email"
            ) from None
    try:
        validate_password(newcomer.password, Person(username=username, first_name=first_name))
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), "weak_password") from None
    taken = Conflict(
        _("The username “%(username)s” is taken. If it is yours, sign in first.")
        % {"username": username},
        "username_taken",
    )
    if Person.objects.filter(username__iexact=username).exists():
        raise taken
    try:
        with transaction.atomic():  # a savepoint: a lost race on the username stays readable
            return Person.objects.create_user(
                username=username,
                password=newcomer.password,
                first_name=first_name,
                email=email,
            )
    except IntegrityError:
        raise taken from None


def _membership_active(*, person: Person, timebank: TimeBank, role: str) -> Membership:
    """The person's membership of the bank, active, with at least `role`: a coordinator stays a
    coordinator when invited to an organisation; an applicant is welcomed in."""
    membership = (
        Membership.objects.select_for_update().filter(person=person, timebank=timebank).first()
    )
    now = timezone.now()
    if membership is None:
        membership = Membership.objects.create(
            person=person,
            timebank=timebank,
            role=role,
            status=MembershipStatus.ACTIVE,
            activated_at=now,
        )
        # The ledger opens the account in this transaction (community/signals.py).
        membership_activated.send(sender=Membership, membership=membership)
        return membership
    changed = []
    if membership.status != MembershipStatus.ACTIVE:
        membership.status = MembershipStatus.ACTIVE
        membership.activated_at = now
        changed += ["status", "activated_at"]
    if role == Role.COORDINATOR and membership.role != Role.COORDINATOR:
        membership.role = Role.COORDINATOR
        changed.append("role")
    elif role == Role.PROFESSIONAL and membership.role == Role.MEMBER:
        membership.role = Role.PROFESSIONAL
        changed.append("role")
    if changed:
        membership.save(update_fields=changed)
    if "status" in changed:
        membership_activated.send(sender=Membership, membership=membership)
    return membership


_ROLE_FOR_KIND = {
    InvitationKind.COORDINATOR: Role.COORDINATOR,
    InvitationKind.MEMBER: Role.MEMBER,
    InvitationKind.ORGANISATION_ADMIN: Role.PROFESSIONAL,
    InvitationKind.ORGANISATION_STAFF: Role.PROFESSIONAL,
}


@transaction.atomic
def invitation_accept(
    *, token: str, person: Person | None = None, newcomer: Newcomer | None = None
) -> Person:
    """Take up an invitation: `person` (signed in) takes the role with their own login, or a
    `newcomer` gets a login of their own choosing. The membership is active from now; for an
    organisation, they join its staff. Returns the person, for the caller to sign in. Any token
    that does not open a live invitation gets the same answer."""
    gone = NotFound(
        _("This invitation does not work any more. Please ask whoever invited you for a new one."),
        "invitation_gone",
    )
    hashed = token_hash(token)
    # Locked so that two people opening the same link at once cannot both take it up.
    invitation = (
        Invitation.objects.select_for_update().filter(token_hash=hashed).first()
        if hashed is not None
        else None
    )
    now = timezone.now()
    if invitation is None or not invitation.is_live(now):
        raise gone
    if person is None:
        if newcomer is None:
            raise ApplicationError(_("Choose a username and a password."), "no_login")
        person = _person_new(newcomer)
    else:
        person = Person.objects.select_for_update().get(pk=person.pk)
    timebank = invitation.timebank
    membership = _membership_active(
        person=person, timebank=timebank, role=_ROLE_FOR_KIND[InvitationKind(invitation.kind)]
    )
    if invitation.organisation_id is not None:
        staff_role = (
            StaffRole.ADMIN
            if invitation.kind == InvitationKind.ORGANISATION_ADMIN
            else StaffRole.PROFESSIONAL
        )
        staff, created = OrganisationStaff.objects.select_for_update().get_or_create(
            organisation_id=invitation.organisation_id,
            person=person,
            defaults={
                "timebank": timebank,
                "role": staff_role,
                "may_refer": invitation.may_refer,
            },
        )
        if not created and staff_role == StaffRole.ADMIN and staff.role != StaffRole.ADMIN:
            staff.role = StaffRole.ADMIN
            staff.save(update_fields=["role"])
    invitation.accepted_at = now
    invitation.accepted_by = person
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        action="invitation.accepted",
        actor=person,
        timebank_id=timebank.pk,
        target=f"invitation:{invitation.public_id}",
        data={
            "kind": invitation.kind,
            "membership": membership.pk,
            "role": membership.role,
            "new_person": newcomer is not None,
        },
    )
    if invitation.invited_by is not None:
        notify(
            person=invitation.invited_by,
            kind="invitation_accepted",
            timebank=timebank,
            url=reverse("community:profile", kwargs={"public_id": person.public_id}),
            message=lambda: (
                _("%(name)s accepted your invitation to join as %(role)s.")
                % {"name": person.display_name, "role": _role_words(invitation)}
            ),
        )
    return person
