"""Matching, as on /matching/: my "don't suggest me for" list (`matching.services.
preference_set`), the open requests I am best placed to answer (`matching.suggestions.
requests_for_person`, ranked afresh as on the requests page), and for a coordinator the people
and partner organisations best placed to help with a request (`candidates_for_request`, found by
`request_get_for`). Both rankings are a short list, best first: `limit` says how long, and there
is no cursor (a ranking is recomputed on every read, so a page boundary would not be stable).

A member sees only the reasons safe to show them; reasons about fairness (a balance, a history)
and the scores of each signal are for coordinators, as on the web.
"""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Schema

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.schemas import (
    ExchangeOut,
    ListingOut,
    PartyOut,
    exchange_out,
    listing_out,
    party,
    responses,
)
from coproduce.community.permissions import membership_is_coordinator
from coproduce.community.selectors import membership_get
from coproduce.core.categories import Category
from coproduce.core.errors import NotFound
from coproduce.matching import selectors, services
from coproduce.matching.ranking import Candidate
from coproduce.matching.scores import Reason
from coproduce.matching.suggestions import requests_for_person

router = Router(tags=["matching"])


class PreferencesOut(Schema):
    excluded_categories: list[Category] = F(description="Kinds of help not to suggest me for.")


class PreferencesIn(Schema):
    excluded_categories: list[Category] = F(max_length=len(Category.values))


class RankingQuery(Schema):
    limit: int = F(10, ge=1, le=20, description="How many at most (1 to 20), best first.")


class ReasonOut(Schema):
    signal: str
    text: str


class SuggestionOut(Schema):
    request: ListingOut
    score: int = F(description="0 to 100.")
    reasons: list[ReasonOut]


class SuggestionList(Schema):
    items: list[SuggestionOut]


class CandidateOut(Schema):
    who: PartyOut = F(description="A member to invite, or an organisation to contact.")
    score: int = F(description="0 to 100.")
    scores: dict[str, int] = F(description="Each signal's part (skill, place, time, …).")
    reasons: list[ReasonOut] = F(description="Fairness reasons included (coordinators only).")
    already_invited: bool


class CandidateList(Schema):
    items: list[CandidateOut]


def _reasons(reasons: list[Reason], *, private: bool) -> list[ReasonOut]:
    return [
        ReasonOut(signal=reason.signal, text=str(reason.text))
        for reason in reasons
        if private or not reason.private
    ]


def _preferences(request: HttpRequest) -> PreferencesOut:
    who = caller(request)
    current = selectors.preference_for(who.person, who.timebank)
    return PreferencesOut(excluded_categories=current.excluded_categories if current else [])


@router.get(
    "/matching/preferences",
    response=responses({200: PreferencesOut}),
    summary="The kinds of help I asked not to be suggested for",
)
def preferences_read(request: HttpRequest) -> PreferencesOut:
    return _preferences(request)


@write_operation(
    router,
    "/matching/preferences",
    method="PUT",
    idempotent=False,
    response=responses({200: PreferencesOut}),
    summary="Choose the kinds of help not to be suggested for (the whole list)",
)
def preferences_set(request: HttpRequest, payload: PreferencesIn) -> PreferencesOut:
    who = caller(request)
    services.preference_set(
        person=who.person,
        timebank=who.timebank,
        excluded_categories=[str(category) for category in payload.excluded_categories],
    )
    return _preferences(request)


@router.get(
    "/matching/requests-for-me",
    response=responses({200: SuggestionList}, 422),
    summary="Open requests I am well placed to help with, best first",
)
def requests_for_me(request: HttpRequest, query: Query[RankingQuery]) -> SuggestionList:
    who = caller(request)
    found = requests_for_person(who.person, limit=query.limit, timebank=who.timebank)
    return SuggestionList(
        items=[
            SuggestionOut(
                request=listing_out(suggestion.request),
                score=suggestion.score,
                reasons=_reasons(suggestion.reasons, private=False),
            )
            for suggestion in found[: query.limit]
        ]
    )


def _candidate(candidate: Candidate) -> CandidateOut:
    who = candidate.person if candidate.person is not None else candidate.organisation
    assert who is not None
    return CandidateOut(
        who=party(who),
        score=candidate.score,
        scores=dict(candidate.scores),
        reasons=_reasons(candidate.reasons, private=True),
        already_invited=candidate.already_invited,
    )


@router.get(
    "/matching/requests/{public_id}/candidates",
    response=responses({200: CandidateList}, 404, 422),
    summary="Who could help with a request, best first (coordinators)",
)
def candidates(request: HttpRequest, public_id: UUID, query: Query[RankingQuery]) -> CandidateList:
    who = caller(request)
    help_request = selectors.request_get_for(who.person, who.timebank, public_id)
    if not membership_is_coordinator(membership_get(person=who.person, timebank=who.timebank)):
        # The person who asked sees who could help on their request's page, without scores.
        raise NotFound(_("No such request."))
    found = selectors.candidates_for_request(help_request, limit=query.limit)
    return CandidateList(items=[_candidate(candidate) for candidate in found[: query.limit]])


@write_operation(
    router,
    "/matching/requests/{public_id}/invite/{person_id}",
    response=responses({200: ExchangeOut}, 404, 409),
    summary="Ask a member to help with a request (a coordinator, or the person who asked where "
    "the time bank allows it): the exchange proposed to them (the same one if asked again)",
)
def invite(request: HttpRequest, public_id: UUID, person_id: UUID) -> ExchangeOut:
    who = caller(request)
    help_request = selectors.request_get_for(who.person, who.timebank, public_id)
    candidate = selectors.candidate_get_for(timebank=who.timebank, public_id=person_id)
    return exchange_out(
        services.candidate_invite(request=help_request, candidate=candidate, acting=who.person)
    )
