"""Who may do what in a time bank: the one place every app, view and API handler asks.

The rules are few and stated here once:
- a **coordinator** of a time bank is a person whose membership of it is active and whose role is
  coordinator or administrator (a paused or departed coordinator coordinates nothing);
- a **member** of a time bank, for looking people up by name, is anyone whose membership of it is
  not `left` (applicants and paused members included);
- a **site administrator** (`is_staff` or `is_superuser`) runs the installation: its time banks
  and their coordinators' invitations (/site/), never a time bank's members or ledger;
- an organisation's **staff** are its admins and professionals (`OrganisationStaff`); an
  organisation admin may edit the organisation, manage its staff and start its co-design
  projects;
- a staff member **refers** for their organisation only when their row says `may_refer`: they
  make referrals for it and see its referrals (status, outcomes, report); staff who may not refer
  (and anyone removed from its staff) see none.

A new permission goes here as a typed function whose docstring says the rule in words; an app's
selector may then combine it with what is its own (the sides of an exchange, the participants of
a project). Views, services and templates ask these functions (or a flag a view computed with
them), never `role in [...]` on their own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationStaff,
    Person,
    Role,
    StaffRole,
    TimeBank,
)
from coproduce.core.errors import PermissionDenied

# The roles that coordinate a time bank while their membership is active.
COORDINATOR_ROLES = (Role.COORDINATOR, Role.ADMIN)

# --- Site administrators ------------------------------------------------------------------------


def is_site_admin(person: Person | Any | None) -> bool:
    """A site administrator runs the installation: its time banks and their first coordinators
    (`is_staff` and `is_superuser`, as `coproduce admin create` makes them; either flag alone
    counts, as it does for two-step sign-in). No query."""
    return (
        person is not None
        and person.is_authenticated
        and person.is_active
        and bool(person.is_staff or person.is_superuser)
    )


# --- Coordinators --------------------------------------------------------------------------------


def membership_is_coordinator(membership: Membership | None) -> bool:
    """The coordinator rule read from a membership already in hand (the request's, one a page
    loaded): active, with the coordinator or administrator role. No query."""
    return membership is not None and membership.is_coordinator


def is_coordinator(*, person: Person | Any | None, timebank: TimeBank | int) -> bool:
    """Whether `person` coordinates `timebank` (a time bank or its id): an active membership of
    it as coordinator or administrator. Nobody signed in, and anyone else, does not (one
    query)."""
    if person is None or not person.is_authenticated:
        return False
    return (
        Membership.objects.filter(person=person, timebank=timebank, status=MembershipStatus.ACTIVE)
        .coordinators()
        .exists()
    )


def require_coordinator(
    *, person: Person | None, timebank: TimeBank | int, message: str | None = None
) -> None:
    """Refuse (403, code `coordinator_only`) anyone who does not coordinate `timebank`; the
    message says what only a coordinator may do when the caller gives one."""
    if not is_coordinator(person=person, timebank=timebank):
        raise PermissionDenied(
            message or _("Only a coordinator of this time bank can do that."), "coordinator_only"
        )


def coordinators_of(timebank: TimeBank) -> QuerySet[Person]:
    """The people who coordinate `timebank` today (active coordinators and administrators), in
    name order: who is told of applications, problems and referrals, and who may lead an
    induction (one query)."""
    return Person.objects.filter(
        memberships__timebank=timebank,
        memberships__status=MembershipStatus.ACTIVE,
        memberships__role__in=COORDINATOR_ROLES,
    ).order_by("first_name", "last_name", "username")


def coordinated_memberships(person: Person) -> list[Membership]:
    """The person's memberships that make them a coordinator (of any time bank), with each time
    bank, in the time banks' name order (one query): the banks whose reports they may read."""
    return list(
        Membership.objects.filter(person=person)
        .active()
        .coordinators()
        .select_related("timebank")
        .order_by("timebank__name")
    )


# --- Members -------------------------------------------------------------------------------------


def gives_to_chest_only(membership: Membership | None) -> bool:
    """A professional (staff of a partner organisation) gives hours to the community chest,
    never to a member they choose: their hours are not theirs to direct at a client."""
    return membership is not None and membership.role == Role.PROFESSIONAL


def is_active_professional(membership: Membership | None) -> bool:
    """An active member with the professional role (a partner organisation's staff member):
    they see the partners' pages a coordinator sees, for their own referrals."""
    return (
        membership is not None
        and membership.role == Role.PROFESSIONAL
        and membership.status == MembershipStatus.ACTIVE
    )


# --- Finding a member by name --------------------------------------------------------------------


def member_get_by_username(*, timebank: TimeBank, username: str) -> Person | None:
    """A person who belongs to `timebank` (any status but left) by username, whatever its
    capitals and the spaces around it; None for anyone else."""
    # One filter() call, so the status condition applies to this time bank's membership only
    # (an exclude() across the relation would drop anyone who left some other time bank).
    return Person.objects.filter(
        username__iexact=username.strip(),
        memberships__timebank=timebank,
        memberships__status__in=[
            status for status in MembershipStatus.values if status != MembershipStatus.LEFT
        ],
    ).first()


def member_get_by_reference(*, timebank: TimeBank, reference: str) -> Person | None:
    """A member of `timebank` (any status but left) named by public id or, when the reference
    is not a UUID, by username as `member_get_by_username` finds it; None for anyone else."""
    reference = (reference or "").strip()
    if not reference:
        return None
    try:
        public_id = uuid.UUID(reference)
    except ValueError:
        return member_get_by_username(timebank=timebank, username=reference)
    membership = (
        Membership.objects.filter(timebank=timebank, person__public_id=public_id)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("person")
        .first()
    )
    return membership.person if membership else None


# --- Organisations -------------------------------------------------------------------------------


def organisation_role(*, person: Person, organisation: Organisation | int) -> str | None:
    """The person's staff role in an organisation (`StaffRole.ADMIN` or `PROFESSIONAL`), or None
    when they are not on its staff (one query)."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return (
        OrganisationStaff.objects.filter(organisation_id=organisation_id, person=person)
        .values_list("role", flat=True)
        .first()
    )


def is_staff_of(*, person: Person, organisation: Organisation | int) -> bool:
    """Whether the person works for the organisation, as its admin or a professional: staff
    act for the organisation in exchanges and manage its co-design projects (one query)."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return OrganisationStaff.objects.filter(organisation_id=organisation_id, person=person).exists()


def staff_organisation_ids(*, person: Person, timebank: TimeBank) -> set[int]:
    """The organisations of `timebank` the person works for, whatever their membership says:
    the organisations they act for in an exchange (one query)."""
    return set(
        OrganisationStaff.objects.filter(person=person, timebank=timebank).values_list(
            "organisation_id", flat=True
        )
    )


def organisations_administered(*, person: Person, timebank: TimeBank) -> QuerySet[Organisation]:
    """The organisations of `timebank` the person is an admin of, in name order."""
    return Organisation.objects.filter(
        timebank=timebank,
        staff__person=person,
        staff__role=StaffRole.ADMIN,
        staff__timebank=timebank,
    ).order_by("name")


def organisations_referring_for(*, person: Person, timebank: TimeBank) -> QuerySet[Organisation]:
    """The organisations of `timebank` the person may refer for (on their staff with
    `may_refer`), in name order: the choices on the referral form and report."""
    return Organisation.objects.filter(
        timebank=timebank,
        staff__person=person,
        staff__may_refer=True,
        staff__timebank=timebank,
    ).order_by("name")


def staff_person_ids(*, organisation_id: int) -> set[int]:
    """Everyone on an organisation's staff, by person id (one query)."""
    return set(
        OrganisationStaff.objects.filter(organisation_id=organisation_id).values_list(
            "person_id", flat=True
        )
    )


# --- A person's standing in a time bank ----------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """How a person stands in one time bank, read once per page (two queries): their membership
    (None when they have none or left) and their staff roles in its organisations (only while
    they belong). An app's own standing (towards one exchange, one project) adds what is its own
    on top of these rules."""

    membership: Membership | None
    staff: dict[int, str] = field(default_factory=dict)  # organisation id → staff role
    # The organisations whose staff they are with `may_refer`.
    referring: frozenset[int] = frozenset()

    @property
    def is_member(self) -> bool:
        """Belongs to the time bank: applied, active or paused."""
        return self.membership is not None and self.membership.status != MembershipStatus.LEFT

    @property
    def is_inducted(self) -> bool:
        """Met by the coordinator: an active or paused member, not an applicant."""
        return self.membership is not None and self.membership.status in (
            MembershipStatus.ACTIVE,
            MembershipStatus.PAUSED,
        )

    @property
    def is_coordinator(self) -> bool:
        """The coordinator rule (`is_coordinator`) on this membership."""
        return membership_is_coordinator(self.membership)

    @property
    def can_trade(self) -> bool:
        """Only an active member gives, receives and spends."""
        return self.membership is not None and self.membership.status == MembershipStatus.ACTIVE

    def is_staff_of(self, organisation_id: int) -> bool:
        """Works for this organisation of the time bank (admin or professional)."""
        return organisation_id in self.staff

    def is_admin_of(self, organisation_id: int) -> bool:
        """An admin of this organisation: edits it and its staff."""
        return self.staff.get(organisation_id) == StaffRole.ADMIN

    def may_refer_for(self, organisation_id: int) -> bool:
        """On this organisation's staff with `may_refer`: refers people in for it and sees its
        referrals."""
        return organisation_id in self.referring

    @property
    def refers(self) -> bool:
        """Refers people in for at least one organisation; coordinators take referrals through."""
        return bool(self.referring)


def standing_in(*, person: Person | Any, timebank: TimeBank | None) -> Standing:
    """The person's `Standing` in `timebank`: nothing for someone not signed in, without a time
    bank, or who has left it."""
    if timebank is None or not person.is_authenticated:
        return Standing(membership=None)
    membership = Membership.objects.filter(person=person, timebank=timebank).first()
    if membership is None or membership.status == MembershipStatus.LEFT:
        return Standing(membership=None)
    rows = OrganisationStaff.objects.filter(person=person, timebank=timebank).values_list(
        "organisation_id", "role", "may_refer"
    )
    staff: dict[int, str] = {}
    referring: set[int] = set()
    for organisation_id, role, may_refer in rows:
        staff[organisation_id] = role
        if may_refer:
            referring.add(organisation_id)
    return Standing(membership=membership, staff=staff, referring=frozenset(referring))
