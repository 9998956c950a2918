"""Keeps the prepared matching index (MatchProfile, MatchTerm) in step with the people it
describes: `profile_refresh` for one member after a change, `timebank_reindex` for a whole time
bank after a bulk load (the demo, an import) or nightly, so "given in the last year" stays true.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from coproduce.community.availability import SLOTS
from coproduce.community.models import Membership, MembershipStatus, Person, TimeBank
from coproduce.core.categories import Category
from coproduce.exchanges.models import ExchangeStatus, ListingStatus, Offer, Participant, Side
from coproduce.matching.models import MatchingPreference, MatchProfile, MatchTerm
from coproduce.matching.text import category_term, terms_of

MAX_TERMS_PER_PERSON = 60
CATEGORY_WEIGHT, TITLE_WEIGHT, TEXT_WEIGHT = 3, 2, 1
SLOT_BIT = {slot: 1 << i for i, slot in enumerate(SLOTS)}
CATEGORY_BIT = {category: 1 << i for i, category in enumerate(Category.values)}


def slot_mask(slots: Iterable[str]) -> int:
    mask = 0
    for slot in slots or []:
        mask |= SLOT_BIT.get(slot, 0)
    return mask


def slots_of(mask: int) -> list[str]:
    return [slot for slot, bit in SLOT_BIT.items() if mask & bit]


def category_mask(categories: Iterable[str]) -> int:
    mask = 0
    for category in categories or []:
        mask |= CATEGORY_BIT.get(category, 0)
    return mask


def area_key(area: str | None) -> str:
    return " ".join((area or "").lower().split())[:80]


def _given_since() -> datetime:
    return timezone.now() - timedelta(days=365)


def person_terms(
    *, gives: str, offers: Iterable[dict[str, Any]]
) -> dict[str, tuple[int, datetime | None]]:
    """Each term a person can help with → (its strongest weight, when it stops counting)."""
    found: dict[str, tuple[int, datetime | None]] = {}
    never = None

    def add(term: str, weight: int, expires_at: datetime | None) -> None:
        if term not in found:
            found[term] = (weight, expires_at)
            return
        old_weight, old_expiry = found[term]
        expiry = never if old_expiry is None or expires_at is None else max(old_expiry, expires_at)
        found[term] = (max(old_weight, weight), expiry)

    for offer in offers:
        expires_at = offer["expires_at"]
        add(category_term(offer["category"]), CATEGORY_WEIGHT, expires_at)
        for term in terms_of(offer["title"], offer["tags"]):
            add(term, TITLE_WEIGHT, expires_at)
        for term in terms_of(offer["description"]):
            add(term, TEXT_WEIGHT, expires_at)
    for term in terms_of(gives):
        add(term, TEXT_WEIGHT, never)
    strongest = sorted(found.items(), key=lambda item: (-item[1][0], item[0]))
    return dict(strongest[:MAX_TERMS_PER_PERSON])


_OFFER_FIELDS = ("person_id", "title", "tags", "description", "category", "expires_at")


def _active_offers(timebank_id: int) -> Any:
    return Offer.objects.filter(
        timebank_id=timebank_id, status=ListingStatus.ACTIVE, person__isnull=False
    ).values(*_OFFER_FIELDS)


def _given_counts(timebank_id: int, person_ids: list[int] | None = None) -> dict[int, int]:
    rows = Participant.objects.filter(
        timebank_id=timebank_id,
        side=Side.PROVIDER,
        person__isnull=False,
        exchange__status=ExchangeStatus.CONFIRMED,
        exchange__confirmed_at__gte=_given_since(),
    )
    if person_ids is not None:
        rows = rows.filter(person_id__in=person_ids)
    return dict(
        rows.values("person_id")
        .annotate(n=Count("exchange_id", distinct=True))
        .values_list("person_id", "n")
    )


@transaction.atomic
def profile_refresh(*, timebank_id: int, person_id: int) -> MatchProfile | None:
    """Rebuild one member's profile and terms; a person with no membership has none."""
    membership = Membership.objects.filter(timebank_id=timebank_id, person_id=person_id).first()
    if membership is None:
        MatchProfile.objects.filter(timebank_id=timebank_id, person_id=person_id).delete()
        return None
    person = Person.objects.only("availability", "gives").get(pk=person_id)
    preference = MatchingPreference.objects.filter(
        timebank_id=timebank_id, person_id=person_id
    ).first()
    profile, _created = MatchProfile.objects.update_or_create(
        timebank_id=timebank_id,
        person_id=person_id,
        defaults={
            "active": membership.status == MembershipStatus.ACTIVE,
            "area": area_key(membership.area),
            "availability_mask": slot_mask(person.availability),
            "excluded_mask": category_mask(preference.excluded_categories if preference else []),
            "given_recently": _given_counts(timebank_id, [person_id]).get(person_id, 0),
        },
    )
    terms = person_terms(
        gives=person.gives, offers=_active_offers(timebank_id).filter(person_id=person_id)
    )
    MatchTerm.objects.filter(profile=profile).delete()
    MatchTerm.objects.bulk_create(
        MatchTerm(
            timebank_id=timebank_id, profile=profile, term=term, weight=weight, expires_at=expiry
        )
        for term, (weight, expiry) in terms.items()
    )
    return profile


def profiles_refresh_for_person(*, person_id: int) -> None:
    """After a change to a person (their "what I can give", their times): every time bank."""
    for timebank_id in Membership.objects.filter(person_id=person_id).values_list(
        "timebank_id", flat=True
    ):
        profile_refresh(timebank_id=timebank_id, person_id=person_id)


@transaction.atomic
def timebank_reindex(*, timebank: TimeBank, batch_size: int = 5000) -> str:
    """Rebuild the whole time bank's index from its members, offers and exchanges."""
    timebank_id = timebank.pk
    # Coordinates are recorded by hand (services.location_set): keep them across the rebuild.
    places = {
        person_id: (lat, lon)
        for person_id, lat, lon in MatchProfile.objects.filter(
            timebank_id=timebank_id, latitude__isnull=False
        ).values_list("person_id", "latitude", "longitude")
    }
    MatchTerm.objects.filter(timebank_id=timebank_id).delete()
    MatchProfile.objects.filter(timebank_id=timebank_id).delete()
    memberships = list(
        Membership.objects.filter(timebank_id=timebank_id).values_list(
            "person_id", "status", "area"
        )
    )
    people = {
        pk: (availability, gives)
        for pk, availability, gives in Person.objects.filter(
            memberships__timebank_id=timebank_id
        ).values_list("pk", "availability", "gives")
    }
    excluded = dict(
        MatchingPreference.objects.filter(timebank_id=timebank_id).values_list(
            "person_id", "excluded_categories"
        )
    )
    given = _given_counts(timebank_id)
    profiles = MatchProfile.objects.bulk_create(
        [
            MatchProfile(
                timebank_id=timebank_id,
                person_id=person_id,
                active=status == MembershipStatus.ACTIVE,
                area=area_key(area),
                availability_mask=slot_mask(people[person_id][0]),
                excluded_mask=category_mask(excluded.get(person_id, [])),
                given_recently=given.get(person_id, 0),
                latitude=places.get(person_id, (None, None))[0],
                longitude=places.get(person_id, (None, None))[1],
            )
            for person_id, status, area in memberships
        ],
        batch_size=batch_size,
    )
    profile_ids = {p.person_id: p.pk for p in profiles}
    if any(pk is None for pk in profile_ids.values()):  # a backend that returns no ids
        profile_ids = dict(
            MatchProfile.objects.filter(timebank_id=timebank_id).values_list("person_id", "pk")
        )
    offers: dict[int, list[dict[str, Any]]] = {}
    for offer in _active_offers(timebank_id).iterator(chunk_size=5000):
        offers.setdefault(offer["person_id"], []).append(offer)
    rows: list[MatchTerm] = []
    written = 0
    for person_id, profile_id in profile_ids.items():
        terms = person_terms(gives=people[person_id][1], offers=offers.get(person_id, []))
        rows.extend(
            MatchTerm(
                timebank_id=timebank_id,
                profile_id=profile_id,
                term=term,
                weight=weight,
                expires_at=expiry,
            )
            for term, (weight, expiry) in terms.items()
        )
        if len(rows) >= batch_size * 4:
            MatchTerm.objects.bulk_create(rows, batch_size=batch_size)
            written += len(rows)
            rows = []
    MatchTerm.objects.bulk_create(rows, batch_size=batch_size)
    written += len(rows)
    return f"Matching index of {timebank.name}: {len(profile_ids):,} members, {written:,} terms."
