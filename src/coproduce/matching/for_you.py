"""The home page's "requests you could help with", ranked once every few minutes.

Ranking every open request of a time bank for one person is the dearest part of the home page
(the requests of their kinds of help or with their words, scored). The ranking moves slowly, so
the home page keeps each person's ranked requests (ids, scores and reasons, in the page's
language) in the cache for `FRESH_FOR`; every view then re-checks those few requests against the
hard rules in one query (`suggestions.answerable_requests`), so a request closed, expired, taken
up, paused or blocked since never shows. A new request reaches the box within `FRESH_FOR`; the
requests page and the coordinator's candidates always rank afresh.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone, translation

from coproduce.community.models import Person, TimeBank
from coproduce.core.kept_query import KeptQuery
from coproduce.exchanges.models import Request
from coproduce.matching.scores import Reason
from coproduce.matching.suggestions import Suggestion, answerable_requests, requests_for_person

FRESH_FOR = timedelta(minutes=5)


def _answerable_of(
    timebank_id: int, person_id: int, now: datetime, request_ids: list[int]
) -> QuerySet[Request]:
    # Only what the box shows (matching/_requests_for_you.html): a link, a title and a kind.
    return (
        answerable_requests(Person(pk=person_id), TimeBank(pk=timebank_id), now)
        .only("id", "timebank_id", "public_id", "title", "category")
        .filter(pk__in=request_ids)
    )


# The re-check of the kept requests, as `in_bulk` read them, with its SQL kept
# (`core.kept_query`): run with the person's own id, so their blocks and exchanges count.
_still_answerable: KeptQuery[Request] = KeptQuery(
    Request,
    _answerable_of,
    ids=("timebank_id", "person_id"),
    lists=("request_ids",),
    moment="now",
)
# Ranked a little past the box's size, so a request gone since still leaves it full.
SPARE = 5


def requests_for_home(person: Person, *, timebank: TimeBank, limit: int) -> list[Suggestion]:
    key = f"matching:for-you:{timebank.pk}:{person.pk}:{limit}:{translation.get_language()}"
    ranked: list[tuple[int, int, list[Reason]]] | None = cache.get(key)
    if ranked is None:
        ranked = [
            (s.request.pk, s.score, s.reasons)
            for s in requests_for_person(person, limit=limit + SPARE, timebank=timebank)
        ]
        cache.set(key, ranked, FRESH_FOR.total_seconds())
    if not ranked:
        return []
    still = _still_answerable(
        timebank_id=timebank.pk,
        person_id=person.pk,
        now=timezone.now(),
        request_ids=[request_id for request_id, _score, _reasons in ranked],
    )
    found = {request.pk: request for request in still}
    return [
        Suggestion(request=found[request_id], score=score, reasons=reasons)
        for request_id, score, reasons in ranked
        if request_id in found
    ][:limit]
