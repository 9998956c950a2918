"""Offers and requests: search them, read one, post one."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field as F
from ninja import Query, Router, Status

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.pagination import CursorParams, newest_first, page_of
from coproduce.api.schemas import (
    ListingIn,
    ListingOut,
    ListingPage,
    SingleLine,
    listing_out,
    responses,
)
from coproduce.core.categories import Category
from coproduce.exchanges.selectors.listings import listing_get_for
from coproduce.exchanges.selectors.search import Kind, listings_search
from coproduce.exchanges.services.listings import listing_create

router = Router(tags=["offers and requests"])

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class ListingFilters(CursorParams):
    q: SingleLine = F("", max_length=200, description="Words to look for; each must match.")
    category: Category | None = None
    area: SingleLine | None = F(None, max_length=80)
    day: Day | None = F(None, description="Free on that day (or at any time).")


def _search(request: HttpRequest, kind: Kind, filters: ListingFilters) -> ListingPage:
    who = caller(request)
    found = listings_search(
        timebank=who.timebank,
        kind=kind,
        q=filters.q,
        category=filters.category,
        area=filters.area,
        day=filters.day,
        viewer=who.person,
    )
    # Newest first even when searching: a relevance rank is a float worked out again on each
    # query, which a cursor cannot carry exactly, so matches come in the order they were posted.
    rows, next_cursor = page_of(found, newest_first(), filters)
    return ListingPage(
        items=[listing_out(listing) for listing in rows],
        limit=filters.limit,
        next_cursor=next_cursor,
    )


def _create(request: HttpRequest, kind: Kind, payload: ListingIn) -> Status[ListingOut]:
    who = caller(request)
    listing = listing_create(
        kind=kind,
        timebank=who.timebank,
        acting=who.person,
        title=payload.title,
        category=payload.category,
        description=payload.description,
        tags=", ".join(payload.tags),
        area=payload.area,
        availability=payload.availability,
    )
    return Status(201, listing_out(listing))


@router.get(
    "/offers", response=responses({200: ListingPage}, 400, 422), summary="Search the open offers"
)
def offers(request: HttpRequest, filters: Query[ListingFilters]) -> ListingPage:
    return _search(request, "offer", filters)


@router.get(
    "/requests",
    response=responses({200: ListingPage}, 400, 422),
    summary="Search the open requests",
)
def requests(request: HttpRequest, filters: Query[ListingFilters]) -> ListingPage:
    return _search(request, "request", filters)


@router.get(
    "/offers/{public_id}", response=responses({200: ListingOut}, 404, 422), summary="One offer"
)
def offer(request: HttpRequest, public_id: UUID) -> ListingOut:
    who = caller(request)
    return listing_out(listing_get_for(who.person, who.timebank, "offer", public_id))


@router.get(
    "/requests/{public_id}", response=responses({200: ListingOut}, 404, 422), summary="One request"
)
def request_detail(request: HttpRequest, public_id: UUID) -> ListingOut:
    who = caller(request)
    return listing_out(listing_get_for(who.person, who.timebank, "request", public_id))


@write_operation(router, "/offers", response={201: ListingOut}, summary="Post an offer")
def offer_create(request: HttpRequest, payload: ListingIn) -> Status[ListingOut]:
    return _create(request, "offer", payload)


@write_operation(router, "/requests", response={201: ListingOut}, summary="Post a request")
def request_create(request: HttpRequest, payload: ListingIn) -> Status[ListingOut]:
    return _create(request, "request", payload)
