"""Reads for matching: who could help with a request (which requests a person could help with
is `matching.suggestions`, the coordinators' broker queue `matching.broker_queue`). Every lookup
is scoped to the person asking and their time bank.

The people are ranked by `matching.ranking`; this module adds what a page needs around it: the
settings, who may see the candidates, the request as the signals see it (`needs_of`), and the
partner organisations whose offers fit.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import (
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Membership,
    MembershipStatus,
    Organisation,
    Person,
    TimeBank,
)
from coproduce.community.permissions import membership_is_coordinator
from coproduce.core.errors import NotFound
from coproduce.exchanges.models import (
    ListingStatus,
    Offer,
    Request,
)
from coproduce.matching import scores
from coproduce.matching.blocks import need_without_blocked
from coproduce.matching.index import area_key, person_terms, slot_mask
from coproduce.matching.models import MatchingPreference, MatchingSettings, MatchProfile
from coproduce.matching.ranking import Candidate, max_score2, rank_need, weights_of
from coproduce.matching.scores import Need, Reason
from coproduce.matching.text import category_term, forms_of, terms_of

# --- settings and lookups ------------------------------------------------------------------


def settings_for(timebank: TimeBank) -> MatchingSettings:
    """The time bank's matching settings, created with the defaults on first use."""
    found, _created = MatchingSettings.objects.get_or_create(timebank=timebank)
    found.timebank = timebank  # its rules (`safeguarding`) are read from the time bank
    return found


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
    """The request as the signals see it (one query; see `needs_of`)."""
    return needs_of([request])[0]


def needs_of(requests: list[Request]) -> list[Need]:
    """The requests as the signals see them. One query whatever their number: the requesters'
    own profiles, for their area when a request names none, and their coordinates."""
    homes: dict[tuple[int, int], dict[str, Any]] = {}
    asked_by = {(r.timebank_id, r.person_id) for r in requests if r.person_id is not None}
    if asked_by:
        who = Q()
        for timebank_id, person_id in asked_by:
            who |= Q(timebank_id=timebank_id, person_id=person_id)
        for found in MatchProfile.objects.filter(who).values(
            "timebank_id", "person_id", "area", "latitude", "longitude"
        ):
            homes[(found["timebank_id"], found["person_id"])] = dict(found)
    needs = []
    for request in requests:
        terms = {category_term(request.category): category_term(request.category)}
        terms.update(terms_of(request.title, request.tags, request.description))
        home = homes.get((request.timebank_id, request.person_id))  # type: ignore[arg-type]
        origin = None
        if home and home["latitude"] is not None and home["longitude"] is not None:
            origin = (home["latitude"], home["longitude"])
        if request.person is not None:
            name = request.person.display_name
        else:
            name = request.organisation.name if request.organisation is not None else ""
        needs.append(
            Need(
                timebank_id=request.timebank_id,
                category=request.category,
                terms=terms,
                slots_mask=slot_mask(request.availability),
                area=area_key(request.area) or (home["area"] if home else ""),
                requester_id=request.person_id,
                requester_name=name,
                origin=origin,
            )
        )
    return needs


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
    need = need_without_blocked(need_of(request))
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
