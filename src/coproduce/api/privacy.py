"""Privacy, as on /privacy/: who sees my phone, email and area in this time bank
(`community.services.contact_visibility_set`, recorded), and my data as one JSON document
(`privacy.download.person_data_download`, each download recorded, as on the web).

Erasure is not here on purpose: it cannot be undone and stays on its confirmation page.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.schemas import responses
from coproduce.community.models import Membership, Visibility
from coproduce.community.selectors import membership_get
from coproduce.community.services import VISIBILITY_FIELDS, contact_visibility_set
from coproduce.privacy.download import person_data_download

router = Router(tags=["privacy"])


class PrivacyOut(Schema):
    phone_visible_to: Visibility
    email_visible_to: Visibility
    area_visible_to: Visibility


class PrivacyIn(Schema):
    """Every field is optional: what is left out stays as it is. Coordinators always see."""

    phone_visible_to: Visibility | None = None
    email_visible_to: Visibility | None = None
    area_visible_to: Visibility | None = None


def _out(membership: Membership) -> PrivacyOut:
    return PrivacyOut(**{name: getattr(membership, name) for name in VISIBILITY_FIELDS})


def _membership(request: HttpRequest) -> tuple[Any, Membership]:
    who = caller(request)
    membership = membership_get(person=who.person, timebank=who.timebank)
    assert membership is not None  # the token checked it is active
    return who, membership


@router.get(
    "/privacy", response=responses({200: PrivacyOut}), summary="Who sees my contact details"
)
def privacy_read(request: HttpRequest) -> PrivacyOut:
    _who, membership = _membership(request)
    return _out(membership)


@write_operation(
    router,
    "/privacy",
    method="PATCH",
    idempotent=False,
    response=responses({200: PrivacyOut}),
    summary="Choose who sees my phone, email and area: only the fields sent change",
)
def privacy_update(request: HttpRequest, payload: PrivacyIn) -> PrivacyOut:
    who, membership = _membership(request)
    choices = {
        name: str(value)
        for name, value in payload.model_dump(exclude_unset=True).items()
        if value is not None
    }
    if choices:
        membership = contact_visibility_set(membership=membership, acting=who.person, **choices)
    return _out(membership)


@router.get(
    "/privacy/data",
    response=responses({200: dict[str, Any]}),
    summary="Everything Coproduce holds about me, as one JSON document (each download is recorded)",
)
def data_download(request: HttpRequest) -> HttpResponse:
    who = caller(request)
    response = HttpResponse(
        person_data_download(person=who.person), content_type="application/json; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    return response
