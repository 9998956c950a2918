"""The matching scores. Each is a small function that turns what a request needs into a
database expression scoring one candidate's MatchProfile from 0 to 100 (annotate a queryset of
profiles with it), so the ranking runs in the database and never loops over members in Python.

- skill_fit: the request's kind of help and words against the person's offers and "what I can
  give" (matching.text: stems and synonyms; terms stored in MatchTerm);
- place: same area, else distance where both have coordinates;
- time: availability overlaps the request's times; either side "any time" is half a match;
- given_little, low_balance, asked_this_week: fairness, so the work spreads;
- new_tie: someone the requester never exchanged with grows the network; a past confirmed
  exchange between the two is trust, and counts too (a little less).

`reasons_for` turns the scores of one candidate back into plain, translatable words; a reason
is given only for a signal that scored and whose weight is not zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Least
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.community.availability import slot_choices
from coproduce.core.categories import Category
from coproduce.exchanges.models import ExchangeStatus, Participant, Side
from coproduce.ledger.models import HOUR, Account, AccountKind
from coproduce.matching.index import GIVEN_LIFT, slots_of
from coproduce.matching.models import MatchTerm

# Skill points → score: the kind of help alone (3 points) is 45, with one word of the title 75.
SKILL_POINTS_TO_SCORE = 15
ANY_TIME_SCORE = 50
EARTH_KM = 6371.0
PLACE_BANDS_KM = ((1.0, 90), (2.0, 70), (5.0, 40))
ASKED_PENALTY = 35
PAST_TIE_SCORE, NEW_TIE_SCORE = 60, 100


@dataclass(frozen=True)
class Need:
    """What a request asks for, as the signals see it."""

    timebank_id: int
    category: str
    terms: dict[str, str]  # term → the request's own word for it, "c:<category>" included
    slots_mask: int = 0
    area: str = ""
    requester_id: int | None = None
    requester_name: str = ""
    origin: tuple[float, float] | None = None  # the requester's coordinates, when known
    excluded_people: tuple[int, ...] = field(default_factory=tuple)


def _int(value: int) -> Value:
    return Value(value, output_field=IntegerField())


# --- skill ---------------------------------------------------------------------------------


def live_terms(need: Need) -> Q:
    now = timezone.now()
    return Q(timebank_id=need.timebank_id, term__in=list(need.terms)) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def skill_points(need: Need) -> Coalesce:
    matched = (
        MatchTerm.objects.filter(live_terms(need), profile_id=OuterRef("pk"))
        .order_by()
        .values("profile_id")
        .annotate(points=Sum("weight"))
        .values("points")
    )
    return Coalesce(Subquery(matched, output_field=IntegerField()), _int(0))


def skill_fit(need: Need) -> Combinable:
    return Least(skill_points(need) * _int(SKILL_POINTS_TO_SCORE), _int(100))


# --- place ---------------------------------------------------------------------------------


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def _squared_km(origin: tuple[float, float], prefix: str = "") -> Combinable:
    """Squared distance by the equirectangular rule: plain arithmetic both databases run the
    same way, within a fraction of a per cent of haversine over a town's distances."""
    km_per_degree = math.pi * EARTH_KM / 180
    east = math.cos(math.radians(origin[0])) * km_per_degree
    dy = (F(f"{prefix}latitude") - Value(origin[0])) * Value(km_per_degree)
    dx = (F(f"{prefix}longitude") - Value(origin[1])) * Value(east)
    return dy * dy + dx * dx


def place(need: Need, prefix: str = "") -> Combinable:
    """`prefix` roots the fields elsewhere, e.g. "profile__" from a MatchTerm query."""
    whens = []
    if need.area:
        whens.append(When(Q(**{f"{prefix}area": need.area}), then=_int(100)))
    if need.origin is not None:
        near = Q(**{f"{prefix}latitude__isnull": False, f"{prefix}longitude__isnull": False})
        for km, score in PLACE_BANDS_KM:
            whens.append(When(near & Q(squared_km__lte=km * km), then=_int(score)))
    if not whens:
        return _int(0)
    return Case(*whens, default=_int(0), output_field=IntegerField())


def place_annotations(need: Need, prefix: str = "") -> dict[str, Combinable]:
    """place() reads `squared_km`; annotate it first when the requester has coordinates."""
    if need.origin is None:
        return {}
    return {"squared_km": _squared_km(need.origin, prefix)}


# --- time ----------------------------------------------------------------------------------


def time_overlap(need: Need, prefix: str = "") -> Combinable:
    if need.slots_mask == 0:
        return _int(ANY_TIME_SCORE)
    mask = f"{prefix}availability_mask"
    return Case(
        When(Q(**{mask: 0}), then=_int(ANY_TIME_SCORE)),
        When(GreaterThan(F(mask).bitand(need.slots_mask), 0), then=_int(100)),
        default=_int(0),
        output_field=IntegerField(),
    )


# --- fairness ------------------------------------------------------------------------------


def given_little(need: Need, prefix: str = "") -> Combinable:
    given = f"{prefix}given_recently"
    return Case(
        *(When(Q(**{f"{given}__lte": most}), then=_int(score)) for most, score in GIVEN_LIFT),
        default=_int(0),
        output_field=IntegerField(),
    )


def balance(need: Need) -> Coalesce:
    account = Account.objects.filter(
        timebank_id=need.timebank_id,
        person_id=OuterRef("person_id"),
        kind=AccountKind.MEMBER,
        unit=HOUR,
    ).values("balance")[:1]
    return Coalesce(Subquery(account), _int(0))


def low_balance(need: Need) -> Combinable:
    """They are in the list because they offer this help, so a balance below zero means they
    would like to earn: they get a lift."""
    return Case(When(balance__lt=0, then=_int(100)), default=_int(0), output_field=IntegerField())


def asked_count(need: Need, request: Any = None) -> Combinable:
    """Exchanges proposed to them as a helper in the last seven days, by someone else. An
    invitation for `request` itself is not counted: it is shown as "already asked to help with
    this request" instead, and must not push them down the very list it came from."""
    since = timezone.now() - timedelta(days=7)
    asked = Participant.objects.filter(
        person_id=OuterRef("person_id"),
        side=Side.PROVIDER,
        timebank_id=need.timebank_id,
        exchange__created_at__gte=since,
    ).exclude(exchange__proposed_by_id=OuterRef("person_id"))
    if request is not None and request.pk is not None:
        asked = asked.exclude(exchange__request_id=request.pk)
    counted = (
        asked.order_by()
        .values("person_id")
        .annotate(n=Count("exchange_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), _int(0))


def asked_this_week(need: Need) -> Combinable:
    return Least(F("asked") * _int(ASKED_PENALTY), _int(100))


# --- new ties ------------------------------------------------------------------------------


def exchanged_before(need: Need) -> Exists:
    if need.requester_id is None:
        return Exists(Participant.objects.none())
    return Exists(
        Participant.objects.filter(
            person_id=OuterRef("person_id"),
            exchange__status=ExchangeStatus.CONFIRMED,
            exchange__participants__person_id=need.requester_id,
        )
    )


def new_tie(need: Need) -> Combinable:
    if need.requester_id is None:
        return _int(0)
    return Case(
        When(exchanged_before=True, then=_int(PAST_TIE_SCORE)),
        default=_int(NEW_TIE_SCORE),
        output_field=IntegerField(),
    )


# --- words ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    signal: str  # skill, place, time, fairness, new_ties
    text: str
    # Fairness reasons speak of a person's balance and history: shown to coordinators only.
    private: bool = False


def _slot_labels(mask: int) -> list[str]:
    labels = dict(slot_choices())
    return [str(labels[slot]) for slot in slots_of(mask)]


def category_label(category: str) -> str:
    try:
        return str(Category(category).label).lower()
    except ValueError:
        return category


def reasons_for(
    need: Need,
    *,
    scores: dict[str, int],
    matched_terms: set[str],
    availability_mask: int,
    area: str,
    distance_km: float | None,
    given_recently: int,
    balance: int,
    asked: int,
    exchanged_before: bool,
    weights: dict[str, int],
) -> list[Reason]:
    reasons: list[Reason] = []
    if weights.get("skill") and scores.get("skill"):
        category = f"c:{need.category}"
        if category in matched_terms:
            reasons.append(
                Reason("skill", _("offers %(kind)s") % {"kind": category_label(need.category)})
            )
        words = [word for term, word in need.terms.items() if term in matched_terms]
        words = [w for w in words if not w.startswith("c:")]
        if words:
            reasons.append(
                Reason("skill", _("can help with %(words)s") % {"words": ", ".join(words[:4])})
            )
    if weights.get("place") and scores.get("place"):
        if need.area and area == need.area:
            reasons.append(Reason("place", _("lives in the same area")))
        elif distance_km is not None:
            reasons.append(
                Reason("place", _("lives about %(km)s km away") % {"km": f"{distance_km:.1f}"})
            )
    if weights.get("time") and need.slots_mask:
        common = availability_mask & need.slots_mask
        if availability_mask == 0:
            reasons.append(Reason("time", _("is free at most times")))
        elif common:
            reasons.append(
                Reason(
                    "time",
                    _("free on %(times)s") % {"times": ", ".join(_slot_labels(common)[:3])},
                )
            )
    if weights.get("fairness"):
        if given_recently == 0:
            reasons.append(Reason("fairness", _("has not yet had a chance to give"), True))
        elif given_recently <= 2:
            reasons.append(Reason("fairness", _("has given only a little so far"), True))
        if balance < 0:
            reasons.append(Reason("fairness", _("has a low balance and would like to earn"), True))
        if asked:
            reasons.append(
                Reason(
                    "fairness",
                    ngettext(
                        "already asked once this week",
                        "already asked %(n)d times this week",
                        asked,
                    )
                    % {"n": asked},
                    True,
                )
            )
    if weights.get("new_ties") and need.requester_id is not None:
        name = need.requester_name
        if exchanged_before:
            reasons.append(
                Reason("new_ties", _("has exchanged with %(name)s before") % {"name": name})
            )
        else:
            reasons.append(
                Reason("new_ties", _("would be a new connection for %(name)s") % {"name": name})
            )
    return reasons
