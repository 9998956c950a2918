"""Reads for matching: who could help with a request (which requests a person could help with
is `matching.suggestions`, the coordinators' broker queue `matching.broker_queue`). Every lookup
is scoped to the person asking and their time bank.

Ranking reads the prepared index (MatchTerm) in three small steps, so a time bank of 100,000
members costs a few indexed queries, never a loop over members, and the work does not grow
with the number of people who offer the kind of help asked for:
1. the *pool*: for the request's kind of help and its first few words, the best LIST_SIZE term
   rows in the same area and in the whole time bank (and, when the request names times, of
   those free then), each list read straight off an index already in ranking order (weight,
   then "given little", then person id), after the hard filters the rows' copies can tell;
2. the *shortlist*: the pool ordered by skill (all the request's terms), place, time and
   "given little", after every hard filter on the profile itself (active membership, not the
   requester, the person's own "don't match me for" list, a current safeguarding check where
   the kind of help needs one); the best SHORTLIST are kept;
3. the shortlist gets the signals that need a look-up per person (balance, times asked this
   week, past exchanges with the requester) and is ordered by the full weighted score, ties
   broken by the person's id, so the ranking is deterministic.
Only when fewer than `limit` people have any skill fit is the list filled with members of the
same area (or of the whole time bank when the request names no area), ranked the same way
after everyone with a skill fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from django.db import connection
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Membership,
    MembershipStatus,
    Organisation,
    Person,
    SafeguardingCheck,
    TimeBank,
)
from coproduce.community.permissions import membership_is_coordinator
from coproduce.community.safeguarding import current_checks
from coproduce.core.errors import NotFound
from coproduce.exchanges.models import (
    ExchangeStatus,
    ListingStatus,
    Offer,
    Participant,
    Request,
    Side,
)
from coproduce.matching import scores
from coproduce.matching.index import CATEGORY_BIT, area_key, person_terms, slot_mask
from coproduce.matching.models import MatchingPreference, MatchingSettings, MatchProfile, MatchTerm
from coproduce.matching.receivers import pending_refresh
from coproduce.matching.scores import Need, Reason
from coproduce.matching.text import category_term, forms_of, terms_of

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

SHORTLIST = 50
# People per pre-sorted list of the pool, and how many of the request's words (besides its kind
# of help) get lists of their own.
LIST_SIZE = 50
LIST_WORDS = 4
SIGNALS = ("skill", "place", "time", "fairness", "new_ties")
OPEN_EXCHANGE = [ExchangeStatus.PROPOSED, ExchangeStatus.AGREED, ExchangeStatus.DONE]


class _ProfileScores(TypedDict):
    """What `_ranked` annotates on each MatchProfile."""

    skill: int
    place: int
    time: int
    given: int
    balance: int
    asked: int
    exchanged_before: bool
    low_balance: int
    asked_penalty: int
    tie: int
    score2: int


@dataclass
class Candidate:
    """A suggested person, or (with `person` None) a partner organisation with an active
    offer that fits; organisations are contacted through their own page, not invited here."""

    person: Person | None
    score: int  # 0-100
    scores: dict[str, int]
    reasons: list[Reason]
    already_invited: bool
    organisation: Organisation | None = None

    def public_reasons(self) -> list[Reason]:
        return [reason for reason in self.reasons if not reason.private]


# --- settings and lookups ------------------------------------------------------------------


def settings_for(timebank: TimeBank) -> MatchingSettings:
    """The time bank's matching settings, created with the defaults on first use."""
    found, _created = MatchingSettings.objects.get_or_create(timebank=timebank)
    found.timebank = timebank  # its rules (`safeguarding`) are read from the time bank
    return found


def weights_of(settings: MatchingSettings) -> dict[str, int]:
    return {
        "skill": settings.weight_skill,
        "place": settings.weight_place,
        "time": settings.weight_time,
        "fairness": settings.weight_fairness,
        "new_ties": settings.weight_new_ties,
    }


def preference_for(person: Person, timebank: TimeBank) -> MatchingPreference | None:
    return MatchingPreference.objects.filter(person=person, timebank=timebank).first()


def can_see_candidates(
    *, person: Person, membership: Membership | None, request: Request, settings: MatchingSettings
) -> bool:
    if membership is None or membership.timebank_id != request.timebank_id:
        return False
    if membership_is_coordinator(membership):
        return True
    return (
        settings.requester_sees_candidates
        and membership.status == MembershipStatus.ACTIVE
        and request.person_id == person.pk
    )


def request_get_for(person: Person, timebank: TimeBank, public_id: UUID) -> Request:
    """An open request whose candidates the person may see: any, for the time bank's
    coordinators; their own, for the person who asked when the time bank allows it.
    Everyone else is told it does not exist."""
    membership = (
        Membership.objects.filter(person=person, timebank=timebank)
        .exclude(status=MembershipStatus.LEFT)
        .first()
    )
    request = (
        Request.objects.filter(timebank=timebank, public_id=public_id)
        .select_related("person", "organisation", "timebank")
        .first()
    )
    if request is None or membership is None:
        raise NotFound(_("No such request."))
    if not can_see_candidates(
        person=person, membership=membership, request=request, settings=settings_for(timebank)
    ):
        raise NotFound(_("No such request."))
    return request


def candidate_get_for(*, timebank: TimeBank, public_id: UUID) -> Person:
    """A member of the time bank, by public id (the invite form names them that way)."""
    person = Person.objects.filter(public_id=public_id, memberships__timebank=timebank).first()
    if person is None:
        raise NotFound(_("No such member."))
    return person


# --- what a request needs ------------------------------------------------------------------


def need_of(request: Request) -> Need:
    """The request as the signals see it. One query: the requester's own profile, for their
    area when the request names none, and their coordinates."""
    terms = {category_term(request.category): category_term(request.category)}
    terms.update(terms_of(request.title, request.tags, request.description))
    home = None
    if request.person_id is not None:
        home = (
            MatchProfile.objects.filter(
                timebank_id=request.timebank_id, person_id=request.person_id
            )
            .values("area", "latitude", "longitude")
            .first()
        )
    origin = None
    if home and home["latitude"] is not None and home["longitude"] is not None:
        origin = (home["latitude"], home["longitude"])
    if request.person is not None:
        name = request.person.display_name
    else:
        name = request.organisation.name if request.organisation is not None else ""
    return Need(
        timebank_id=request.timebank_id,
        category=request.category,
        terms=terms,
        slots_mask=slot_mask(request.availability),
        area=area_key(request.area) or (home["area"] if home else ""),
        requester_id=request.person_id,
        requester_name=name,
        origin=origin,
    )


# --- candidates for a request ----------------------------------------------------------------


def hard_filters(need: Need, settings: MatchingSettings, prefix: str = "") -> Q:
    """The hard filters, which no score can beat, on a MatchProfile (or, with `prefix`,
    on a row that reaches one)."""
    return Q(**{f"{prefix}active": True}) & copied_filters(need, settings, prefix)


def copied_filters(need: Need, settings: MatchingSettings, prefix: str = "") -> Q:
    """The hard filters but "active", on any row with timebank_id, person_id and excluded_mask:
    a MatchProfile, or a MatchTerm (its copies; only active members have terms)."""
    q = Q(**{f"{prefix}timebank_id": need.timebank_id})
    if need.requester_id is not None:
        q &= ~Q(**{f"{prefix}person_id": need.requester_id})
    if need.excluded_people:
        q &= ~Q(**{f"{prefix}person_id__in": need.excluded_people})
    bit = CATEGORY_BIT.get(need.category, 0)
    if bit:
        q &= Q(Exact(F(f"{prefix}excluded_mask").bitand(bit), 0))
    required = (settings.safeguarding or {}).get(need.category)
    if required:
        today = timezone.localdate()
        q &= Q(
            Exists(
                SafeguardingCheck.objects.filter(
                    timebank_id=need.timebank_id,
                    person_id=OuterRef(f"{prefix}person_id"),
                    kind=required,
                ).filter(current_checks(today))
            )
        )
    return q


def eligible_profiles(need: Need, settings: MatchingSettings) -> QuerySet[MatchProfile]:
    pending_refresh()  # this transaction's own changes first (matching.receivers)
    return MatchProfile.objects.filter(hard_filters(need, settings))


def _first_score(need: Need, w: dict[str, int], skill: Any, prefix: str = "") -> Any:
    """What the pool is ordered by (doubled, so the fairness half-weights stay integers)."""
    return (
        Value(2 * w["skill"]) * skill
        + Value(2 * w["place"]) * scores.place(need, prefix)
        + Value(2 * w["time"]) * scores.time_overlap(need, prefix)
        + Value(w["fairness"]) * scores.given_little(need, prefix)
    )


def _pool_lists(need: Need, settings: MatchingSettings) -> list[QuerySet[MatchTerm, int]]:
    """Step 1's lists: each the best LIST_SIZE rows of one term in one scope, in the order of
    the index that serves it (matchterm_by_area, matchterm_by_rank)."""
    now = timezone.now()
    category = category_term(need.category)
    words = [term for term in need.terms if term != category][:LIST_WORDS]
    rows = MatchTerm.objects.filter(copied_filters(need, settings)).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    free = Q(GreaterThan(F("availability_mask").bitand(need.slots_mask), 0))
    lists = []
    for term in [category, *words]:
        scopes = [Q(area=need.area), Q()] if need.area else [Q()]
        if term == category and need.slots_mask:
            scopes += [scope & free for scope in scopes]
        for scope in scopes:
            lists.append(
                rows.filter(scope, term=term)
                .order_by("-weight", "-prior", "person_id")
                .values_list("profile_id", flat=True)[:LIST_SIZE]
            )
    return lists


def _pool(need: Need, settings: MatchingSettings) -> list[int]:
    """The profiles of every list of step 1, in one round trip. Each list keeps its own ORDER
    BY and LIMIT inside a derived table, which both databases allow in a UNION."""
    parts: list[str] = []
    params: list[Any] = []
    for i, rows in enumerate(_pool_lists(need, settings)):
        sql, list_params = rows.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) pool_{i}")  # noqa: S608 (compiled by the ORM)
        params.extend(list_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(parts), params)
        return [profile_id for (profile_id,) in cursor.fetchall()]


def _shortlist(need: Need, w: dict[str, int], profiles: QuerySet[MatchProfile]) -> list[int]:
    """The best SHORTLIST of some eligible profiles by the signals that need no look-up."""
    return list(
        profiles.alias(**scores.place_annotations(need))
        .alias(first_score=_first_score(need, w, scores.skill_fit(need)))
        .order_by("-first_score", "person_id")
        .values_list("pk", flat=True)[:SHORTLIST]
    )


def _ranked(
    need: Need, w: dict[str, int], ids: list[int], request: Request | None, limit: int
) -> list[WithAnnotations[MatchProfile, _ProfileScores]]:
    rows = (
        MatchProfile.objects.filter(pk__in=ids)
        .annotate(**scores.place_annotations(need))
        .annotate(
            skill=scores.skill_fit(need),
            place=scores.place(need),
            time=scores.time_overlap(need),
            given=scores.given_little(need),
            balance=scores.balance(need),
            asked=scores.asked_count(need, request),
            exchanged_before=scores.exchanged_before(need),
        )
        .annotate(
            low_balance=scores.low_balance(need),
            asked_penalty=scores.asked_this_week(need),
            tie=scores.new_tie(need),
        )
        .annotate(
            score2=Value(2 * w["skill"]) * F("skill")
            + Value(2 * w["place"]) * F("place")
            + Value(2 * w["time"]) * F("time")
            + Value(2 * w["new_ties"]) * F("tie")
            # The lifts count half (they only tip a balance); being asked this week counts in
            # full, so someone asked three times drops below an equal who was not.
            + Value(w["fairness"]) * (F("given") + F("low_balance"))
            - Value(2 * w["fairness"]) * F("asked_penalty")
        )
        .select_related("person")
        .order_by("-score2", "person_id")
    )
    if request is not None:
        rows = rows.annotate(
            invited=Exists(
                Participant.objects.filter(
                    exchange__request=request,
                    exchange__status__in=OPEN_EXCHANGE,
                    side=Side.PROVIDER,
                    person_id=OuterRef("person_id"),
                )
            )
        )
    return list(rows[:limit])


def max_score2(w: dict[str, int]) -> int:
    return 200 * (w["skill"] + w["place"] + w["time"] + w["new_ties"] + w["fairness"]) or 1


def rank_need(
    need: Need,
    settings: MatchingSettings,
    *,
    limit: int = 10,
    request: Request | None = None,
) -> list[Candidate]:
    w = weights_of(settings)
    eligible = eligible_profiles(need, settings)
    pool_ids = MatchTerm.objects.filter(scores.live_terms(need)).values("profile_id")
    pool = _pool(need, settings)
    # Step 2 from the profiles of the pool (each one's skill through the (profile, term)
    # index), so no query ever touches every row of a common term.
    ids = _shortlist(need, w, eligible.filter(pk__in=pool)) if pool else []
    rows = _ranked(need, w, ids, request, limit) if ids else []
    if len(rows) < limit:
        rest = eligible.exclude(pk__in=pool_ids)
        if need.area:
            rest = rest.filter(area=need.area)
        more = _shortlist(need, w, rest)
        if more:
            rows += _ranked(need, w, more, request, limit - len(rows))
    matched: dict[int, set[str]] = {}
    if rows:
        for profile_id, term in MatchTerm.objects.filter(
            scores.live_terms(need), profile_id__in=[r.pk for r in rows]
        ).values_list("profile_id", "term"):
            matched.setdefault(profile_id, set()).add(term)
    best = max_score2(w)
    candidates = []
    for row in rows:
        distance = None
        if need.origin is not None and row.latitude is not None and row.longitude is not None:
            distance = scores.haversine_km(need.origin, (row.latitude, row.longitude))
        fairness = (row.given + row.low_balance) // 2 - row.asked_penalty
        parts = {
            "skill": row.skill,
            "place": row.place,
            "time": row.time,
            "fairness": fairness,
            "new_ties": row.tie,
        }
        candidates.append(
            Candidate(
                person=row.person,
                score=max(0, min(100, round(100 * row.score2 / best))),
                scores=parts,
                reasons=scores.reasons_for(
                    need,
                    scores=parts,
                    matched_terms=matched.get(row.pk, set()),
                    availability_mask=row.availability_mask,
                    area=row.area,
                    distance_km=distance,
                    given_recently=row.given_recently,
                    balance=row.balance,
                    asked=row.asked,
                    exchanged_before=row.exchanged_before,
                    weights=w,
                ),
                already_invited=bool(getattr(row, "invited", False)),
            )
        )
    return candidates


def _offer_phrase(title: str) -> str:
    """An offer's title inside a sentence: "Health walks" → "health walks", "NHS checks" kept."""
    title = " ".join(title.split())
    if title[1:2].islower():
        return title[:1].lower() + title[1:]
    return title


def organisation_candidates(
    request: Request, need: Need, settings: MatchingSettings, *, limit: int = 10
) -> list[Candidate]:
    """Partner organisations of the request's time bank with an active, unexpired offer whose
    kind of help or words fit the request, ranked by skill fit only, ties by the organisation's
    id. Never the organisation that asked. One query: a time bank has few organisations."""
    w = weights_of(settings)
    now = timezone.now()
    category = category_term(need.category)
    fits = Q(category=need.category)
    for term in need.terms:
        if term != category:
            fits |= word_match(term)
    offers = (
        Offer.objects.filter(
            timebank_id=need.timebank_id,
            organisation__isnull=False,
            organisation__timebank_id=need.timebank_id,
            status=ListingStatus.ACTIVE,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(fits)
        .select_related("organisation")
        .order_by("organisation_id", "pk")
    )
    if request.organisation_id is not None:
        offers = offers.exclude(organisation_id=request.organisation_id)
    found: dict[int, tuple[Organisation, int, list[Offer]]] = {}
    for offer in offers:
        terms = person_terms(
            gives="",
            offers=[
                {
                    "title": offer.title,
                    "tags": offer.tags,
                    "description": offer.description,
                    "category": offer.category,
                    "expires_at": None,
                }
            ],
        )
        points = sum(weight for term, (weight, _e) in terms.items() if term in need.terms)
        if not points:
            continue
        organisation = offer.organisation
        assert organisation is not None  # only offers by an organisation were read
        org, best, fitting = found.get(organisation.pk, (organisation, 0, []))
        fitting.append(offer)
        found[organisation.pk] = (org, max(best, points), fitting)
    ranked = sorted(found.values(), key=lambda item: (-item[1], item[0].pk))[:limit]
    top = max_score2(w)
    candidates = []
    for org, points, fitting in ranked:
        skill = min(100, points * scores.SKILL_POINTS_TO_SCORE)
        phrases = list(dict.fromkeys(_offer_phrase(o.title) for o in fitting))
        reason = _("%(name)s offers %(what)s") % {
            "name": org.name,
            "what": ", ".join(phrases[:3]),
        }
        candidates.append(
            Candidate(
                person=None,
                organisation=org,
                score=max(0, min(100, round(100 * 2 * w["skill"] * skill / top))),
                scores={"skill": skill},
                reasons=[Reason("skill", reason)],
                already_invited=False,
            )
        )
    return candidates


def candidates_for_request(request: Request, *, limit: int = 10) -> list[Candidate]:
    """The people and partner organisations best placed to help with a request, best first,
    each with a score (0-100) and the reasons in plain words. About six queries whatever the
    time bank's size.

    People are ranked as by rank_need; organisations separately (organisation_candidates). The
    two lists are merged by score; on equal scores people come first, each list keeping its own
    order, so the ranking is deterministic."""
    need = need_of(request)
    settings = settings_for(request.timebank)
    people = rank_need(need, settings, limit=limit, request=request)
    organisations = organisation_candidates(request, need, settings, limit=limit)
    if not organisations:
        return people
    merged = [(-c.score, 0, i, c) for i, c in enumerate(people)]
    merged += [(-c.score, 1, i, c) for i, c in enumerate(organisations)]
    merged.sort(key=lambda item: item[:3])
    return [item[3] for item in merged[:limit]]


def word_match(term: str) -> Q:
    q = Q()
    for form in forms_of(term):
        q |= Q(title__icontains=form) | Q(tags__icontains=form) | Q(description__icontains=form)
    return q
