"""Reads of offers and requests: the recent ones, one looked up with its permission check
(`listing_get_for`, `listing_get_for_change`: a listing another person may not see does not
exist for them), and an active one to arrange an exchange from.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from coproduce.community.models import Membership, MembershipStatus, Person, TimeBank
from coproduce.community.permissions import membership_is_coordinator
from coproduce.community.safeguarding import is_paused, paused_person_ids
from coproduce.core.errors import NotFound
from coproduce.core.kept_query import KeptQuery
from coproduce.exchanges.models import Exchange, ExchangeStatus, ListingStatus, Offer, Request
from coproduce.exchanges.selectors.search import LISTING_MODELS, Kind

Listing = Offer | Request


def listing_kind(listing: Listing) -> Kind:
    return "offer" if isinstance(listing, Offer) else "request"


def listing_url(listing: Listing) -> str:
    return reverse(f"exchanges:{listing_kind(listing)}", args=[listing.public_id])


def membership_for(person: Person, timebank: TimeBank) -> Membership | None:
    if person is None or not person.is_authenticated:
        return None
    return (
        Membership.objects.filter(person=person, timebank=timebank)
        .exclude(status=MembershipStatus.LEFT)
        .first()
    )


def can_change(*, person: Person, membership: Membership | None, listing: Listing) -> bool:
    """The owner, or a coordinator of the listing's time bank."""
    if membership is None or membership.timebank_id != listing.timebank_id:
        return False
    return listing.person_id == person.pk or membership_is_coordinator(membership)


def listing_get_for(person: Person, timebank: TimeBank, kind: Kind, public_id: UUID) -> Listing:
    """A listing of the person's time bank. Anyone in it sees active listings; only the owner and
    its coordinators see paused, expired and closed ones. Everyone else: NotFound."""
    membership = membership_for(person, timebank)
    if membership is None:
        raise NotFound(_("No such listing."))
    listing = (
        LISTING_MODELS[kind]
        .objects.filter(timebank=timebank, public_id=public_id)
        .select_related("person", "organisation", "created_by")
        .first()
    )
    if listing is None:
        raise NotFound(_("No such listing."))
    hidden = listing.status != ListingStatus.ACTIVE or (
        listing.person_id is not None
        and is_paused(person=listing.person, timebank=timebank)  # a safeguarding pause
    )
    if hidden and not can_change(person=person, membership=membership, listing=listing):
        raise NotFound(_("No such listing."))
    return listing


def listing_get_for_change(
    person: Person, timebank: TimeBank, kind: Kind, public_id: UUID
) -> Listing:
    """A listing the person may change: their own, or any in a time bank they coordinate."""
    listing = listing_get_for(person, timebank, kind, public_id)
    if not can_change(person=person, membership=membership_for(person, timebank), listing=listing):
        raise NotFound(_("No such listing."))
    return listing


def members_to_post_for(*, timebank: TimeBank) -> Iterable[Person]:
    """Active members a coordinator can post for, by name."""
    return Person.objects.filter(
        memberships__timebank=timebank, memberships__status=MembershipStatus.ACTIVE
    ).order_by("first_name", "last_name", "username")


def _recent(model: type[Offer] | type[Request], timebank_id: int, limit: int) -> QuerySet[Any]:
    return (
        model.objects.filter(timebank_id=timebank_id, status=ListingStatus.ACTIVE)
        .exclude(person_id__in=paused_person_ids(timebank_id))
        .select_related("person", "organisation")
        .order_by("-created_at")[:limit]
    )


# Home's newest offers and requests, with their SQL kept (`core.kept_query`).
_offers_recent: KeptQuery[Offer] = KeptQuery(
    Offer, lambda timebank_id, limit: _recent(Offer, timebank_id, limit), ids=("timebank_id",)
)
_requests_recent: KeptQuery[Request] = KeptQuery(
    Request, lambda timebank_id, limit: _recent(Request, timebank_id, limit), ids=("timebank_id",)
)


def offers_recent(*, timebank: TimeBank, limit: int = 6) -> list[Offer]:
    return _offers_recent(timebank_id=timebank.pk, limit=limit)


def requests_recent(*, timebank: TimeBank, limit: int = 6) -> list[Request]:
    return _requests_recent(timebank_id=timebank.pk, limit=limit)


def offer_get_for_exchange(*, timebank: TimeBank, public_id: uuid.UUID | str) -> Offer:
    """An active offer of this time bank, to arrange an exchange from."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound("No such offer.") from None
    offer = (
        Offer.objects.filter(timebank=timebank, public_id=public_id, status=ListingStatus.ACTIVE)
        .select_related("person", "organisation")
        .first()
    )
    if offer is None:
        raise NotFound("No such offer.")
    return offer


def request_get_for_exchange(*, timebank: TimeBank, public_id: uuid.UUID | str) -> Request:
    """An active request of this time bank, to arrange an exchange from."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound("No such request.") from None
    found = (
        Request.objects.filter(timebank=timebank, public_id=public_id, status=ListingStatus.ACTIVE)
        .select_related("person", "organisation")
        .first()
    )
    if found is None:
        raise NotFound("No such request.")
    return found


def requests_unanswered(*, timebank: TimeBank, before: datetime) -> QuerySet[Request]:
    """Active requests made before `before` that no exchange has come from, the oldest first."""
    return (
        Request.objects.filter(
            timebank=timebank, status=ListingStatus.ACTIVE, created_at__lt=before
        )
        .exclude(Exists(Exchange.objects.filter(request=OuterRef("pk"))))
        .select_related("person", "organisation")
        .order_by("created_at", "id")
    )


UNDER_WAY = (ExchangeStatus.PROPOSED, ExchangeStatus.AGREED, ExchangeStatus.DONE)


def open_exchange_for(*, person: Person, listing: Listing) -> Exchange | None:
    """The person's exchange arranged from this listing that is still under way (proposed,
    agreed or done), the oldest first, or None. The listing's page shows it instead of offering
    a second "Propose an exchange": a volunteer someone asked to help (a coordinator's broker
    queue, or the person who asked) agrees to that invitation rather than making another one.
    One query."""
    field = "offer" if isinstance(listing, Offer) else "request"
    return (
        Exchange.objects.filter(
            **{field: listing},
            status__in=UNDER_WAY,
            participants__person=person,
        )
        .select_related("proposed_by")
        .order_by("created_at", "pk")
        .first()
    )
