"""Writes about partner organisations: creating and updating one, its staff (added, removed,
whether each may refer) and its account's limits. An organisation's account opens when it is
created. Its admins manage its staff; a coordinator of the time bank may do all of it too.
Inviting staff who are not yet members is `community.invitations`."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    OrganisationStaff,
    Person,
    Role,
    StaffRole,
    TimeBank,
)
from coproduce.community.permissions import Standing, require_coordinator, standing_in
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.ledger.accounts import organisation_account_get_or_open
from coproduce.ledger.limits import account_limits_set
from coproduce.ledger.models import Account

# --- organisations ------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *, timebank: TimeBank, acting: Person, name: str, kind: str, description: str = ""
) -> Organisation:
    """A coordinator welcomes a partner organisation; its hour account opens with it."""
    require_coordinator(person=acting, timebank=timebank)
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the organisation's name."), "name_required")
    if kind not in OrganisationKind.values:
        raise ApplicationError(_("Choose what kind of organisation it is."), "bad_kind")
    if Organisation.objects.filter(timebank=timebank, name__iexact=name).exists():
        raise Conflict(
            _("%(name)s is already a partner of this time bank.") % {"name": name}, "duplicate"
        )
    base = slugify(name)[:40] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(timebank=timebank, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    organisation = Organisation.objects.create(
        timebank=timebank,
        slug=slug,
        name=name[:160],
        kind=kind,
        description=(description or "").strip(),
    )
    account = organisation_account_get_or_open(organisation=organisation)
    audit_record(
        action="organisation.created",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"organisation:{organisation.public_id}",
        data={"name": organisation.name, "kind": kind, "account": str(account.public_id)},
    )
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, acting: Person, description: str
) -> Organisation:
    """The organisation's admins (or a coordinator) keep its description current."""
    standing = standing_in(person=acting, timebank=organisation.timebank)
    if not (standing.is_coordinator or standing.is_admin_of(organisation.pk)):
        raise PermissionDenied(
            _("Only the organisation's admins or a coordinator can change its description.")
        )
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    description = (description or "").strip()
    if description == organisation.description:
        return organisation
    old = organisation.description
    organisation.description = description
    organisation.save(update_fields=["description"])
    audit_record(
        action="organisation.updated",
        actor=acting,
        timebank_id=organisation.timebank_id,
        target=f"organisation:{organisation.public_id}",
        data={"old": {"description": old}, "new": {"description": description}},
    )
    return organisation


def _require_staff_manager(*, organisation: Organisation, acting: Person) -> Standing:
    """The organisation's admins and the time bank's coordinators manage its staff."""
    standing = standing_in(person=acting, timebank=organisation.timebank)
    if not (standing.is_coordinator or standing.is_admin_of(organisation.pk)):
        raise PermissionDenied(
            _("Only the organisation's admins or a coordinator can change its staff."),
            "not_organisation_admin",
        )
    return standing


def _locked_staff(*, organisation: Organisation, person: Person) -> OrganisationStaff:
    staff = (
        OrganisationStaff.objects.select_for_update()
        .filter(organisation=organisation, person=person)
        .first()
    )
    if staff is None:
        raise ApplicationError(
            _("%(name)s is not on the staff of %(org)s.")
            % {"name": person.display_name, "org": organisation.name},
            "not_staff",
        )
    return staff


@transaction.atomic
def organisation_staff_add(
    *,
    organisation: Organisation,
    acting: Person,
    person: Person,
    role: str,
    may_refer: bool = True,
) -> OrganisationStaff:
    """A coordinator adds a member to an organisation's staff, or changes their role there."""
    require_coordinator(person=acting, timebank=organisation.timebank)
    if role not in StaffRole.values:
        raise ApplicationError(_("Choose their role: organisation admin or professional."))
    membership = Membership.objects.filter(
        timebank_id=organisation.timebank_id, person=person
    ).first()
    if membership is None or membership.status not in {
        MembershipStatus.ACTIVE,
        MembershipStatus.PAUSED,
    }:
        raise ApplicationError(
            _("%(name)s must be a member of this time bank before joining a partner's staff.")
            % {"name": person.display_name},
            "not_member",
        )
    staff, created = OrganisationStaff.objects.select_for_update().get_or_create(
        organisation=organisation,
        person=person,
        defaults={"timebank_id": organisation.timebank_id, "role": role, "may_refer": may_refer},
    )
    old_role = None if created else staff.role
    if not created and staff.role != role:
        staff.role = role
        staff.save(update_fields=["role"])
    if created or old_role != role:
        audit_record(
            action="organisation.staff_set",
            actor=acting,
            timebank_id=organisation.timebank_id,
            target=f"organisation:{organisation.public_id}",
            data={"person": str(person.public_id), "old": old_role, "new": role},
        )
    return staff


@transaction.atomic
def organisation_staff_remove(
    *, organisation: Organisation, acting: Person, person: Person
) -> None:
    """The organisation's admin (or a coordinator) takes someone off its staff: from then on they
    neither act for it nor refer for it, nor see its referrals. Their membership of the time bank
    stays; a professional who works for no organisation any more becomes a member. Nobody but a
    coordinator removes the organisation's last admin (it would be left with nobody to manage
    it)."""
    # Lock the organisation first, then ask who the actor is: two admins removing each other at
    # once must not both pass (the second finds they are no longer an admin).
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    standing = _require_staff_manager(organisation=organisation, acting=acting)
    staff = _locked_staff(organisation=organisation, person=person)
    if staff.role == StaffRole.ADMIN and not standing.is_coordinator:
        admins = OrganisationStaff.objects.filter(
            organisation=organisation, role=StaffRole.ADMIN
        ).count()
        if admins <= 1:
            raise Conflict(
                _("%(name)s is the organisation's only admin: ask a coordinator to remove them.")
                % {"name": person.display_name},
                "last_admin",
            )
    old = {"role": staff.role, "may_refer": staff.may_refer}
    staff.delete()
    membership_changed = False
    if not OrganisationStaff.objects.filter(
        person=person, timebank_id=organisation.timebank_id
    ).exists():
        membership_changed = bool(
            Membership.objects.filter(
                person=person, timebank_id=organisation.timebank_id, role=Role.PROFESSIONAL
            ).update(role=Role.MEMBER)
        )
    audit_record(
        action="organisation.staff_removed",
        actor=acting,
        timebank_id=organisation.timebank_id,
        target=f"organisation:{organisation.public_id}",
        data={
            "person": str(person.public_id),
            "old": old,
            "membership_role": Role.MEMBER if membership_changed else None,
        },
    )


@transaction.atomic
def organisation_staff_may_refer_set(
    *, organisation: Organisation, acting: Person, person: Person, may_refer: bool
) -> OrganisationStaff:
    """The organisation's admin (or a coordinator) says whether one of its staff may refer people
    in (and so see the organisation's referrals)."""
    _require_staff_manager(organisation=organisation, acting=acting)
    staff = _locked_staff(organisation=organisation, person=person)
    if staff.may_refer == may_refer:
        return staff
    staff.may_refer = may_refer
    staff.save(update_fields=["may_refer"])
    audit_record(
        action="organisation.staff_may_refer_set",
        actor=acting,
        timebank_id=organisation.timebank_id,
        target=f"organisation:{organisation.public_id}",
        data={
            "person": str(person.public_id),
            "old": {"may_refer": not may_refer},
            "new": {"may_refer": may_refer},
        },
    )
    return staff


def organisation_limits_set(
    *,
    organisation: Organisation,
    acting: Person,
    min_balance: int,
    max_balance: int | None,
    reason: str,
) -> Account:
    """The coordinator sets how far the organisation's account may go (ledger.limits checks and
    audits it)."""
    account = organisation_account_get_or_open(organisation=organisation)
    return account_limits_set(
        account=account,
        min_balance=min_balance,
        max_balance=max_balance,
        acting=acting,
        reason=reason,
    )
