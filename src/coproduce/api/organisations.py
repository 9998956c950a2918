"""Partner organisations, as on /organisations/: the list and one organisation (for every
member, with the hours given to it and received from it); a new one (a coordinator, as on
/organisations/new/) and its description (its admins and the coordinators, as on its edit page);
and for its admins and the time bank's coordinators its staff: list, invite (the link is in the
answer once), the invitations waiting (send again, withdraw), take someone off the staff, and
say whether one of them may refer people. Adding an existing member to its staff is for a
coordinator only, as on its staff page. Who may do each is the page's lookup
(`partners.selectors.organisation_*_get_for`): anyone else is told there is no such thing
(404). Only a coordinator invites an organisation's admin (`_may_invite`, as on the page).
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Schema, Status

from coproduce.api.auth import caller
from coproduce.api.coordinator_settings import (
    InvitationMadeOut,
    InvitationOut,
    InvitationPage,
    invitation_made,
    invitation_out,
)
from coproduce.api.idempotency import write_operation
from coproduce.api.pagination import (
    CursorPage,
    CursorParams,
    Key,
    newest_first,
    page_of,
    page_of_rows,
)
from coproduce.api.schemas import Hours, MultiLine, PersonOut, SingleLine, hours, responses
from coproduce.api.selectors import member_by_reference
from coproduce.community.invitations import (
    invitation_create,
    invitation_get_for,
    invitation_resend,
    invitation_revoke,
    invitations_pending,
)
from coproduce.community.models import (
    Invitation,
    InvitationKind,
    Organisation,
    OrganisationKind,
    OrganisationStaff,
    StaffRole,
)
from coproduce.community.permissions import standing_in
from coproduce.core.errors import NotFound
from coproduce.partners import selectors
from coproduce.partners.services import organisations as organisation_services

router = Router(tags=["organisations"])

BY_NAME = (Key("name", "str", descending=False), Key("pk", "int", descending=False))
STAFF_ORDER = (
    Key("role", "str", descending=False),
    Key("person__username", "str", descending=False),
    Key("pk", "int", descending=False),
)


class OrganisationOut(Schema):
    public_id: UUID
    slug: str
    name: str
    kind: str
    description: str


class OrganisationRow(OrganisationOut):
    active_offers: int
    active_requests: int


class OrganisationPage(CursorPage):
    items: list[OrganisationRow]


class OrganisationDetailOut(OrganisationOut):
    hours_given: Hours = F(description="Hours members gave the organisation.")
    hours_received: Hours = F(description="Hours the organisation gave members.")
    may_manage: bool = F(description="Whether I may manage its staff.")


class StaffOut(Schema):
    person: PersonOut
    role: StaffRole
    may_refer: bool


class StaffPage(CursorPage):
    items: list[StaffOut]


class StaffInviteIn(Schema):
    role: Literal["organisation_staff", "organisation_admin"] = "organisation_staff"
    email: SingleLine = F("", max_length=254, description="Sent the link if given.")
    name: SingleLine = F("", max_length=150)
    may_refer: bool = False


class MayReferIn(Schema):
    may_refer: bool


class OrganisationIn(Schema):
    name: SingleLine = F(max_length=160, description="Its name, not already a partner's here.")
    kind: OrganisationKind
    description: MultiLine = F("", max_length=5000, description="What it does.")


class DescriptionIn(Schema):
    description: MultiLine = F(max_length=5000, description="What it does; members read it.")


class StaffAddIn(Schema):
    member: SingleLine = F(
        max_length=150, description="A member of this time bank, by username or public id."
    )
    role: StaffRole
    may_refer: bool = F(True, description="Whether they refer people (and see its referrals).")


def _fields(organisation: Organisation) -> dict:
    return {
        "public_id": organisation.public_id,
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
        "description": organisation.description,
    }


def _staff_out(staff: OrganisationStaff) -> StaffOut:
    person = staff.person
    return StaffOut(
        person=PersonOut(
            public_id=person.public_id, username=person.username, display_name=person.display_name
        ),
        role=StaffRole(staff.role),
        may_refer=staff.may_refer,
    )


@router.get(
    "/organisations",
    response=responses({200: OrganisationPage}, 400, 404, 422),
    summary="The time bank's partner organisations, by name",
)
def organisations(request: HttpRequest, page: Query[CursorParams]) -> OrganisationPage:
    who = caller(request)
    found = selectors.organisations_for(person=who.person, timebank=who.timebank)
    rows, next_cursor = page_of(found, BY_NAME, page)
    return OrganisationPage(
        items=[
            OrganisationRow(
                **_fields(row),
                active_offers=row.offers_count,  # type: ignore[attr-defined]
                active_requests=row.requests_count,  # type: ignore[attr-defined]
            )
            for row in rows
        ],
        limit=page.limit,
        next_cursor=next_cursor,
    )


def _detail(organisation: Organisation, *, may_manage: bool) -> OrganisationDetailOut:
    totals = selectors.organisation_hours(organisation)
    return OrganisationDetailOut(
        **_fields(organisation),
        hours_given=hours(totals["given_to_it"]),
        hours_received=hours(totals["received_from_it"]),
        may_manage=may_manage,
    )


@router.get(
    "/organisations/{public_id}",
    response=responses({200: OrganisationDetailOut}, 404, 422),
    summary="A partner organisation",
)
def organisation(request: HttpRequest, public_id: UUID) -> OrganisationDetailOut:
    who = caller(request)
    found, standing = selectors.organisation_get_for(who.person, who.timebank, public_id)
    return _detail(found, may_manage=standing.is_coordinator or standing.is_admin_of(found.pk))


@write_operation(
    router,
    "/organisations",
    response=responses({201: OrganisationDetailOut}, 404, 409),
    summary="Welcome a new partner organisation (a coordinator); its hour account opens with it",
)
def organisation_create(
    request: HttpRequest, payload: OrganisationIn
) -> Status[OrganisationDetailOut]:
    who = caller(request)
    # As /organisations/new/: the page does not exist for anyone but a coordinator.
    if not standing_in(person=who.person, timebank=who.timebank).is_coordinator:
        raise NotFound(_("No such page."))
    made = organisation_services.organisation_create(
        timebank=who.timebank,
        acting=who.person,
        name=payload.name,
        kind=str(payload.kind),
        description=payload.description,
    )
    return Status(201, _detail(made, may_manage=True))


@write_operation(
    router,
    "/organisations/{public_id}",
    method="PATCH",
    idempotent=False,
    response=responses({200: OrganisationDetailOut}, 404),
    summary="Change its description (its admins and the coordinators)",
)
def organisation_update(
    request: HttpRequest, public_id: UUID, payload: DescriptionIn
) -> OrganisationDetailOut:
    who = caller(request)
    found = selectors.organisation_edit_get_for(who.person, who.timebank, public_id)
    changed = organisation_services.organisation_update(
        organisation=found, acting=who.person, description=payload.description
    )
    return _detail(changed, may_manage=True)


def _managed(request: HttpRequest, public_id: UUID) -> tuple[Organisation, bool]:
    who = caller(request)
    return selectors.organisation_staff_manage_get_for(who.person, who.timebank, public_id)


@router.get(
    "/organisations/{public_id}/staff",
    response=responses({200: StaffPage}, 400, 404, 422),
    summary="Its staff, admins first (its admins and coordinators)",
)
def staff(request: HttpRequest, public_id: UUID, page: Query[CursorParams]) -> StaffPage:
    found, _coordinates = _managed(request, public_id)
    everyone = sorted(
        selectors.organisation_staff(found), key=lambda s: (s.role, s.person.username, s.pk)
    )
    rows, next_cursor = page_of_rows(everyone, STAFF_ORDER, page)
    return StaffPage(
        items=[_staff_out(row) for row in rows], limit=page.limit, next_cursor=next_cursor
    )


@write_operation(
    router,
    "/organisations/{public_id}/staff",
    response=responses({200: StaffOut}, 404),
    summary="Put a member of the time bank on its staff, or change their role there "
    "(a coordinator)",
)
def staff_add(request: HttpRequest, public_id: UUID, payload: StaffAddIn) -> StaffOut:
    who = caller(request)
    # As its staff page: for the time bank's coordinators only (its admins invite instead).
    found = selectors.organisation_manage_get_for(who.person, who.timebank, public_id)
    person = member_by_reference(timebank=who.timebank, reference=payload.member)
    added = organisation_services.organisation_staff_add(
        organisation=found,
        acting=who.person,
        person=person,
        role=str(payload.role),
        may_refer=payload.may_refer,
    )
    return _staff_out(added)


@router.get(
    "/organisations/{public_id}/invitations",
    response=responses({200: InvitationPage}, 400, 404, 422),
    summary="Invitations to its staff not yet taken up, withdrawn or out of date, newest first",
)
def staff_invitations(
    request: HttpRequest, public_id: UUID, page: Query[CursorParams]
) -> InvitationPage:
    who = caller(request)
    found, _coordinates = _managed(request, public_id)
    pending = invitations_pending(timebank=who.timebank, acting=who.person, organisation=found)
    rows, next_cursor = page_of(pending, newest_first(), page)
    return InvitationPage(
        items=[invitation_out(row) for row in rows], limit=page.limit, next_cursor=next_cursor
    )


@write_operation(
    router,
    "/organisations/{public_id}/invitations",
    idempotent=False,  # the answer holds the link, which is never stored
    response=responses({201: InvitationMadeOut}, 404, 409),
    summary="Invite someone onto its staff (the link is in this answer once; an admin only by "
    "a coordinator)",
)
def staff_invite(
    request: HttpRequest, public_id: UUID, payload: StaffInviteIn
) -> Status[InvitationMadeOut]:
    who = caller(request)
    found, _coordinates = _managed(request, public_id)
    made = invitation_create(
        timebank=who.timebank,
        kind=str(InvitationKind(payload.role)),
        acting=who.person,
        email=payload.email,
        name=payload.name,
        organisation=found,
        may_refer=payload.may_refer,
    )
    return Status(201, invitation_made(*made))


@write_operation(
    router,
    "/organisations/{public_id}/staff/{person_id}",
    method="DELETE",
    idempotent=False,
    response=responses({204: None}, 404, 409),
    summary="Take someone off its staff (they stay a member of the time bank)",
)
def staff_remove(request: HttpRequest, public_id: UUID, person_id: UUID) -> Status[None]:
    who = caller(request)
    found, _coordinates = _managed(request, public_id)
    member = selectors.organisation_staff_member(found, person_id)
    organisation_services.organisation_staff_remove(
        organisation=found, acting=who.person, person=member.person
    )
    return Status(204, None)


@write_operation(
    router,
    "/organisations/{public_id}/staff/{person_id}/may-refer",
    method="PUT",
    idempotent=False,
    response=responses({200: StaffOut}, 404, 409),
    summary="Say whether one of its staff may refer people (and so see its referrals)",
)
def staff_may_refer(
    request: HttpRequest, public_id: UUID, person_id: UUID, payload: MayReferIn
) -> StaffOut:
    who = caller(request)
    found, _coordinates = _managed(request, public_id)
    member = selectors.organisation_staff_member(found, person_id)
    return _staff_out(
        organisation_services.organisation_staff_may_refer_set(
            organisation=found, acting=who.person, person=member.person, may_refer=payload.may_refer
        )
    )


def _staff_invitation(request: HttpRequest, public_id: UUID, invitation_id: UUID) -> Invitation:
    """One of the organisation's invitations, for whoever may send it again or withdraw it."""
    who = caller(request)
    found, _coordinates = _managed(request, public_id)
    invitation = invitation_get_for(public_id=invitation_id, acting=who.person)
    if invitation.organisation_id != found.pk:
        raise NotFound(_("There is no such invitation."))
    return invitation


@write_operation(
    router,
    "/organisations/{public_id}/invitations/{invitation_id}/resend",
    idempotent=False,  # the answer holds the link, which is never stored
    response=responses({200: InvitationMadeOut}, 404, 409),
    summary="Send one of its invitations again: a new link (in this answer once); the old one "
    "stops",
)
def staff_invitation_resend(
    request: HttpRequest, public_id: UUID, invitation_id: UUID
) -> InvitationMadeOut:
    invitation = _staff_invitation(request, public_id, invitation_id)
    return invitation_made(*invitation_resend(invitation=invitation, acting=caller(request).person))


@write_operation(
    router,
    "/organisations/{public_id}/invitations/{invitation_id}/revoke",
    response=responses({200: InvitationOut}, 404, 409),
    summary="Withdraw one of its invitations: its link no longer works",
)
def staff_invitation_revoke(
    request: HttpRequest, public_id: UUID, invitation_id: UUID
) -> InvitationOut:
    invitation = _staff_invitation(request, public_id, invitation_id)
    return invitation_out(invitation_revoke(invitation=invitation, acting=caller(request).person))
