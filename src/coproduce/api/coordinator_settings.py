"""A coordinator's running of the time bank, as on /coordinator/settings/, /coordinator/
invitations/ and /conversations/reports/: the time bank's settings (read, and change through
`community.settings.timebank_settings_update`, which checks every value and records what
changed) and its logo (a picture sent as multipart, checked and redrawn by the same service, or
taken away), invitations (the live ones; make, send again, withdraw: a new link is in the answer
once and never again, as on the page that shows it), and the reported messages (each read
recorded, as opening the page is).

For an active coordinator of the token's time bank only (`coordinator_membership_for`): anyone
else is told there is no such thing (404).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.pagination import CursorPage, CursorParams, newest_first, page_of, page_of_rows
from coproduce.api.schemas import MultiLine, PersonOut, SingleLine, person_out, responses
from coproduce.community import invitations as invitation_services
from coproduce.community.models import CheckKind, Invitation, InvitationKind, Organisation, TimeBank
from coproduce.community.selectors import coordinator_membership_for
from coproduce.community.settings import timebank_settings_update
from coproduce.conversations.models import MessageReport
from coproduce.conversations.selectors import reports_for
from coproduce.conversations.services import reports_viewed
from coproduce.core.categories import Category
from coproduce.core.errors import NotFound

router = Router(tags=["coordinators"])


# --- settings -----------------------------------------------------------------------------------


class OwnCategoryOut(Schema):
    value: str
    name: str
    active: bool


class SettingsOut(Schema):
    name: str
    description: str
    welcome_text: str
    contact_email: str
    contact_phone: str
    contact_details: str
    areas: list[str]
    categories_off: list[str] = F(description="The usual kinds of help not offered here.")
    own_categories: list[OwnCategoryOut] = F(description="Kinds of help this time bank added.")
    default_min_balance: int = F(description="Minutes (zero or below).")
    default_max_balance: int | None = F(description="Minutes; null for no highest balance.")
    max_exchange_minutes: int
    induction_required: bool
    references_needed: int
    hourly_value_pence: int
    currency: str
    language: str
    time_zone: str
    require_two_factor: bool
    logo_url: str | None = F(
        description="Where to fetch its logo (a square PNG): a path on this site, under /media/; "
        "null without one."
    )


class SettingsIn(Schema):
    """Every field is optional: what is left out stays as it is. Each value is checked as on
    the page (a wrong one is a 400 naming it, and nothing changes)."""

    name: SingleLine | None = F(None, max_length=120)
    description: MultiLine | None = F(None, max_length=2000)
    welcome_text: MultiLine | None = F(None, max_length=2000)
    contact_email: SingleLine | None = F(None, max_length=254)
    contact_phone: SingleLine | None = F(None, max_length=40)
    contact_details: MultiLine | None = F(None, max_length=1000)
    areas: list[SingleLine] | None = F(None, max_length=200)
    categories_off: list[Category] | None = None
    own_categories_on: list[SingleLine] | None = F(
        None, max_length=200, description="Which of this time bank's own kinds are offered."
    )
    category_new: SingleLine | None = F(None, max_length=60, description="Add a kind of help.")
    category_new_check: CheckKind | None = F(None, description="The check it needs, if any.")
    default_min_balance: int | None = F(None, ge=-100_000, le=0)
    default_max_balance: int | None = F(None, ge=0, le=100_000)
    max_exchange_minutes: int | None = F(None, ge=1, le=100_000)
    induction_required: bool | None = None
    references_needed: int | None = F(None, ge=0, le=5)
    hourly_value_pence: int | None = F(None, ge=0, le=100_000)
    currency: SingleLine | None = F(None, max_length=8)
    language: SingleLine | None = F(None, max_length=16)
    time_zone: SingleLine | None = F(None, max_length=64)
    require_two_factor: bool | None = None


def _settings_out(timebank: TimeBank) -> SettingsOut:
    return SettingsOut(
        **{
            name: getattr(timebank, name)
            for name in (
                "name",
                "description",
                "welcome_text",
                "contact_email",
                "contact_phone",
                "contact_details",
                "default_min_balance",
                "default_max_balance",
                "max_exchange_minutes",
                "induction_required",
                "references_needed",
                "hourly_value_pence",
                "currency",
                "language",
                "time_zone",
                "require_two_factor",
            )
        },
        areas=list(timebank.areas or []),
        categories_off=list(timebank.categories_off or []),
        own_categories=[
            OwnCategoryOut(value=c.value, name=c.name, active=c.active)
            for c in timebank.own_categories.order_by("name", "pk")
        ],
        logo_url=timebank.logo.url if timebank.logo else None,
    )


def _coordinated(request: HttpRequest) -> Any:
    who = caller(request)
    coordinator_membership_for(who.person, who.timebank)
    return who


@router.get(
    "/coordinator/settings",
    response=responses({200: SettingsOut}, 404),
    summary="The time bank's settings",
)
def settings_read(request: HttpRequest) -> SettingsOut:
    who = _coordinated(request)
    return _settings_out(who.timebank)


@write_operation(
    router,
    "/coordinator/settings",
    method="PATCH",
    idempotent=False,
    response=responses({200: SettingsOut}, 404),
    summary="Change the time bank's settings: only the fields sent change",
)
def settings_update(request: HttpRequest, payload: SettingsIn) -> SettingsOut:
    who = _coordinated(request)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "default_max_balance" in payload.model_fields_set and payload.default_max_balance is None:
        changes["default_max_balance"] = None
    if "categories_off" in changes:
        changes["categories_off"] = [str(c) for c in changes["categories_off"]]
    if "category_new_check" in changes:
        changes["category_new_check"] = str(changes["category_new_check"])
    timebank = who.timebank
    if changes:
        timebank = timebank_settings_update(timebank=timebank, acting=who.person, **changes)
    return _settings_out(timebank)


@write_operation(
    router,
    "/coordinator/settings/logo",
    idempotent=False,
    response=responses({200: SettingsOut}, 404),
    summary="Give the time bank a logo or replace it (multipart: `logo`, a PNG, JPEG, GIF or "
    "WebP of at most 2 MB; it is shown square)",
)
def logo_set(request: HttpRequest, logo: File[UploadedFile]) -> SettingsOut:
    who = _coordinated(request)
    return _settings_out(
        timebank_settings_update(timebank=who.timebank, acting=who.person, logo=logo)
    )


@write_operation(
    router,
    "/coordinator/settings/logo",
    method="DELETE",
    idempotent=False,
    response=responses({200: SettingsOut}, 404),
    summary="Take the time bank's logo away",
)
def logo_remove(request: HttpRequest) -> SettingsOut:
    who = _coordinated(request)
    return _settings_out(
        timebank_settings_update(timebank=who.timebank, acting=who.person, logo_remove=True)
    )


# --- invitations --------------------------------------------------------------------------------


class OrganisationRef(Schema):
    public_id: UUID
    name: str


class InvitationOut(Schema):
    public_id: UUID
    kind: InvitationKind
    email: str
    name: str
    organisation: OrganisationRef | None
    may_refer: bool
    invited_by: PersonOut | None
    created_at: datetime
    expires_at: datetime


class InvitationMadeOut(InvitationOut):
    url: str = F(description="The invitation's link: shown this once, never stored.")


class InvitationPage(CursorPage):
    items: list[InvitationOut]


class InvitationIn(Schema):
    kind: InvitationKind
    email: SingleLine = F("", max_length=254, description="Sent the link if given.")
    name: SingleLine = F("", max_length=150)
    organisation: UUID | None = F(None, description="For an organisation's admin or staff.")
    may_refer: bool = False


def invitation_out(invitation: Invitation) -> InvitationOut:
    by = invitation.invited_by
    organisation = invitation.organisation
    return InvitationOut(
        public_id=invitation.public_id,
        kind=InvitationKind(invitation.kind),
        email=invitation.email,
        name=invitation.name,
        organisation=(
            OrganisationRef(public_id=organisation.public_id, name=organisation.name)
            if organisation is not None
            else None
        ),
        may_refer=invitation.may_refer,
        invited_by=(
            PersonOut(public_id=by.public_id, username=by.username, display_name=by.display_name)
            if by is not None
            else None
        ),
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


def invitation_made(invitation: Invitation, token: str) -> InvitationMadeOut:
    return InvitationMadeOut(
        **invitation_out(invitation).model_dump(), url=invitation_services.invitation_url(token)
    )


@router.get(
    "/coordinator/invitations",
    response=responses({200: InvitationPage}, 400, 404, 422),
    summary="Invitations not yet taken up, withdrawn or out of date, newest first",
)
def invitations(request: HttpRequest, page: Query[CursorParams]) -> InvitationPage:
    who = _coordinated(request)
    pending = invitation_services.invitations_pending(timebank=who.timebank, acting=who.person)
    rows, next_cursor = page_of(pending, newest_first(), page)
    return InvitationPage(
        items=[invitation_out(row) for row in rows], limit=page.limit, next_cursor=next_cursor
    )


@write_operation(
    router,
    "/coordinator/invitations",
    idempotent=False,  # the answer holds the link, which is never stored
    response=responses({201: InvitationMadeOut}, 404),
    summary="Invite someone (the link is in this answer once, and emailed if an email is given)",
)
def invitation_create(request: HttpRequest, payload: InvitationIn) -> Status[InvitationMadeOut]:
    who = _coordinated(request)
    organisation = None
    if payload.organisation is not None:
        organisation = Organisation.objects.filter(
            timebank=who.timebank, public_id=payload.organisation
        ).first()
        if organisation is None:
            raise NotFound(_("There is no such organisation here."))
    made = invitation_services.invitation_create(
        timebank=who.timebank,
        kind=str(payload.kind),
        acting=who.person,
        email=payload.email,
        name=payload.name,
        organisation=organisation,
        may_refer=payload.may_refer,
    )
    return Status(201, invitation_made(*made))


def _invitation(request: HttpRequest, public_id: UUID) -> tuple[Any, Invitation]:
    who = _coordinated(request)
    invitation = invitation_services.invitation_get_for(public_id=public_id, acting=who.person)
    if invitation.timebank_id != who.timebank.pk:
        raise NotFound(_("There is no such invitation."))
    return who, invitation


@write_operation(
    router,
    "/coordinator/invitations/{public_id}/resend",
    idempotent=False,  # the answer holds the link, which is never stored
    response=responses({200: InvitationMadeOut}, 404, 409),
    summary="Send an invitation again: a new link (in this answer once); the old one stops",
)
def invitation_resend(request: HttpRequest, public_id: UUID) -> InvitationMadeOut:
    who, invitation = _invitation(request, public_id)
    return invitation_made(
        *invitation_services.invitation_resend(invitation=invitation, acting=who.person)
    )


@write_operation(
    router,
    "/coordinator/invitations/{public_id}/revoke",
    response=responses({200: InvitationOut}, 404, 409),
    summary="Withdraw an invitation: its link no longer works",
)
def invitation_revoke(request: HttpRequest, public_id: UUID) -> InvitationOut:
    who, invitation = _invitation(request, public_id)
    return invitation_out(
        invitation_services.invitation_revoke(invitation=invitation, acting=who.person)
    )


# --- reported messages --------------------------------------------------------------------------


class ReportedMessageOut(Schema):
    public_id: UUID
    message: UUID
    author: PersonOut
    body: str = F(description="Blank if its writer has been erased.")
    written_at: datetime
    reported_by: PersonOut
    reason: str
    created_at: datetime


class ReportedMessagePage(CursorPage):
    items: list[ReportedMessageOut]


def _report_out(report: MessageReport) -> ReportedMessageOut:
    return ReportedMessageOut(
        public_id=report.public_id,
        message=report.message.public_id,
        author=person_out(report.message.author),
        body=report.message.body,
        written_at=report.message.created_at,
        reported_by=person_out(report.reported_by),
        reason=report.reason,
        created_at=report.created_at,
    )


@router.get(
    "/coordinator/reported-messages",
    response=responses({200: ReportedMessagePage}, 400, 404, 422),
    summary="Messages members reported, newest first (each read is recorded)",
)
def reported_messages(request: HttpRequest, page: Query[CursorParams]) -> ReportedMessagePage:
    who = _coordinated(request)
    rows, next_cursor = page_of_rows(reports_for(timebank=who.timebank), newest_first(), page)
    reports_viewed(timebank=who.timebank, acting=who.person, count=len(rows))
    return ReportedMessagePage(
        items=[_report_out(row) for row in rows], limit=page.limit, next_cursor=next_cursor
    )
