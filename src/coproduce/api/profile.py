"""Profiles: mine (read and change, with my contact settings), and another member's public
profile, seen by whom the web shows it to (`community.selectors.profile_get_for`).

Another member's contact details are not in the API: on the web each time a coordinator reads
them is recorded, and a client program reading a whole list would make that record meaningless.
"""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Field as F
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.listing_changes import PhotoIn
from coproduce.api.schemas import MultiLine, PhotoOut, SingleLine, photo_out, responses
from coproduce.community.locales import person_language_set
from coproduce.community.models import ContactPreference, Membership, Person
from coproduce.community.photos import person_photo_remove, person_photo_set
from coproduce.community.selectors import membership_get, profile_get_for
from coproduce.community.services import profile_update

router = Router(tags=["profile"])


class ProfileOut(Schema):
    public_id: UUID
    username: str
    display_name: str
    area: str
    status: str
    role: str
    gives: str
    needs: str
    about: str
    languages: str = F(description="The languages they speak, as they wrote them.")
    availability: list[str] = F(description='Slots such as "mon_am"; empty means any time.')
    photo: PhotoOut | None


class MyProfileOut(ProfileOut):
    language: str = F(description="For pages and emails; blank means the time bank's.")
    accessibility_needs: str
    contact_preference: str
    email: str
    phone: str
    notify_by_email: bool
    digest_by_email: bool


class ProfileIn(Schema):
    """Every field is optional: what is left out stays as it is."""

    area: SingleLine | None = F(None, max_length=80)
    gives: MultiLine | None = F(None, max_length=2000)
    needs: MultiLine | None = F(None, max_length=2000)
    about: MultiLine | None = F(None, max_length=2000)
    languages: SingleLine | None = F(None, max_length=200)
    accessibility_needs: MultiLine | None = F(None, max_length=2000)
    availability: list[SingleLine] | None = F(None, max_length=21)
    contact_preference: ContactPreference | None = None
    email: SingleLine | None = F(None, max_length=254)
    phone: SingleLine | None = F(None, max_length=40)
    notify_by_email: bool | None = None
    digest_by_email: bool | None = None
    language: SingleLine | None = F(
        None, max_length=16, description='A code such as "cy" or "es"; "" for the time bank\'s.'
    )


def _fields(person: Person, membership: Membership) -> dict:
    return {
        "public_id": person.public_id,
        "username": person.username,
        "display_name": person.display_name,
        "area": membership.area,
        "status": membership.status,
        "role": membership.role,
        "gives": person.gives,
        "needs": person.needs,
        "about": person.about,
        "languages": person.languages,
        "availability": list(person.availability or []),
        "photo": photo_out(person.photo, person.photo_alt),
    }


def _mine(person: Person, membership: Membership) -> MyProfileOut:
    return MyProfileOut(
        **_fields(person, membership),
        language=person.language,
        accessibility_needs=person.accessibility_needs,
        contact_preference=person.contact_preference,
        email=person.email,
        phone=person.phone,
        notify_by_email=person.notify_by_email,
        digest_by_email=person.digest_by_email,
    )


@router.get("/profile", response=responses({200: MyProfileOut}), summary="My profile")
def my_profile(request: HttpRequest) -> MyProfileOut:
    who = caller(request)
    membership = membership_get(person=who.person, timebank=who.timebank)
    assert membership is not None  # the token checked it is active
    return _mine(who.person, membership)


@write_operation(
    router,
    "/profile",
    method="PATCH",
    idempotent=False,
    response=responses({200: MyProfileOut}),
    summary="Change my profile: only the fields sent change",
)
def profile_edit(request: HttpRequest, payload: ProfileIn) -> MyProfileOut:
    who = caller(request)
    membership = membership_get(person=who.person, timebank=who.timebank)
    assert membership is not None
    sent = payload.model_dump(exclude_unset=True)
    area = sent.pop("area", None)
    language = sent.pop("language", None)
    if language is not None:
        person_language_set(person=who.person, language=language)
    fields = {name: value for name, value in sent.items() if value is not None}
    person = who.person
    if fields or area is not None:
        person = profile_update(person=person, membership=membership, area=area, **fields)
    membership.refresh_from_db(fields=["area"])
    return _mine(person, membership)


@router.get(
    "/people/{public_id}",
    response=responses({200: ProfileOut}, 404, 422),
    summary="A member's public profile",
)
def profile(request: HttpRequest, public_id: UUID) -> ProfileOut:
    who = caller(request)
    membership = profile_get_for(who.person, who.timebank, public_id)
    return ProfileOut(**_fields(membership.person, membership))


@write_operation(
    router,
    "/profile/photo",
    idempotent=False,
    response=responses({200: MyProfileOut}),
    summary="Give my profile a photo (multipart: `photo`, a PNG, JPEG, GIF or WebP of at most "
    "5 MB, and `alt`)",
)
def profile_photo_set(
    request: HttpRequest, photo: File[UploadedFile], details: Form[PhotoIn]
) -> MyProfileOut:
    who = caller(request)
    membership = membership_get(person=who.person, timebank=who.timebank)
    assert membership is not None
    person = person_photo_set(person=who.person, acting=who.person, upload=photo, alt=details.alt)
    return _mine(person, membership)


@write_operation(
    router,
    "/profile/photo",
    method="DELETE",
    idempotent=False,
    response=responses({200: MyProfileOut}),
    summary="Take my profile's photo away",
)
def profile_photo_remove(request: HttpRequest) -> MyProfileOut:
    who = caller(request)
    membership = membership_get(person=who.person, timebank=who.timebank)
    assert membership is not None
    return _mine(person_photo_remove(person=who.person, acting=who.person), membership)
