"""Exchanges: mine, one of them, proposing one, and each step of its life
(agree → done → confirm, or cancel / dispute). Credits move only at confirm."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Status

from coproduce.api.auth import Caller, caller
from coproduce.api.idempotency import write_operation
from coproduce.api.pagination import CursorParams, after, decode, encode, newest_first
from coproduce.api.schemas import (
    CancelIn,
    DisputeIn,
    DoneIn,
    ExchangeDetailOut,
    ExchangePage,
    ProposeIn,
    exchange_detail_out,
    exchange_out,
    responses,
)
from coproduce.api.selectors import member_by_reference
from coproduce.community.models import Organisation, Person
from coproduce.core.errors import ApplicationError
from coproduce.exchanges.models import Exchange, Offer, PaidBy, Request
from coproduce.exchanges.selectors.exchanges import (
    exchange_get_for,
    exchanges_for_person,
    organisations_for_paying,
)
from coproduce.exchanges.selectors.listings import offer_get_for_exchange, request_get_for_exchange
from coproduce.exchanges.services import disputes
from coproduce.exchanges.services import exchanges as services

router = Router(tags=["exchanges"])

# Besides what write_operation documents for every POST: a listing, exchange or person not
# found, and a step the exchange has moved past.
Detail = responses({200: ExchangeDetailOut}, 404, 409)


class ExchangeFilters(CursorParams):
    bucket: Literal["waiting", "active", "finished"] | None = F(
        None,
        description="waiting: for you to agree or confirm; active: still open; finished: "
        "confirmed or cancelled.",
    )


def _mine(who: Caller, public_id: UUID) -> Exchange:
    return exchange_get_for(person=who.person, timebank=who.timebank, public_id=public_id)


def _paying_organisation(who: Caller, payload: ProposeIn) -> Organisation | None:
    """The organisation named to pay, among those the caller may pay with (else none, and the
    service says to choose one)."""
    if payload.paid_by != PaidBy.ORGANISATION or not payload.paying_organisation:
        return None
    return (
        organisations_for_paying(person=who.person, timebank=who.timebank)
        .filter(public_id=payload.paying_organisation)
        .first()
    )


@router.get(
    "/exchanges",
    response=responses({200: ExchangePage}, 400, 422),
    summary="My exchanges, newest first",
)
def exchanges(request: HttpRequest, filters: Query[ExchangeFilters]) -> ExchangePage:
    who = caller(request)
    order = newest_first()
    found = exchanges_for_person(
        timebank=who.timebank,
        person=who.person,
        bucket=filters.bucket,
        limit=filters.limit + 1,
        where=after(order, decode(order, filters.cursor)) if filters.cursor else None,
    )
    rows = found[: filters.limit]
    return ExchangePage(
        items=[exchange_out(e) for e in rows],
        limit=filters.limit,
        next_cursor=encode(order, rows[-1]) if len(found) > filters.limit else None,
    )


@router.get(
    "/exchanges/{public_id}",
    response=responses({200: ExchangeDetailOut}, 404, 422),
    summary="One exchange",
)
def exchange(request: HttpRequest, public_id: UUID) -> ExchangeDetailOut:
    who = caller(request)
    return exchange_detail_out(_mine(who, public_id), who.person)


@write_operation(
    router,
    "/exchanges",
    response=responses({201: ExchangeDetailOut}, 404, 409),
    summary="Propose an exchange, from an offer, a request, or with people you name",
)
def propose(request: HttpRequest, payload: ProposeIn) -> Status[ExchangeDetailOut]:
    who = caller(request)
    offer = (
        offer_get_for_exchange(timebank=who.timebank, public_id=payload.offer)
        if payload.offer
        else None
    )
    request_ = (
        request_get_for_exchange(timebank=who.timebank, public_id=payload.request)
        if payload.request
        else None
    )
    if offer is not None and request_ is not None:
        raise ApplicationError(_("An exchange answers an offer or a request, not both."), "both")
    listing: Offer | Request | None = offer or request_
    providers: list[Person | Organisation] = []
    receivers: list[Person | Organisation] = []
    if listing is None:
        if payload.role is None:
            raise ApplicationError(
                _('Say whether you are giving or receiving the help ("role").'), "role_required"
            )
        others: list[Person | Organisation] = [
            member_by_reference(timebank=who.timebank, reference=ref) for ref in payload.others
        ]
        if not others:
            raise ApplicationError(
                _('Name at least one other person ("others"), by username.'), "others_required"
            )
        if payload.role == "giving":
            providers, receivers = [who.person], others
        else:
            providers, receivers = others, [who.person]
    created = services.exchange_propose(
        timebank=who.timebank,
        acting=who.person,
        listing=listing,
        providers=providers,
        receivers=receivers,
        title=payload.title or "",
        category=payload.category or "",
        expected_minutes=payload.minutes,
        scheduled_for=payload.scheduled_for,
        paid_by=payload.paid_by,
        paying_organisation=_paying_organisation(who, payload),
        notes=payload.notes,
    )
    return Status(201, exchange_detail_out(created, who.person))


@write_operation(router, "/exchanges/{public_id}/agree", response=Detail, summary="Agree to it")
def agree(request: HttpRequest, public_id: UUID) -> ExchangeDetailOut:
    who = caller(request)
    done = services.exchange_agree(exchange=_mine(who, public_id), acting=who.person)
    return exchange_detail_out(done, who.person)


@write_operation(
    router, "/exchanges/{public_id}/done", response=Detail, summary="Say the help was given"
)
def mark_done(request: HttpRequest, public_id: UUID, payload: DoneIn) -> ExchangeDetailOut:
    who = caller(request)
    done = services.exchange_mark_done(
        exchange=_mine(who, public_id), acting=who.person, actual_minutes=payload.minutes
    )
    return exchange_detail_out(done, who.person)


@write_operation(
    router,
    "/exchanges/{public_id}/confirm",
    response=Detail,
    summary="Confirm the help was received (credits move when every receiver has)",
)
def confirm(request: HttpRequest, public_id: UUID) -> ExchangeDetailOut:
    who = caller(request)
    done = services.exchange_confirm(exchange=_mine(who, public_id), acting=who.person)
    return exchange_detail_out(done, who.person)


@write_operation(router, "/exchanges/{public_id}/cancel", response=Detail, summary="Call it off")
def cancel(
    request: HttpRequest, public_id: UUID, payload: CancelIn | None = None
) -> ExchangeDetailOut:
    who = caller(request)
    done = services.exchange_cancel(
        exchange=_mine(who, public_id),
        acting=who.person,
        reason=payload.reason if payload is not None else "",
    )
    return exchange_detail_out(done, who.person)


@write_operation(
    router, "/exchanges/{public_id}/dispute", response=Detail, summary="Raise a problem"
)
def dispute(request: HttpRequest, public_id: UUID, payload: DisputeIn) -> ExchangeDetailOut:
    who = caller(request)
    done = disputes.exchange_dispute(
        exchange=_mine(who, public_id), acting=who.person, reason=payload.reason
    )
    return exchange_detail_out(done, who.person)
