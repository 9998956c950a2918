"""Ranking people for what a request needs (`rank_needs`; the request as the signals see it is
`matching.selectors.needs_of`). One need or a page of them costs the same few queries: each
step runs every need's query in one statement.

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
from typing import Any, TypedDict

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

from coproduce.community.blocks import not_blocked_with
from coproduce.community.models import (
    Organisation,
    Person,
    SafeguardingCheck,
)
from coproduce.community.safeguarding import current_checks
from coproduce.exchanges.models import (
    ExchangeStatus,
    Participant,
    Request,
    Side,
)
from coproduce.matching import scores
from coproduce.matching.index import CATEGORY_BIT
from coproduce.matching.models import MatchingSettings, MatchProfile, MatchTerm
from coproduce.matching.receivers import pending_refresh
from coproduce.matching.scores import Need, Reason
from coproduce.matching.text import category_term

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


# --- settings --------------------------------------------------------------------------------


def weights_of(settings: MatchingSettings) -> dict[str, int]:
    return {
        "skill": settings.weight_skill,
        "place": settings.weight_place,
        "time": settings.weight_time,
        "fairness": settings.weight_fairness,
        "new_ties": settings.weight_new_ties,
    }


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
        # Conversations (issue 13): nobody is suggested to someone they blocked or who blocked them.
        q &= not_blocked_with(need.requester_id, f"{prefix}person_id")
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


def _in_one_round_trip(parts: list[list[QuerySet[Any, Any]]]) -> list[list[tuple[Any, ...]]]:
    """Runs several querysets in one statement and gives each one's rows back on its own:
    `parts[i]` is the list of querysets of the i-th need, and the answer's i-th list holds the
    rows of all of them, without duplicates. Each queryset keeps its own ORDER BY and LIMIT
    inside a derived table, which both databases allow in a UNION; the rows come back in no
    particular order. This is what keeps the broker queue's queries from growing with its rows.
    """
    sql_parts: list[str] = []
    params: list[Any] = []
    for i, querysets in enumerate(parts):
        for j, queryset in enumerate(querysets):
            sql, part_params = queryset.query.sql_with_params()
            # `i` is an int of ours and the SQL is compiled by the ORM.
            sql_parts.append(f"SELECT {int(i)} AS part, p_{i}_{j}.* FROM ({sql}) p_{i}_{j}")  # noqa: S608
            params.extend(part_params)
    found: list[list[tuple[Any, ...]]] = [[] for _ in parts]
    if not sql_parts:
        return found
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(sql_parts), params)
        for part, *row in cursor.fetchall():
            found[part].append(tuple(row))
    return found


def _shortlist(need: Need, w: dict[str, int], profiles: QuerySet[MatchProfile]) -> QuerySet[Any]:
    """The best SHORTLIST of some eligible profiles by the signals that need no look-up."""
    return (
        profiles.alias(**scores.place_annotations(need))
        .alias(first_score=_first_score(need, w, scores.skill_fit(need)))
        .order_by("-first_score", "person_id")
        .values_list("pk", flat=True)[:SHORTLIST]
    )


# What `_ranked` reads for each profile, in this order.
RANKED_COLUMNS = (
    "pk",
    "person_id",
    *_ProfileScores.__annotations__,
    "invited",
)


def _ranked(
    need: Need, w: dict[str, int], ids: list[int], request: Request | None, limit: int
) -> QuerySet[Any]:
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
    )
    if request is not None:
        invited: Any = Exists(
            Participant.objects.filter(
                exchange__request=request,
                exchange__status__in=OPEN_EXCHANGE,
                side=Side.PROVIDER,
                person_id=OuterRef("person_id"),
            )
        )
    else:
        invited = Value(False)
    # Since Django 5.2 the SELECT lists values_list's columns in the order named, so the raw
    # rows of `_in_one_round_trip` line up with RANKED_COLUMNS.
    return (
        rows.annotate(invited=invited)
        .order_by("-score2", "person_id")
        .values_list(*RANKED_COLUMNS)[:limit]
    )


def _scored(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """A ranked part's rows as dicts, in the order its query gave them (best first)."""
    scored = [dict(zip(RANKED_COLUMNS, row, strict=True)) for row in rows]
    scored.sort(key=lambda row: (-row["score2"], row["person_id"]))
    return scored


def max_score2(w: dict[str, int]) -> int:
    return 200 * (w["skill"] + w["place"] + w["time"] + w["new_ties"] + w["fairness"]) or 1


def rank_need(
    need: Need,
    settings: MatchingSettings,
    *,
    limit: int = 10,
    request: Request | None = None,
) -> list[Candidate]:
    return rank_needs([(need, request)], settings, limit=limit)[0]


def rank_needs(
    needs: list[tuple[Need, Request | None]], settings: MatchingSettings, *, limit: int = 10
) -> list[list[Candidate]]:
    """The best `limit` people for each need (with the request it comes from, when there is
    one), ranked as the module's opening says. The same few queries for one need or for a
    page of them: each step runs every need's query in one statement (`_in_one_round_trip`).
    """
    if not needs:
        return []
    w = weights_of(settings)
    pending_refresh()  # this transaction's own changes first (matching.receivers)
    eligible = [MatchProfile.objects.filter(hard_filters(need, settings)) for need, _r in needs]
    pools = [
        [profile_id for (profile_id,) in rows]
        for rows in _in_one_round_trip([_pool_lists(need, settings) for need, _r in needs])
    ]
    # Step 2 from the profiles of the pool (each one's skill through the (profile, term)
    # index), so no query ever touches every row of a common term.
    shortlists = _in_one_round_trip(
        [
            [_shortlist(need, w, eligible[i].filter(pk__in=pools[i]))] if pools[i] else []
            for i, (need, _r) in enumerate(needs)
        ]
    )
    ranked = _in_one_round_trip(
        [
            [_ranked(need, w, [pk for (pk,) in ids], request, limit)] if ids else []
            for (need, request), ids in zip(needs, shortlists, strict=True)
        ]
    )
    rows = [_scored(part) for part in ranked]
    # Only when fewer than `limit` people have any skill fit: members of the same area (or of
    # the whole time bank), ranked the same way after everyone with a skill fit.
    short = [i for i, found in enumerate(rows) if len(found) < limit]
    if short:
        rests: list[list[QuerySet[Any]]] = [[] for _ in needs]
        for i in short:
            need = needs[i][0]
            pool_ids = MatchTerm.objects.filter(scores.live_terms(need)).values("profile_id")
            rest = eligible[i].exclude(pk__in=pool_ids)
            if need.area:
                rest = rest.filter(area=need.area)
            rests[i] = [_shortlist(need, w, rest)]
        more = _in_one_round_trip(rests)
        ranked_more = _in_one_round_trip(
            [
                [_ranked(need, w, [pk for (pk,) in ids], request, limit - len(rows[i]))]
                if ids
                else []
                for i, ((need, request), ids) in enumerate(zip(needs, more, strict=True))
            ]
        )
        for i, part in enumerate(ranked_more):
            rows[i] += _scored(part)
    profile_ids = {row["pk"] for found in rows for row in found}
    if not profile_ids:
        return [[] for _ in needs]
    profiles = MatchProfile.objects.select_related("person").in_bulk(profile_ids)
    matched_rows = _in_one_round_trip(
        [
            [
                MatchTerm.objects.filter(
                    scores.live_terms(need), profile_id__in=[row["pk"] for row in found]
                ).values_list("profile_id", "term")
            ]
            if found
            else []
            for (need, _r), found in zip(needs, rows, strict=True)
        ]
    )
    best = max_score2(w)
    answers = []
    for (need, _r), found, terms in zip(needs, rows, matched_rows, strict=True):
        matched: dict[int, set[str]] = {}
        for profile_id, term in terms:
            matched.setdefault(profile_id, set()).add(term)
        answers.append(
            [_candidate(need, w, best, profiles[row["pk"]], row, matched) for row in found]
        )
    return answers


def _candidate(
    need: Need,
    w: dict[str, int],
    best: int,
    profile: MatchProfile,
    row: dict[str, Any],
    matched: dict[int, set[str]],
) -> Candidate:
    distance = None
    if need.origin is not None and profile.latitude is not None and profile.longitude is not None:
        distance = scores.haversine_km(need.origin, (profile.latitude, profile.longitude))
    fairness = (row["given"] + row["low_balance"]) // 2 - row["asked_penalty"]
    parts = {
        "skill": row["skill"],
        "place": row["place"],
        "time": row["time"],
        "fairness": fairness,
        "new_ties": row["tie"],
    }
    return Candidate(
        person=profile.person,
        score=max(0, min(100, round(100 * row["score2"] / best))),
        scores=parts,
        reasons=scores.reasons_for(
            need,
            scores=parts,
            matched_terms=matched.get(profile.pk, set()),
            availability_mask=profile.availability_mask,
            area=profile.area,
            distance_km=distance,
            given_recently=profile.given_recently,
            balance=row["balance"],
            asked=row["asked"],
            # Raw rows: SQLite gives 0/1 where the ORM would give a bool.
            exchanged_before=bool(row["exchanged_before"]),
            weights=w,
        ),
        already_invited=bool(row["invited"]),
    )
