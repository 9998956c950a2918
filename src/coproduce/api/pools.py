"""Pools: hours (or an organisation's money budget) put together for a purpose, spent by their
holders. Who sees a pool is `partners.selectors.pools_for` / `pool_get_for`; who may put in,
propose or approve a spend is decided by the pool services, as on the web.

Amounts are whole units: minutes for an hour pool, pence for a money pool (`unit` says which).
Putting in, proposing and approving a spend move credits: they need an `Idempotency-Key`.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Schema, Status
from pydantic import StrictInt

from coproduce.api.auth import caller
from coproduce.api.idempotency import ledger_key, write_operation
from coproduce.api.pagination import CursorPage, CursorParams, Key, page_of_rows
from coproduce.api.schemas import (
    MultiLine,
    PartyOut,
    PersonOut,
    SingleLine,
    party,
    person_out,
    responses,
)
from coproduce.api.selectors import member_by_reference
from coproduce.community.models import Organisation, Person
from coproduce.community.permissions import standing_in
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.partners import selectors
from coproduce.partners.models import Pool, PoolSpend
from coproduce.partners.services import pools as services

router = Router(tags=["pools"])

BY_NAME = (Key("name", "str", descending=False), Key("pk", "int", descending=False))
NEWEST_PROPOSED = (Key("proposed_at", "datetime"), Key("pk", "int"))


class PoolOut(Schema):
    public_id: UUID
    name: str
    description: str
    unit: str = F(description='"hour" (amounts in minutes) or a currency (amounts in pence).')
    balance: int
    organisation: UUID | None
    approvals_required: int
    holders: list[PersonOut]
    created_at: datetime


class PoolDetailOut(PoolOut):
    put_in: int
    spent: int
    i_hold_it: bool


class PoolPage(CursorPage):
    items: list[PoolOut]


class SpendOut(Schema):
    public_id: UUID
    pool: UUID
    amount: int
    purpose: str
    status: str
    payee: PartyOut | None
    proposed_by: str
    proposed_at: datetime
    approved_by: str | None
    decided_at: datetime | None
    refusal_reason: str


class SpendPage(CursorPage):
    items: list[SpendOut]


class ContributeIn(Schema):
    amount: StrictInt = F(gt=0, description="Minutes for an hour pool, pence for a money pool.")
    memo: SingleLine = F("", max_length=200)


class ContributeOut(Schema):
    transfer: UUID
    pool: PoolDetailOut


class SpendIn(Schema):
    amount: StrictInt = F(gt=0)
    purpose: SingleLine = F(min_length=1, max_length=200)
    member: SingleLine | None = F(None, description="Pay this member (username or public id)…")
    organisation: UUID | None = F(None, description="…or this partner organisation.")


class RefuseIn(Schema):
    reason: MultiLine = F("", max_length=1000)


def _pool_fields(pool: Pool) -> dict:
    return {
        "public_id": pool.public_id,
        "name": pool.name,
        "description": pool.description,
        "unit": pool.unit,
        "balance": pool.account.balance,
        "organisation": pool.organisation.public_id if pool.organisation_id else None,  # type: ignore[union-attr]
        "approvals_required": pool.approvals_required,
        "holders": [person_out(p) for p in sorted(pool.holders.all(), key=lambda p: p.username)],
        "created_at": pool.created_at,
    }


def _detail(pool: Pool, me: Person) -> PoolDetailOut:
    totals = selectors.pool_totals(pool)
    return PoolDetailOut(
        **_pool_fields(pool),
        put_in=totals["put_in"],
        spent=totals["spent"],
        i_hold_it=me.pk in selectors.pool_holder_ids(pool),
    )


def _payee_party(spend: PoolSpend) -> PartyOut | None:
    account = spend.payee
    who = account.person or account.organisation  # type: ignore[attr-defined]
    return party(who) if who is not None else None


def _spend_out(spend: PoolSpend) -> SpendOut:
    return SpendOut(
        public_id=spend.public_id,
        pool=spend.pool.public_id,
        amount=spend.amount,
        purpose=spend.purpose,
        status=spend.status,
        payee=_payee_party(spend),
        proposed_by=spend.proposed_by.display_name,
        proposed_at=spend.proposed_at,
        approved_by=spend.approved_by.display_name if spend.approved_by_id else None,  # type: ignore[union-attr]
        decided_at=spend.decided_at,
        refusal_reason=spend.refusal_reason,
    )


def _pool(request: HttpRequest, public_id: UUID) -> Pool:
    who = caller(request)
    pool, _standing = selectors.pool_get_for(who.person, who.timebank, public_id)
    return pool


@router.get(
    "/pools", response=responses({200: PoolPage}, 400, 404, 422), summary="The pools I may see"
)
def pools(request: HttpRequest, page: Query[CursorParams]) -> PoolPage:
    who = caller(request)
    found = list(selectors.pools_for(person=who.person, timebank=who.timebank))
    rows, next_cursor = page_of_rows(found, BY_NAME, page)
    return PoolPage(
        items=[PoolOut(**_pool_fields(p)) for p in rows],
        limit=page.limit,
        next_cursor=next_cursor,
    )


@router.get(
    "/pools/{public_id}",
    response=responses({200: PoolDetailOut}, 404, 422),
    summary="One pool, with what was put in and spent",
)
def pool(request: HttpRequest, public_id: UUID) -> PoolDetailOut:
    return _detail(_pool(request, public_id), caller(request).person)


@router.get(
    "/pools/{public_id}/spends",
    response=responses({200: SpendPage}, 400, 404, 422),
    summary="A pool's spends, newest proposed first",
)
def spends(request: HttpRequest, public_id: UUID, page: Query[CursorParams]) -> SpendPage:
    pool = _pool(request, public_id)
    found = sorted(selectors.pool_spends(pool), key=lambda s: (s.proposed_at, s.pk), reverse=True)
    for spend in found:
        spend.pool = pool  # known already: no query per spend
    rows, next_cursor = page_of_rows(found, NEWEST_PROPOSED, page)
    return SpendPage(items=[_spend_out(s) for s in rows], limit=page.limit, next_cursor=next_cursor)


@write_operation(
    router,
    "/pools/{public_id}/contribute",
    key_required=True,
    response=responses({201: ContributeOut}, 404, 409),
    summary="Put some of my hours (or my organisation's budget) into the pool",
)
def contribute(
    request: HttpRequest, public_id: UUID, payload: ContributeIn
) -> Status[ContributeOut]:
    who = caller(request)
    found = _pool(request, public_id)
    transfer = services.pool_contribute(
        pool=found,
        acting=who.person,
        amount=payload.amount,
        memo=payload.memo,
        token=ledger_key(request),
    )
    return Status(
        201,
        ContributeOut(
            transfer=transfer.public_id, pool=_detail(_pool(request, public_id), who.person)
        ),
    )


def _payee(request: HttpRequest, payload: SpendIn) -> Person | Organisation:
    who = caller(request)
    if (payload.member is None) == (payload.organisation is None):
        raise ApplicationError(
            _('Say whom to pay: a member ("member") or an organisation ("organisation").'),
            "payee_required",
        )
    if payload.member is not None:
        return member_by_reference(timebank=who.timebank, reference=payload.member)
    assert payload.organisation is not None
    organisation = (
        selectors.organisations_for(person=who.person, timebank=who.timebank)
        .filter(public_id=payload.organisation)
        .first()
    )
    if organisation is None:
        raise NotFound(_("No such organisation."))
    return organisation


@write_operation(
    router,
    "/pools/{public_id}/spends",
    key_required=True,
    response=responses({201: SpendOut}, 404, 409),
    summary="Propose spending from the pool (its holders; it is spent at once when one "
    "approval is enough)",
)
def spend_propose(request: HttpRequest, public_id: UUID, payload: SpendIn) -> Status[SpendOut]:
    who = caller(request)
    spend = services.pool_spend_propose(
        pool=_pool(request, public_id),
        acting=who.person,
        payee=_payee(request, payload),
        amount=payload.amount,
        purpose=payload.purpose,
    )
    return Status(201, _spend_out(spend))


def _spend(request: HttpRequest, public_id: UUID) -> PoolSpend:
    who = caller(request)
    return selectors.spend_get_for(who.person, who.timebank, public_id)


@write_operation(
    router,
    "/pool-spends/{public_id}/approve",
    key_required=True,
    response=responses({200: SpendOut}, 404, 409),
    summary="Approve a spend another holder proposed: it is spent",
)
def spend_approve(request: HttpRequest, public_id: UUID) -> SpendOut:
    who = caller(request)
    return _spend_out(
        services.pool_spend_approve(spend=_spend(request, public_id), acting=who.person)
    )


@write_operation(
    router,
    "/pool-spends/{public_id}/refuse",
    response=responses({200: SpendOut}, 404, 409),
    summary="Refuse a spend (or withdraw my own proposal)",
)
def spend_refuse(
    request: HttpRequest, public_id: UUID, payload: RefuseIn | None = None
) -> SpendOut:
    who = caller(request)
    spend = services.pool_spend_refuse(
        spend=_spend(request, public_id),
        acting=who.person,
        reason=payload.reason if payload is not None else "",
    )
    return _spend_out(spend)


class PoolIn(Schema):
    name: SingleLine = F(min_length=1, max_length=120)
    description: MultiLine = F("", max_length=2000)
    unit: SingleLine = F(
        "hour", max_length=8, description='"hour", or the time bank\'s currency (such as "GBP").'
    )
    other_holder: SingleLine = F(
        "", max_length=150, description="A second holder's username or public id (optional)."
    )
    approvals_required: int = F(1, ge=1, le=2, description="One or two holders must agree.")


@write_operation(
    router,
    "/pools",
    response=responses({201: PoolDetailOut}, 404),
    summary="Open a pool that I hold (with a second holder if I name one)",
)
def pool_open(request: HttpRequest, payload: PoolIn) -> Status[PoolDetailOut]:
    who = caller(request)
    if not standing_in(person=who.person, timebank=who.timebank).can_trade:
        raise NotFound(_("No such page."))
    if payload.unit not in {"hour", who.timebank.currency}:
        raise ApplicationError(
            _("A pool holds hours or %(currency)s.") % {"currency": who.timebank.currency},
            "bad_unit",
        )
    holders = [who.person]
    if payload.other_holder.strip():
        holders.append(member_by_reference(timebank=who.timebank, reference=payload.other_holder))
    pool = services.pool_create(
        timebank=who.timebank,
        acting=who.person,
        name=payload.name,
        description=payload.description,
        unit=payload.unit,
        approvals_required=payload.approvals_required,
        holders=holders,
    )
    return Status(201, _detail(pool, who.person))
