"""A photo on an offer or request: its owner's (or, for a member they post for, a coordinator's)
to add, change or take away; redrawn to fit 960 x 720 as JPEG with nothing of the original file
kept (core.images), stored through the storage API (core.photos), with its description."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from coproduce.community.models import Person
from coproduce.community.photos import photo_alt_clean, photo_refusals
from coproduce.core.audit import audit_record
from coproduce.core.images import jpeg_within, picture_open
from coproduce.core.photos import PHOTO_MAX_BYTES, photo_forget_on_commit, photo_store
from coproduce.exchanges.models import Offer, Request
from coproduce.exchanges.services.listings import _lock_for_change

LISTING_PHOTO_BOX = (960, 720)


def _kind(listing: Offer | Request) -> str:
    return type(listing).__name__.lower()


@transaction.atomic
def listing_photo_set(
    *, listing: Offer | Request, acting: Person, upload: Any, alt: str
) -> Offer | Request:
    alt = photo_alt_clean(alt)
    data = jpeg_within(
        picture_open(upload, max_bytes=PHOTO_MAX_BYTES, refusals=photo_refusals()),
        LISTING_PHOTO_BOX,
    )
    listing = _lock_for_change(listing, acting)
    old = listing.photo.name
    listing.photo.name = photo_store("photos/listings", data)
    listing.photo_alt = alt
    listing.save(update_fields=["photo", "photo_alt", "updated_at"])
    photo_forget_on_commit(old)
    audit_record(
        action=f"{_kind(listing)}.photo_set",
        actor=acting,
        timebank_id=listing.timebank_id,
        target=f"{_kind(listing)}:{listing.public_id}",
        data={"replaced": bool(old)},
    )
    return listing


@transaction.atomic
def listing_photo_remove(*, listing: Offer | Request, acting: Person) -> Offer | Request:
    listing = _lock_for_change(listing, acting)
    old = listing.photo.name
    if not old:
        return listing
    listing.photo.name = ""
    listing.photo_alt = ""
    listing.save(update_fields=["photo", "photo_alt", "updated_at"])
    photo_forget_on_commit(old)
    audit_record(
        action=f"{_kind(listing)}.photo_removed",
        actor=acting,
        timebank_id=listing.timebank_id,
        target=f"{_kind(listing)}:{listing.public_id}",
    )
    return listing
