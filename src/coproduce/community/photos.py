"""A member's profile photo: their own to add, change or take away. It is redrawn as a square
JPEG (core.images: nothing of the original file is kept, so no location), stored through the
storage API (core.photos), and always comes with the words a screen reader says for it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from coproduce.community.models import Person
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, PermissionDenied
from coproduce.core.images import Refusals, jpeg_cropped, picture_open
from coproduce.core.photos import PHOTO_MAX_BYTES, photo_forget_on_commit, photo_store
from coproduce.core.text import text_problem

PROFILE_PHOTO_SIDE = 320


def photo_refusals() -> Refusals:
    return Refusals(
        too_big=_("The photo must be a picture of at most 5 MB."),
        not_a_picture=_("The photo must be a picture: a PNG, JPEG, GIF or WebP file."),
        too_many_pixels=_("That picture is too large; use a smaller one."),
    )


def photo_alt_clean(alt: str) -> str:
    """The photo's description, required: people who cannot see it are told what it shows."""
    alt = (alt or "").strip()
    if not alt:
        raise ApplicationError(
            _("Say in a few words what the photo shows, for people who cannot see it."),
            "alt_required",
        )
    problem = text_problem(alt)
    if problem:
        raise ApplicationError(problem, "control_character")
    return alt[:200]


@transaction.atomic
def person_photo_set(*, person: Person, acting: Person, upload: Any, alt: str) -> Person:
    """The person's new profile photo (replacing any old one)."""
    if acting.pk != person.pk:
        raise PermissionDenied(_("Only you can change your photo."), "not_yours")
    alt = photo_alt_clean(alt)
    data = jpeg_cropped(
        picture_open(upload, max_bytes=PHOTO_MAX_BYTES, refusals=photo_refusals()),
        PROFILE_PHOTO_SIDE,
    )
    person = Person.objects.select_for_update().get(pk=person.pk)
    old = person.photo.name
    person.photo.name = photo_store("photos/people", data)
    person.photo_alt = alt
    person.save(update_fields=["photo", "photo_alt"])
    photo_forget_on_commit(old)
    audit_record(
        action="person.photo_set",
        actor=acting,
        target=f"person:{person.public_id}",
        data={"replaced": bool(old)},
    )
    return person


@transaction.atomic
def person_photo_remove(*, person: Person, acting: Person) -> Person:
    """Take the photo away (an erasure drops it with everything else: privacy.erasure)."""
    if acting.pk != person.pk:
        raise PermissionDenied(_("Only you can change your photo."), "not_yours")
    person = Person.objects.select_for_update().get(pk=person.pk)
    old = person.photo.name
    if not old:
        return person
    person.photo.name = ""
    person.photo_alt = ""
    person.save(update_fields=["photo", "photo_alt"])
    photo_forget_on_commit(old)
    if acting is not None:
        audit_record(
            action="person.photo_removed", actor=acting, target=f"person:{person.public_id}"
        )
    return person
