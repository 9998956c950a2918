"""Partner organisations, as on /organisations/: the list and one organisation (for every
member, with the hours given to it and received from it), and for its admins and the time
bank's coordinators its staff: list, invite (the link is in the answer once), take someone off
the staff, and say whether one of them may refer people. Who may manage is the page's lookup
(`partners.selectors.organisation_staff_manage_get_for`): anyone else is told there is no such
thing (404). Only a coordinator invites an organisation's admin (`_may_invite`, as on the page).
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field as F
from ninja import Query, Router, Schema, Status

from coproduce.api.auth import caller
from coproduce.api.coordinator_settings import InvitationMadeOut, invitation_made
from coproduce.api.idempotency import write_operation
from coproduce.api.pagination import CursorPage, CursorParams, Key, page_of, page_of_rows
from coproduce.api.schemas import Hours, PersonOut, SingleLine, hours, responses
from coproduce.community.invitations import invitation_create
from coproduce.community.models import InvitationKind, Organisation, OrganisationStaff, StaffRole
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


@router.get(
    "/organisations/{public_id}",
    response=responses({200: OrganisationDetailOut}, 404, 422),
    summary="A partner organisation",
)
def organisation(request: HttpRequest, public_id: UUID) -> OrganisationDetailOut:
    who = caller(request)
    found, standing = selectors.organisation_get_for(who.person, who.timebank, public_id)
    totals = selectors.organisation_hours(found)
    return OrganisationDetailOut(
        **_fields(found),
        hours_given=hours(totals["given_to_it"]),
        hours_received=hours(totals["received_from_it"]),
        may_manage=standing.is_coordinator or standing.is_admin_of(found.pk),
    )


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
    "/organisations/{public_id}/invitations",
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
