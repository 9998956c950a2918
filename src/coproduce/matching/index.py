"""Keeps the prepared matching index (MatchProfile, MatchTerm) in step with the people it
describes: `profile_refresh` for one member after a change, `timebank_reindex` for a whole time
bank after a bulk load (the demo, an import) or nightly, so "given in the last year" stays true.
Requests' own terms (RequestTerm) likewise: `request_terms_refresh` when one is saved,
`timebank_reindex` for all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone

from coproduce.community.availability import SLOTS
from coproduce.community.models import Membership, MembershipStatus, Person, TimeBank
from coproduce.community.safeguarding import paused_person_ids
from coproduce.core.categories import Category
from coproduce.exchanges.models import (
    ExchangeStatus,
    ListingStatus,
    Offer,
    Participant,
    Request,
    Side,
)
from coproduce.matching.models import MatchingPreference, MatchProfile, MatchTerm, RequestTerm
from coproduce.matching.text import category_term, terms_of

MAX_TERMS_PER_PERSON = 60
CATEGORY_WEIGHT, TITLE_WEIGHT, TEXT_WEIGHT = 3, 2, 1
SLOT_BIT = {slot: 1 << i for i, slot in enumerate(SLOTS)}
CATEGORY_BIT = {category: 1 << i for i, category in enumerate(Category.values)}
# "Given little" (fairness): at most this many confirmed gifts of help in the last year → lift.
GIVEN_LIFT = ((0, 100), (2, 60), (5, 30))


def given_prior(given_recently: int) -> int:
    """The "given little" score of a member, copied onto their terms (signals.given_little
    computes the same in SQL)."""
    for most, score in GIVEN_LIFT:
        if given_recently <= most:
            return score
    return 0


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


# Offers repeat the same titles and phrases: stem each distinct text once per process.
_terms_of = lru_cache(maxsize=65536)(terms_of)


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
        for term in _terms_of(offer["title"], offer["tags"]):
            add(term, TITLE_WEIGHT, expires_at)
        for term in _terms_of(offer["description"]):
            add(term, TEXT_WEIGHT, expires_at)
    for term in _terms_of(gives):
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
            # A member under a safeguarding pause is never suggested.
            "active": membership.status == MembershipStatus.ACTIVE
            and not paused_person_ids(timebank_id).filter(person_id=person_id).exists(),
            "area": area_key(membership.area),
            "availability_mask": slot_mask(person.availability),
            "excluded_mask": category_mask(preference.excluded_categories if preference else []),
            "given_recently": _given_counts(timebank_id, [person_id]).get(person_id, 0),
        },
    )
    MatchTerm.objects.filter(profile=profile).delete()
    if profile.active:
        terms = person_terms(
            gives=person.gives, offers=_active_offers(timebank_id).filter(person_id=person_id)
        )
        MatchTerm.objects.bulk_create(
            MatchTerm(**_term_fields(profile.pk, profile, term, weight, expiry))
            for term, (weight, expiry) in terms.items()
        )
    return profile


def _term_fields(
    profile_id: int, profile: Any, term: str, weight: int, expires_at: datetime | None
) -> dict[str, Any]:
    """One term row with its copies of the profile (a MatchProfile, or one not yet saved)."""
    return {
        "timebank_id": profile.timebank_id,
        "profile_id": profile_id,
        "person_id": profile.person_id,
        "term": term,
        "weight": weight,
        "expires_at": expires_at,
        "area": profile.area,
        "availability_mask": profile.availability_mask,
        "excluded_mask": profile.excluded_mask,
        "prior": given_prior(profile.given_recently),
    }


def _insert(
    model: type[models.Model], rows: Iterable[dict[str, Any]], fields: Sequence[str]
) -> int:
    """Bulk insert plain rows: COPY on PostgreSQL, one executemany on SQLite. The index is
    rebuilt wholesale, so going round the ORM's per-object work is worth it here."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    columns = ", ".join(qn(str(by_attname[name].column)) for name in fields)
    adapt = connection.ops.adapt_datetimefield_value
    dated = [
        i for i, name in enumerate(fields) if isinstance(by_attname[name], models.DateTimeField)
    ]

    def values(row: dict[str, Any]) -> list[Any]:
        out = [row[name] for name in fields]
        for i in dated:
            out[i] = adapt(out[i])
        return out

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(values(row))
            if len(batch) >= 10000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def request_terms_refresh(*, request: Request, created: bool = False) -> None:
    """Rewrite one request's terms from its title, tags and description (a new one has none to
    remove)."""
    if not created:
        RequestTerm.objects.filter(request_id=request.pk).delete()
    RequestTerm.objects.bulk_create(
        RequestTerm(timebank_id=request.timebank_id, request_id=request.pk, term=term)
        for term in _terms_of(request.title, request.tags, request.description)
    )


def profiles_refresh_for_person(*, person_id: int) -> None:
    """After a change to a person (their "what I can give", their times): every time bank."""
    for timebank_id in Membership.objects.filter(person_id=person_id).values_list(
        "timebank_id", flat=True
    ):
        profile_refresh(timebank_id=timebank_id, person_id=person_id)


_PROFILE_FIELDS = (
    "timebank_id", "person_id", "active", "area", "availability_mask", "excluded_mask",
    "given_recently", "latitude", "longitude", "updated_at",
)  # fmt: skip
_TERM_FIELDS = (
    "timebank_id", "profile_id", "person_id", "term", "weight", "expires_at", "area",
    "availability_mask", "excluded_mask", "prior",
)  # fmt: skip
_REQUEST_TERM_FIELDS = ("timebank_id", "request_id", "term")


def _request_term_rows(timebank_id: int) -> list[dict[str, Any]]:
    """Every request's terms, read in full before the insert (a COPY holds the connection)."""
    return [
        {"timebank_id": timebank_id, "request_id": request_id, "term": term}
        for request_id, title, tags, description in Request.objects.filter(
            timebank_id=timebank_id
        ).values_list("pk", "title", "tags", "description")
        for term in _terms_of(title, tags, description)
    ]


@transaction.atomic
def timebank_reindex(*, timebank: TimeBank) -> str:
    """Rebuild the whole time bank's index from its members, offers, exchanges and requests: a
    handful of reads, then plain bulk inserts (no model objects, no per-member queries)."""
    timebank_id = timebank.pk
    # Coordinates are recorded by hand (services.location_set): keep them across the rebuild.
    places = {
        person_id: (lat, lon)
        for person_id, lat, lon in MatchProfile.objects.filter(
            timebank_id=timebank_id, latitude__isnull=False
        ).values_list("person_id", "latitude", "longitude")
    }
    # Terms first (profiles cascade to them); plain DELETEs, so the ORM collects nothing.
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (MatchTerm, MatchProfile, RequestTerm):
            cursor.execute(
                f"DELETE FROM {qn(model._meta.db_table)} WHERE timebank_id = %s",  # noqa: S608
                [timebank_id],
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
    paused = set(paused_person_ids(timebank_id))
    now = timezone.now()
    profiles = {
        person_id: MatchProfile(
            timebank_id=timebank_id,
            person_id=person_id,
            active=status == MembershipStatus.ACTIVE and person_id not in paused,
            area=area_key(area),
            availability_mask=slot_mask(people[person_id][0]),
            excluded_mask=category_mask(excluded.get(person_id, [])),
            given_recently=given.get(person_id, 0),
            latitude=places.get(person_id, (None, None))[0],
            longitude=places.get(person_id, (None, None))[1],
            updated_at=now,
        )
        for person_id, status, area in Membership.objects.filter(
            timebank_id=timebank_id
        ).values_list("person_id", "status", "area")
    }
    _insert(MatchProfile, (vars(p) for p in profiles.values()), _PROFILE_FIELDS)
    profile_ids = dict(
        MatchProfile.objects.filter(timebank_id=timebank_id, active=True).values_list(
            "person_id", "pk"
        )
    )
    offers: dict[int, list[dict[str, Any]]] = {}
    for offer in _active_offers(timebank_id).iterator(chunk_size=5000):
        offers.setdefault(offer["person_id"], []).append(offer)
    written = _insert(
        MatchTerm,
        (
            _term_fields(profile_id, profiles[person_id], term, weight, expiry)
            for person_id, profile_id in profile_ids.items()
            for term, (weight, expiry) in person_terms(
                gives=people[person_id][1], offers=offers.get(person_id, [])
            ).items()
        ),
        _TERM_FIELDS,
    )
    _insert(RequestTerm, _request_term_rows(timebank_id), _REQUEST_TERM_FIELDS)
    return f"Matching index of {timebank.name}: {len(profiles):,} members, {written:,} terms."
