"""A coordinator's work: the dashboard's figures, applications to welcome or decline, the
members list, hours granted from the community chest, and the insights report as JSON.

Every operation here is for an active coordinator of the token's time bank, checked by the
same lookups as the pages (`coordinator_membership_for`, `member_get_for`, `dashboard_for`,
`insights_timebank_for`): anyone else is told there is no such thing (404), as on the web.
Contact details are not listed (on the web each read of them is recorded).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Schema, Status

from coproduce.api.auth import caller
from coproduce.api.idempotency import ledger_key, write_operation
from coproduce.api.pagination import CursorPage, CursorParams, Key, page_of
from coproduce.api.referrals import Day
from coproduce.api.schemas import (
    GiftOut,
    Hours,
    Minutes,
    MultiLine,
    PersonOut,
    SingleLine,
    hours,
    party,
    responses,
)
from coproduce.api.selectors import member_by_reference
from coproduce.community import selectors as community
from coproduce.community import services as community_services
from coproduce.community.models import Membership, MembershipStatus, Role
from coproduce.community.permissions import coordinators_of
from coproduce.coordination.selectors import dashboard_for
from coproduce.core.errors import ApplicationError
from coproduce.insights.forms import ReportForm
from coproduce.insights.report import report_build
from coproduce.insights.selectors import insights_timebank_for
from coproduce.insights.services import report_export_record
from coproduce.insights.tables import report_dict
from coproduce.members.selectors import members_with_balances
from coproduce.members.services import grant_from_chest

router = Router(tags=["coordinators"])

OLDEST_APPLIED = (
    Key("applied_at", "datetime", descending=False),
    Key("pk", "int", descending=False),
)
BY_USERNAME = (
    Key("person__username", "str", descending=False),
    Key("pk", "int", descending=False),
)


class SectionOut(Schema):
    key: str
    title: str
    explanation: str
    total: int


class DashboardOut(Schema):
    sections: list[SectionOut] = F(description="What needs attention, with how many of each.")


class MemberOut(Schema):
    person: PersonOut
    role: str
    status: str
    area: str
    applied_at: datetime
    activated_at: datetime | None
    balance: Hours | None = F(description="Null when they have no account yet.")
    safeguarding_paused: bool


class MemberPage(CursorPage):
    items: list[MemberOut]


class MemberFilters(CursorParams):
    status: MembershipStatus | None = None
    role: Role | None = None
    area: SingleLine = F("", max_length=80)
    q: SingleLine = F("", max_length=100, description="Words in their name or username.")


class ApplicationInductIn(Schema):
    inducted_on: Day
    inducted_by: UUID | None = F(None, description="The coordinator who met them; you if left out.")
    notes: MultiLine = F("", max_length=2000)


class DeclineIn(Schema):
    reason: MultiLine = F(min_length=1, max_length=1000, description="The applicant is told.")


class GrantIn(Schema):
    member: SingleLine = F(description="Their username or public id.")
    minutes: Minutes = F(description="How much to grant, in minutes.")
    reason: SingleLine = F(min_length=1, max_length=200)


class ReportQuery(Schema):
    date_from: date | None = F(None, description="The first day (default: as on the page).")
    date_to: date | None = F(None, description="The last day, included.")
    isolation_days: int | None = F(None, ge=7, le=730)
    hourly_value: Decimal | None = F(None, ge=0, le=1000, decimal_places=2, max_digits=7)


def _person(membership: Membership) -> PersonOut:
    person = membership.person
    return PersonOut(
        public_id=person.public_id, username=person.username, display_name=person.display_name
    )


def member_out(membership: Membership) -> MemberOut:
    balance = getattr(membership, "balance", None)
    return MemberOut(
        person=_person(membership),
        role=membership.role,
        status=membership.status,
        area=membership.area,
        applied_at=membership.applied_at,
        activated_at=membership.activated_at,
        balance=hours(balance) if balance is not None else None,
        safeguarding_paused=bool(getattr(membership, "safeguarding_paused", False)),
    )


@router.get(
    "/coordinator/dashboard",
    response=responses({200: DashboardOut}, 404),
    summary="What needs a coordinator's attention, with how many of each",
)
def dashboard(request: HttpRequest) -> DashboardOut:
    who = caller(request)
    sections = dashboard_for(who.person, who.timebank, limit=1)
    return DashboardOut(
        sections=[
            SectionOut(key=s.key, title=str(s.title), explanation=str(s.explanation), total=s.total)
            for s in sections
        ]
    )


@router.get(
    "/coordinator/applications",
    response=responses({200: MemberPage}, 400, 404, 422),
    summary="Applications waiting, the longest waiting first",
)
def applications(request: HttpRequest, page: Query[CursorParams]) -> MemberPage:
    who = caller(request)
    community.coordinator_membership_for(who.person, who.timebank)
    rows, next_cursor = page_of(community.applications_waiting(who.timebank), OLDEST_APPLIED, page)
    return MemberPage(
        items=[member_out(m) for m in rows], limit=page.limit, next_cursor=next_cursor
    )


@router.get(
    "/coordinator/members",
    response=responses({200: MemberPage}, 400, 404, 422),
    summary="The time bank's members with their balances, by username",
)
def members(request: HttpRequest, filters: Query[MemberFilters]) -> MemberPage:
    who = caller(request)
    community.coordinator_membership_for(who.person, who.timebank)
    found = members_with_balances(
        who.timebank,
        status=filters.status or "",
        role=filters.role or "",
        area=filters.area,
        search=filters.q,
    )
    rows, next_cursor = page_of(found, BY_USERNAME, filters)
    return MemberPage(
        items=[member_out(m) for m in rows], limit=filters.limit, next_cursor=next_cursor
    )


def _applicant(request: HttpRequest, public_id: UUID) -> Membership:
    who = caller(request)
    return community.member_get_for(who.person, who.timebank, public_id)


@write_operation(
    router,
    "/coordinator/applications/{public_id}/induct",
    response=responses({200: MemberOut}, 404, 409),
    summary="Welcome an applicant after meeting them: they become an active member",
)
def induct(request: HttpRequest, public_id: UUID, payload: ApplicationInductIn) -> MemberOut:
    who = caller(request)
    membership = _applicant(request, public_id)
    inducted_by = who.person
    if payload.inducted_by is not None:
        found = coordinators_of(who.timebank).filter(public_id=payload.inducted_by).first()
        if found is None:
            raise ApplicationError(
                _("Choose one of the time bank's coordinators as who met them."), "bad_inducted_by"
            )
        inducted_by = found
    done = community_services.membership_induct(
        membership=membership,
        acting=who.person,
        inducted_on=payload.inducted_on,
        inducted_by=inducted_by,
        notes=payload.notes,
    )
    return member_out(done)


@write_operation(
    router,
    "/coordinator/applications/{public_id}/decline",
    response=responses({200: MemberOut}, 404, 409),
    summary="Decline an application, with a reason the applicant is told",
)
def decline(request: HttpRequest, public_id: UUID, payload: DeclineIn) -> MemberOut:
    who = caller(request)
    done = community_services.membership_decline(
        membership=_applicant(request, public_id), acting=who.person, reason=payload.reason
    )
    return member_out(done)


@write_operation(
    router,
    "/coordinator/grants",
    key_required=True,
    response=responses({201: GiftOut}, 404),
    summary="Grant hours from the community chest to a member",
)
def grant(request: HttpRequest, payload: GrantIn) -> Status[GiftOut]:
    who = caller(request)
    community.coordinator_membership_for(who.person, who.timebank)
    to_person = member_by_reference(timebank=who.timebank, reference=payload.member)
    transfer = grant_from_chest(
        timebank=who.timebank,
        coordinator=who.person,
        to_person=to_person,
        minutes=payload.minutes,
        reason=payload.reason,
        idempotency_key=ledger_key(request),
    )
    return Status(
        201,
        GiftOut(
            transfer=transfer.public_id,
            to=party(to_person),
            amount=hours(payload.minutes),
            memo=transfer.memo,
            created_at=transfer.created_at,
        ),
    )


@router.get(
    "/reports/{audience}",
    response=responses({200: dict[str, Any]}, 400, 404, 422),
    summary="The insights report as on its page: `coordinator` (with names; each read is "
    "recorded) or `funder` (no names)",
)
def report(
    request: HttpRequest, audience: Literal["coordinator", "funder"], query: Query[ReportQuery]
) -> dict[str, Any]:
    who = caller(request)
    insights_timebank_for(who.person, who.timebank.slug)
    form = ReportForm(timebanks=[who.timebank], current=who.timebank)
    data = {name: form[name].value() for name in form.fields}
    data["timebank"] = who.timebank.slug
    data.update({k: v for k, v in query.model_dump().items() if v is not None})
    form = ReportForm(data, timebanks=[who.timebank], current=who.timebank)
    if not form.is_valid():
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        raise ApplicationError(
            _("That report cannot be made: %(errors)s") % {"errors": errors}, "bad_report"
        )
    built = report_build(
        timebank=form.chosen_timebank,
        period=form.cleaned_data["period"],
        isolation_days=form.cleaned_data["isolation_days"],
        hourly_value_pence=form.hourly_value_pence,
        named=audience == "coordinator",
    )
    report_export_record(report=built, audience=audience, what="api", actor=who.person)
    return report_dict(built, audience)
