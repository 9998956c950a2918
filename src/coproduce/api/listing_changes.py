"""Changing an offer or request: edit it, give it a photo or take it away, pause, resume, close
or renew it. As on the web, its owner may (or a coordinator of its time bank); to anyone else
it does not exist (404)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Field as F
from ninja import File, Form, Schema
from ninja.files import UploadedFile

from coproduce.api import listings
from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.schemas import ListingIn, ListingOut, SingleLine, listing_out, responses
from coproduce.exchanges.selectors.listings import listing_get_for_change
from coproduce.exchanges.selectors.search import Kind
from coproduce.exchanges.services import listings as services
from coproduce.exchanges.services.photos import listing_photo_remove, listing_photo_set

# The listings router itself: a PUT on /offers/{id} must share its path with the GET there.
router = listings.router

# A listing not found (or not the caller's to change), a closed one that cannot be edited.
Changed = responses({200: ListingOut}, 404, 409)
STEPS = {
    "pause": ("Pause it: nobody sees it until it is resumed", services.listing_pause),
    "resume": ("Resume it: people can see it again", services.listing_resume),
    "close": ("Close it for good", services.listing_close),
    "renew": ("Renew it: it stays up for longer", services.listing_renew),
}


class PhotoIn(Schema):
    alt: SingleLine = F(
        "", max_length=200, description="What the photo shows, for people who cannot see it."
    )


def _edit(request: HttpRequest, kind: Kind, public_id: UUID, payload: ListingIn) -> ListingOut:
    who = caller(request)
    listing = listing_get_for_change(who.person, who.timebank, kind, public_id)
    changed = services.listing_update(
        listing=listing,
        acting=who.person,
        title=payload.title,
        category=payload.category,
        description=payload.description,
        tags=", ".join(payload.tags),
        area=payload.area,
        availability=payload.availability,
    )
    return listing_out(changed)


def _photo_set(
    request: HttpRequest, kind: Kind, public_id: UUID, photo: UploadedFile, alt: str
) -> ListingOut:
    who = caller(request)
    listing = listing_get_for_change(who.person, who.timebank, kind, public_id)
    return listing_out(listing_photo_set(listing=listing, acting=who.person, upload=photo, alt=alt))


def _photo_remove(request: HttpRequest, kind: Kind, public_id: UUID) -> ListingOut:
    who = caller(request)
    listing = listing_get_for_change(who.person, who.timebank, kind, public_id)
    return listing_out(listing_photo_remove(listing=listing, acting=who.person))


def _register(kind: Kind, plural: str) -> None:
    """The same operations for offers and requests (ninja needs a function for each)."""

    @write_operation(
        router,
        f"/{plural}/{{public_id}}",
        method="PUT",
        idempotent=False,
        response=Changed,
        summary=f"Change one of my {plural} (every field, as on its form)",
        operation_id=f"{kind}_edit",
    )
    def edit(request: HttpRequest, public_id: UUID, payload: ListingIn) -> ListingOut:
        return _edit(request, kind, public_id, payload)

    @write_operation(
        router,
        f"/{plural}/{{public_id}}/photo",
        idempotent=False,
        response=responses({200: ListingOut}, 404),
        summary="Give it a photo (multipart: `photo`, a PNG, JPEG, GIF or WebP of at most 5 MB, "
        "and `alt`)",
        operation_id=f"{kind}_photo_set",
    )
    def photo_set(
        request: HttpRequest,
        public_id: UUID,
        photo: File[UploadedFile],
        details: Form[PhotoIn],
    ) -> ListingOut:
        return _photo_set(request, kind, public_id, photo, details.alt)

    @write_operation(
        router,
        f"/{plural}/{{public_id}}/photo",
        method="DELETE",
        idempotent=False,
        response=responses({200: ListingOut}, 404),
        summary="Take its photo away",
        operation_id=f"{kind}_photo_remove",
    )
    def photo_remove(request: HttpRequest, public_id: UUID) -> ListingOut:
        return _photo_remove(request, kind, public_id)

    for step, (summary, service) in STEPS.items():
        _register_step(kind, plural, step, summary, service)


def _register_step(kind: Kind, plural: str, step: str, summary: str, service) -> None:  # type: ignore[no-untyped-def]
    @write_operation(
        router,
        f"/{plural}/{{public_id}}/{step}",
        response=Changed,
        summary=summary,
        operation_id=f"{kind}_{step}",
    )
    def operation(request: HttpRequest, public_id: UUID) -> ListingOut:
        who = caller(request)
        listing = listing_get_for_change(who.person, who.timebank, kind, public_id)
        return listing_out(service(listing=listing, acting=who.person))


_register("offer", "offers")
_register("request", "requests")
