"""Finding offers and requests: one selector, full-text search on both databases.

PostgreSQL uses its own full-text search ('english' stemming, ranked, GIN expression index);
SQLite uses FTS5 tables (porter stemming, bm25 ranking) that migration 0003_listing_search keeps
in step with the listing tables by triggers. The person's words are never handed to either query
language as typed: they are cut into plain words, stop words dropped, and each word becomes a
quoted prefix term, so quotes, brackets and operators in a search can never raise an error, and a
simple search finds the same listings on both databases ("garden" finds "gardening").
"""

from __future__ import annotations

import re
from typing import Literal

from django.db import connection
from django.db.models import Exists, F, FloatField, Func, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from coproduce.community.availability import DAYS
from coproduce.community.models import Membership, Person, TimeBank
from coproduce.community.safeguarding import paused_person_ids
from coproduce.core.errors import ApplicationError
from coproduce.exchanges.models import ListingStatus, Offer, Request

Kind = Literal["offer", "request"]
LISTING_MODELS: dict[str, type[Offer] | type[Request]] = {"offer": Offer, "request": Request}
DAY_CODES = [code for code, _label in DAYS]

MAX_WORDS = 10
MAX_WORD_LENGTH = 40
# PostgreSQL's 'english' stop words (Snowball's list), dropped on SQLite too so that a search
# such as "help with the garden" means the same on both databases.
_STOP_WORDS_TEXT = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_WORD = re.compile(r"[^\W_]+")


def search_words(q: str) -> list[str]:
    """The plain words of what a person typed, lower-cased, without stop words."""
    words: list[str] = []
    for word in _WORD.findall((q or "").lower()):
        word = word[:MAX_WORD_LENGTH]
        if word not in STOP_WORDS and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def listings_search(
    *,
    timebank: TimeBank,
    kind: Kind,
    q: str = "",
    category: str | None = None,
    area: str | None = None,
    day: str | None = None,
    viewer: Person | None = None,
) -> QuerySet[Offer] | QuerySet[Request]:
    """Active, unexpired offers (or requests) of one time bank: best match first when searching,
    newest first otherwise. `day` ("mon"…"sun") keeps listings free on that day or at any time.
    Listings of people under a safeguarding pause are left out, except for the time bank's
    coordinators and the person themselves (`viewer`)."""
    model = _model(kind)
    now = timezone.now()
    listings = (
        model.objects.filter(timebank=timebank, status=ListingStatus.ACTIVE)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("person", "organisation")
    )
    hidden = Q(person_id__in=paused_person_ids(timebank))
    if viewer is not None:
        # In the same query, so the page costs no extra round trip.
        viewer_coordinates = (
            Membership.objects.filter(timebank=timebank, person_id=viewer.pk)
            .active()
            .coordinators()
        )
        hidden &= ~Q(person_id=viewer.pk) & ~Q(Exists(viewer_coordinates))
    listings = listings.exclude(hidden)
    if category:
        listings = listings.filter(category=category)
    if area:
        listings = listings.filter(area=area)
    if day:
        if day not in DAY_CODES:
            raise ApplicationError(f"“{day}” is not a day of the week.", "bad_day")
        # Slots are stored as a JSON list of strings such as "mon_am"; its text holds '"mon_'
        # exactly when one of that day's slots is in it, on both databases. [] means any time.
        listings = listings.annotate(
            availability_text=Cast("availability", output_field=TextField())
        ).filter(Q(availability_text__contains=f'"{day}_') | Q(availability_text="[]"))
    words = search_words(q)
    if not words:
        return listings.order_by("-created_at", "-id")
    if connection.vendor == "postgresql":
        return _postgres_match(listings, words)
    return _sqlite_match(listings, model._meta.db_table, words)


def listing_areas(*, timebank: TimeBank, kind: Kind) -> list[str]:
    """The areas active listings name, for the filter's choices (one query)."""
    return list(
        _model(kind)
        .objects.filter(timebank=timebank, status=ListingStatus.ACTIVE)
        .exclude(person_id__in=paused_person_ids(timebank))
        .exclude(area="")
        .order_by("area")
        .values_list("area", flat=True)
        .distinct()
    )


def _model(kind: str) -> type[Offer] | type[Request]:
    try:
        return LISTING_MODELS[kind]
    except KeyError:
        raise ApplicationError(f"“{kind}” is neither an offer nor a request.", "bad_kind") from None


def _pg_vector():  # type: ignore[no-untyped-def]
    from django.contrib.postgres.search import SearchVector

    # Must stay identical to the GIN index expression in migration 0003_listing_search.
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("tags", weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
        + SearchVector("category", weight="D", config="english")
    )


def _postgres_match(listings: QuerySet, words: list[str]) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank

    # Each word quoted, as a prefix, all required: 'garden':* & 'weed':*
    query = SearchQuery(
        " & ".join(f"'{word}':*" for word in words), search_type="raw", config="english"
    )
    vector = _pg_vector()
    return (
        listings.annotate(search=vector, rank=SearchRank(vector, query))
        .filter(search=query)
        .order_by("-rank", "-created_at", "-id")
    )


def _sqlite_match(listings: QuerySet, table: str, words: list[str]) -> QuerySet:
    """The listings whose FTS5 row matches, ranked by bm25 (lower is better; title counts most,
    then tags, category code, description).

    The FTS table is joined to the listings (through `OfferText` / `RequestText`), so SQLite
    reads the matching rows once, each with its rank. A rank as a correlated subquery per
    listing ran the MATCH again for every row: 290 ms for a common word at 10,000 members,
    against about 5 ms joined."""
    # Each word quoted (it holds only letters and digits), as a prefix, all required.
    match = " ".join(f'"{word}"*' for word in words)
    return (
        listings.filter(text_row__document__fts_match=match)
        .annotate(rank=_Bm25(F("text_row__document")))
        .order_by("rank", "-created_at", "-id")
    )


class _Bm25(Func):
    """bm25(<the FTS row>, weights): title 10, description 1, tags 5, category code 2."""

    function = "bm25"
    template = "%(function)s(%(expressions)s, 10.0, 1.0, 5.0, 2.0)"
    output_field = FloatField()
