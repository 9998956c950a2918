"""Referrals: a partner organisation's professional refers someone (with their recorded consent)
and follows what happens; the time bank's coordinators see every referral and record each step.

Who sees which referral is `partners.selectors.referrals_for` / `referral_get_for`: all of the
time bank's for a coordinator, their own organisations' for staff who may refer, a 404 for
anyone else. Steps are coordinators' (a 404 for anyone else, as on the web). The person's
contact details are not in the API: on the web each read of them is recorded. The support notes
are read one referral at a time, each read recorded (`api/referral_steps.py`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Schema, Status

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.pagination import CursorPage, CursorParams, Key, page_of
from coproduce.api.schemas import MultiLine, SingleLine, responses
from coproduce.core.errors import NotFound
from coproduce.partners import selectors
from coproduce.partners.models import ConsentHow, ContactPreference, Goal, Referral, ReferralStatus
from coproduce.partners.services import referrals as services

router = Router(tags=["referrals"])

Day = Annotated[date, F(ge=date(1900, 1, 1), le=date(9998, 12, 31))]
NEWEST_RECEIVED = (Key("received_at", "datetime"), Key("pk", "int"))


class ReferralOut(Schema):
    public_id: UUID
    first_name: str
    organisation: UUID
    organisation_name: str
    referred_by: str
    status: ReferralStatus
    area: str
    goals: list[str]
    received_at: datetime
    contacted_on: date | None
    inducted_on: date | None
    active_on: date | None
    ended_on: date | None
    end_reason: str
    member: UUID | None = F(description="The member they became, once inducted.")


class ReferralDetailOut(ReferralOut):
    last_name: str
    what_matters: str
    other_goal: str
    next_steps: list[str] = F(description="The steps a coordinator may record next.")


class ReferralPage(CursorPage):
    items: list[ReferralOut]


class ReferralFilters(CursorParams):
    status: ReferralStatus | None = None


class ReferralIn(Schema):
    organisation: UUID = F(description="The organisation you refer for.")
    first_name: SingleLine = F(min_length=1, max_length=150)
    last_name: SingleLine = F("", max_length=150)
    email: SingleLine = F("", max_length=254)
    phone: SingleLine = F("", max_length=40)
    contact_preference: ContactPreference = ContactPreference.PHONE
    area: SingleLine = F("", max_length=80)
    what_matters: MultiLine = F("", max_length=2000)
    goals: list[Goal] = F(default_factory=list, max_length=len(Goal.values))
    other_goal: SingleLine = F("", max_length=200)
    support_notes: MultiLine = F("", max_length=2000)
    consent: bool = F(description="The person has agreed to be referred.")
    consent_given_by: SingleLine = F(max_length=150)
    consent_given_on: Day
    consent_how: ConsentHow


class MoveIn(Schema):
    to_status: ReferralStatus
    on: Day
    reason: MultiLine = F("", max_length=1000)


class ReferralInductIn(Schema):
    inducted_on: Day
    notes: MultiLine = F("", max_length=2000)


def _out_fields(referral: Referral) -> dict:
    return {
        "public_id": referral.public_id,
        "first_name": referral.first_name,
        "organisation": referral.organisation.public_id,
        "organisation_name": referral.organisation.name,
        "referred_by": referral.referred_by.display_name,
        "status": referral.status,
        "area": referral.area,
        "goals": list(referral.goals or []),
        "received_at": referral.received_at,
        "contacted_on": referral.contacted_on,
        "inducted_on": referral.inducted_on,
        "active_on": referral.active_on,
        "ended_on": referral.ended_on,
        "end_reason": referral.end_reason,
        "member": referral.person.public_id if referral.person_id else None,  # type: ignore[union-attr]
    }


def _detail(referral: Referral) -> ReferralDetailOut:
    return ReferralDetailOut(
        **_out_fields(referral),
        last_name=referral.last_name,
        what_matters=referral.what_matters,
        other_goal=referral.other_goal,
        next_steps=services.next_steps(referral),
    )


def _for_coordinator(request: HttpRequest, public_id: UUID) -> Referral:
    who = caller(request)
    referral, standing = selectors.referral_get_for(who.person, who.timebank, public_id)
    if not standing.is_coordinator:
        raise NotFound(_("No such page."))
    return referral


@router.get(
    "/referrals",
    response=responses({200: ReferralPage}, 400, 404, 422),
    summary="The referrals I may see, newest first",
)
def referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> ReferralPage:
    who = caller(request)
    found = selectors.referrals_for(
        person=who.person, timebank=who.timebank, status=filters.status or ""
    ).select_related("person")
    rows, next_cursor = page_of(found, NEWEST_RECEIVED, filters)
    return ReferralPage(
        items=[ReferralOut(**_out_fields(r)) for r in rows],
        limit=filters.limit,
        next_cursor=next_cursor,
    )


@router.get(
    "/referrals/{public_id}",
    response=responses({200: ReferralDetailOut}, 404, 422),
    summary="One referral and where it has got to",
)
def referral(request: HttpRequest, public_id: UUID) -> ReferralDetailOut:
    who = caller(request)
    found, _standing = selectors.referral_get_for(who.person, who.timebank, public_id)
    return _detail(found)


@write_operation(
    router,
    "/referrals",
    response=responses({201: ReferralDetailOut}, 404),
    summary="Refer someone, with their recorded consent (staff who may refer)",
)
def referral_create(request: HttpRequest, payload: ReferralIn) -> Status[ReferralDetailOut]:
    who = caller(request)
    organisation = (
        selectors.organisations_for(person=who.person, timebank=who.timebank)
        .filter(public_id=payload.organisation)
        .first()
    )
    if organisation is None:
        raise NotFound(_("No such organisation."))
    fields = payload.model_dump(exclude={"organisation"})
    fields["goals"] = [str(goal) for goal in payload.goals]
    created = services.referral_create(
        timebank=who.timebank, acting=who.person, organisation=organisation, **fields
    )
    found, _standing = selectors.referral_get_for(who.person, who.timebank, created.public_id)
    return Status(201, _detail(found))


@write_operation(
    router,
    "/referrals/{public_id}/move",
    response=responses({200: ReferralDetailOut}, 404, 409),
    summary="Record the next step: contacted, active, closed, declined or unreachable "
    "(coordinators)",
)
def referral_move(request: HttpRequest, public_id: UUID, payload: MoveIn) -> ReferralDetailOut:
    who = caller(request)
    moved = services.referral_move(
        referral=_for_coordinator(request, public_id),
        acting=who.person,
        to_status=payload.to_status,
        on=payload.on,
        reason=payload.reason,
    )
    return _detail(moved)


@write_operation(
    router,
    "/referrals/{public_id}/induct",
    response=responses({200: ReferralDetailOut}, 404, 409),
    summary="Record the induction: they become an active member (coordinators)",
)
def referral_induct(
    request: HttpRequest, public_id: UUID, payload: ReferralInductIn
) -> ReferralDetailOut:
    who = caller(request)
    inducted = services.referral_induct(
        referral=_for_coordinator(request, public_id),
        acting=who.person,
        inducted_on=payload.inducted_on,
        notes=payload.notes,
    )
    found, _standing = selectors.referral_get_for(who.person, who.timebank, inducted.public_id)
    return _detail(found)
