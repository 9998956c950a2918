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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, overload

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast
from django.db.models.lookups import Contains, Exact
from django.db.models.sql import Query
from django.db.models.sql.constants import INNER
from django.utils import timezone

from coproduce.community.availability import DAYS
from coproduce.community.models import Membership, Person, TimeBank
from coproduce.community.safeguarding import paused_person_ids
from coproduce.core.errors import ApplicationError
from coproduce.core.kept_query import KeptQuery
from coproduce.exchanges.models import ListingStatus, Offer, Request
from coproduce.exchanges.selectors.listed_areas import listed_areas

Kind = Literal["offer", "request"]
Listing = Offer | Request
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
    now: datetime | None = None,
) -> QuerySet[Offer] | QuerySet[Request]:
    """Active, unexpired offers (or requests) of one time bank: best match first when searching,
    newest first otherwise. `day` ("mon"…"sun") keeps listings free on that day or at any time.
    Listings of people under a safeguarding pause are left out, except for the time bank's
    coordinators and the person themselves (`viewer`)."""
    model = _model(kind)
    listings = (
        model.objects.filter(timebank=timebank, status=ListingStatus.ACTIVE)
        .filter(_shown(timebank, viewer, category=category, area=area, day=day, now=now))
        .select_related("person", "organisation")
    )
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


@dataclass(frozen=True)
class ListingCounts:
    """What the list page counts, read together (`listings_counted`)."""

    areas: list[str]  # the areas active listings name: the area filter's choices
    found: dict[str, int]  # per area ("" for none), how many `listings_search` finds

    def count(self, area: str | None = None) -> int:
        """How many `listings_search` finds with the same filters and this area (any: None)."""
        return self.found.get(area, 0) if area else sum(self.found.values())


def listings_counted(
    *,
    timebank: TimeBank,
    kind: Kind,
    q: str = "",
    category: str | None = None,
    day: str | None = None,
    viewer: Person | None = None,
    now: datetime | None = None,
) -> ListingCounts:
    """The list page's two counts: the areas the bank's active listings name, as
    `listing_areas`, and how many listings `listings_search` finds with these filters in each
    area. Each alone reads every active listing's row (12,790 offers at 10,000 members: about
    7 and 5 ms on SQLite), so both come from one read (one query); with words to search for,
    the matches are counted apart, read through the full-text index, in the same statement
    (`_counted_rows`)."""
    rows = _counted_kept(
        timebank_id=timebank.pk,
        viewer_id=viewer.pk if viewer is not None else 0,
        now=now or timezone.now(),
        kind=kind,
        words=tuple(search_words(q)),
        category=category,
        day=day,
        has_viewer=viewer is not None,
        vendor=connection.vendor,
    )
    areas: list[str] = []
    found = {}
    for row in rows:
        if row["area"] and row["listed"]:
            areas.append(row["area"])
        if row["found"]:
            found[row["area"]] = row["found"]
    return ListingCounts(areas=areas, found=found)


def _counted_rows(
    timebank_id: int,
    viewer_id: int,
    now: datetime,
    kind: Kind,
    words: tuple[str, ...],
    category: str | None,
    day: str | None,
    has_viewer: bool,
    vendor: str,
) -> QuerySet[Any]:
    """`listings_counted`'s query (`vendor`: the database's, which the SQL depends on).

    Counted as `COUNT(1)` (Django refuses `COUNT(*)` with a filter), not as the count of ids:
    PostgreSQL then reads the (time bank, status, area, person, expires_at) index alone, in area
    order, where the id sent it to every row (the offers' counts at 10,000 members, 7.3 → 3.1
    ms at best). With words or a category on PostgreSQL the areas and the listings found are
    counted apart in one statement (`UNION ALL`: one row or two per area, in area order), those
    found through the full-text index (1,845 of the 12,790 offers for "garden") or the one by
    category (611 transport requests) instead of by testing every active listing (15.4 → 8.8
    ms at best for "garden", 5.5 → 2.2 for transport on Tuesdays). Since round 21 the areas of
    that statement are read by skipping along the index (`listed_areas`), not by counting
    every active listing per area, and SQLite counts the same way for every filter: its matches
    from the FTS table's rows, each looked up by its id, where it had tested each of the 12,790
    active offers against the 2,462 matches of "garden" (the count's CPU at 10,000 members
    5.6 to 6.4 → 1.9 to 2.1 ms; 2.8 to 3.4 → 0.8 to 1.1 for transport requests on Tuesdays)."""
    timebank = TimeBank(pk=timebank_id)
    viewer = Person(pk=viewer_id) if has_viewer else None
    model = _model(kind)
    shown = _shown(timebank, viewer, category=category, day=day, now=now)
    active = model.objects.filter(timebank=timebank, status=ListingStatus.ACTIVE)
    if vendor == "postgresql" and not (words or category):
        # Every active listing is read for the count: PostgreSQL counts the areas in the same
        # pass, in area order, cheaper than reading them apart (3.0 against 4.2 ms, round 21).
        listed = Count(Value(1), filter=~_paused(timebank))
        return (
            active.values("area")
            .annotate(listed=listed, found=Count(Value(1), filter=shown))
            .order_by("area")
        )
    # An index finds the listings found (the full-text index, on PostgreSQL the one by
    # category; on SQLite otherwise the covering one by area): counted apart from the areas,
    # each part read the cheap way.
    matches = active
    if words and vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        query = SearchQuery(_pg_terms(list(words)), search_type="raw", config="english")
        matches = matches.alias(search=_StoredDocument())
        shown &= Q(search=query)
    elif words:
        # Joined to the FTS table by its rowid (`OfferText` / `RequestText`): SQLite reads
        # the matches first, then each one's listing.
        shown &= Q(text_row__document__fts_match=_fts_terms(list(words)))
    found = (
        matches.filter(shown).values("area").annotate(listed=Value(0), found=Count("*")).order_by()
    )
    return listed_areas(model, timebank_id).union(found, all=True).order_by("area")


# The list page's counts, with their SQL kept per kind, words and filters (`core.kept_query`),
# run with the time bank's and the viewer's ids and the moment.
_counted_kept: KeptQuery[dict[str, Any]] = KeptQuery(
    Offer, _counted_rows, ids=("timebank_id", "viewer_id"), moment="now", shapes=256
)


def _shown(
    timebank: TimeBank,
    viewer: Person | None,
    *,
    category: str | None = None,
    area: str | None = None,
    day: str | None = None,
    now: datetime | None = None,
) -> Q:
    """Which of the bank's active listings `listings_search` finds, before the words: unexpired
    (at `now`, by default the present), not of a paused person (unless the viewer may see
    them), and the filters."""
    now = now or timezone.now()
    shown = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    hidden = _paused(timebank)
    if viewer is not None:
        # In the same query, so the page costs no extra round trip.
        viewer_coordinates = (
            Membership.objects.filter(timebank=timebank, person_id=viewer.pk)
            .active()
            .coordinators()
        )
        hidden &= ~Q(person_id=viewer.pk) & ~Q(Exists(viewer_coordinates))
    shown &= ~hidden
    if category:
        shown &= Q(category=category)
    if area:
        shown &= Q(area=area)
    if day:
        if day not in DAY_CODES:
            raise ApplicationError(f"“{day}” is not a day of the week.", "bad_day")
        # Slots are stored as a JSON list of strings such as "mon_am"; its text holds '"mon_'
        # exactly when one of that day's slots is in it, on both databases. [] means any time.
        text = Cast("availability", output_field=TextField())
        shown &= Q(Contains(text, f'"{day}_')) | Q(Exact(text, "[]"))
    return shown


def _paused(timebank: TimeBank) -> Q:
    """The listings of people under a safeguarding pause in the bank. Asked first whether the
    bank has any pause at all (once per query, an init plan): when it has none, as is usual,
    each listing read skips the look-up of its person among the paused (2 of the ~7 ms of the
    offers' counts at 10,000 members on SQLite)."""
    paused = paused_person_ids(timebank)
    return Q(Exists(paused)) & Q(person_id__in=paused)


def _model(kind: str) -> type[Offer] | type[Request]:
    try:
        return LISTING_MODELS[kind]
    except KeyError:
        raise ApplicationError(f"“{kind}” is neither an offer nor a request.", "bad_kind") from None


class _StoredDocument(Expression):
    """The listing's weighted search document as PostgreSQL stores it in the row (the generated
    column `search_document` of exchanges 0011: title A, tags B, description C, category code
    D, 'english'), so ranking a match reads it instead of running `to_tsvector` four times."""

    def __init__(self) -> None:
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        return f"{table}.search_document", []


def _postgres_match(listings: QuerySet, words: list[str]) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank

    query = SearchQuery(_pg_terms(words), search_type="raw", config="english")
    document = _StoredDocument()
    # `alias`, not `annotate`: the document is matched, never read back into Python.
    return (
        listings.alias(search=document)
        .annotate(rank=SearchRank(document, query))
        .filter(search=query)
        .order_by("-rank", "-created_at", "-id")
    )


class _PageOfIds:
    """A page of the list's ids (and ranks, when searching) as a derived table joined to the
    listings: `INNER JOIN (SELECT id AS page_id[, rank] FROM … ORDER BY … LIMIT …) page_of_ids
    ON page_of_ids.page_id = <listing>.id`. An entry of the outer query's `alias_map`, as
    Django's own joins are (the protocol of `django.db.models.sql.datastructures.Join`); never
    reused for another join, and never relabelled in practice (the outer query is no one's
    subquery)."""

    table_name = "page_of_ids"
    join_type = INNER
    nullable = False
    filtered_relation = None

    def __init__(self, page: Query, parent_alias: str) -> None:
        self.page = page
        self.parent_alias = parent_alias
        self.table_alias: str | None = None

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = self.page.get_compiler(connection=connection).as_sql()
        alias = compiler.quote_name_unless_alias(self.table_alias)
        parent = compiler.quote_name_unless_alias(self.parent_alias)
        return f'INNER JOIN ({sql}) {alias} ON ({alias}."page_id" = {parent}."id")', list(params)

    def relabeled_clone(self, change_map: dict[str, str]) -> _PageOfIds:
        clone = _PageOfIds(self.page, change_map.get(self.parent_alias, self.parent_alias))
        if self.table_alias is not None:
            clone.table_alias = change_map.get(self.table_alias, self.table_alias)
        return clone


class _PageRank(Expression):
    """The rank the page of ids carries (`_PageOfIds`), for the outer query's order."""

    def __init__(self, alias: str) -> None:
        super().__init__(output_field=FloatField())
        self.alias = alias

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        return f'{compiler.quote_name_unless_alias(self.alias)}."rank"', []


# What the list page shows of a listing (`exchanges.views.listings._cards`), its person
# (`Person.display_name`) and its organisation: the only columns a page of the list reads. The
# whole rows were 55 columns a listing (its person's and organisation's with it), a
# person's password and profile text among them, each fetched and converted for nothing.
LIST_FIELDS = (
    "public_id",
    "title",
    "description",
    "category",
    "area",
    "person__username",
    "person__first_name",
    "person__last_name",
    "person__erased_at",
    "organisation__name",
)


def page_of(found: QuerySet[Listing], start: int, stop: int) -> QuerySet[Listing]:
    """The listings `found` (a `listings_search`) holds from `start` to `stop`, in its order:
    the page is chosen on the listing table alone (its ids, and its ranks when searching, in a
    derived table), and only the page's rows are read with their people and organisations, in
    the same query, with the fields the list shows (`LIST_FIELDS`; any other is read on first
    use, one query each). The outer query repeats `found`'s order, so the rows and their order
    are those of `found[start:stop]`.

    Chosen with the joins, both databases joined every listing found to its person before
    keeping the page: SQLite sorted every match's whole row, its person and organisation
    included (3,334 offers for "help" at 1,000,000 exchanges), and PostgreSQL joined the ~600
    requests a filter finds to their people before sorting them (issue 17, round 19). This
    replaces PostgreSQL's `RankedPages` of round 16, which chose the page's ids in a subquery
    and repeated the search outside for the rank (as fast on PostgreSQL; on SQLite it read the
    matches twice)."""
    columns = ["page_id", "rank"] if "rank" in found.query.annotations else ["page_id"]
    page = found.annotate(page_id=F("pk")).values(*columns)[start:stop]
    listings = found.model._default_manager.select_related("person", "organisation").only(
        *LIST_FIELDS
    )
    query = listings.query
    alias = query.join(_PageOfIds(page.query, query.get_initial_alias()))  # type: ignore[arg-type]
    if "rank" in columns:
        listings = listings.annotate(rank=_PageRank(alias))
    return listings.order_by(*found.query.order_by)


def _page_rows(
    timebank_id: int,
    viewer_id: int,
    now: datetime,
    kind: Kind,
    words: tuple[str, ...],
    category: str | None,
    area: str | None,
    day: str | None,
    has_viewer: bool,
    start: int,
    stop: int,
) -> QuerySet[Any]:
    """One page of `listings_search` (`page_of`)."""
    found = listings_search(
        timebank=TimeBank(pk=timebank_id),
        kind=kind,
        q=" ".join(words),
        category=category,
        area=area,
        day=day,
        viewer=Person(pk=viewer_id) if has_viewer else None,
        now=now,
    )
    return page_of(found, start, stop)


def _searching(values: dict[str, Any]) -> bool:
    """Whether a page of the list searches for words. PostgreSQL then plans it for its values
    each time, unprepared (`core.planner.planned_for_values`). In the generic plan that a
    prepared statement gets after five runs, the words' `to_tsquery($1, $2)` is no constant: it was
    parsed again for every match rechecked and ranked (1,845 offers for "garden" at 10,000
    members), 5.1 ms at best against 3.2 planned for the values, planning included (medians
    10.5 against 7.1). The count keeps its generic plan: it ranks nothing, and planning it
    costs about what the plan saves (2.7 against 3.0 ms at best)."""
    return bool(values["words"])


# A page of the list, with its SQL kept per kind, words, filters and bounds (`core.kept_query`).
_page_kept: KeptQuery[Listing] = KeptQuery(
    Offer,
    _page_rows,
    ids=("timebank_id", "viewer_id"),
    moment="now",
    shapes=256,
    for_values=_searching,
)


class ListingPages:
    """The listings `listings_search` finds, as the list page's paginator slices them: each
    page read by its kept SQL (`_page_kept`) with the time bank's and the viewer's ids and the
    moment, in the same order and with the same rows as slicing `listings_search(…)`.
    The paginator is given its count by the view (`listings_counted`)."""

    def __init__(
        self,
        *,
        timebank: TimeBank,
        kind: Kind,
        viewer: Person | None,
        q: str = "",
        category: str | None = None,
        area: str | None = None,
        day: str | None = None,
    ) -> None:
        self._values: dict[str, Any] = {
            "timebank_id": timebank.pk,
            "viewer_id": viewer.pk if viewer is not None else 0,
            "now": timezone.now(),
            "kind": kind,
            "words": tuple(search_words(q)),
            "category": category,
            "area": area,
            "day": day,
            "has_viewer": viewer is not None,
        }
        _model(kind)  # an unknown kind is refused here, as listings_search refuses it

    def count(self) -> int:
        values = self._values
        return listings_search(
            timebank=TimeBank(pk=values["timebank_id"]),
            kind=values["kind"],
            q=" ".join(values["words"]),
            category=values["category"],
            area=values["area"],
            day=values["day"],
            viewer=Person(pk=values["viewer_id"]) if values["has_viewer"] else None,
            now=values["now"],
        ).count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Listing]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Listing: ...
    @overload
    def __getitem__(self, index: slice) -> list[Listing]: ...
    def __getitem__(self, index: int | slice) -> Listing | list[Listing]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop, step = index.indices(2**62)
        if step != 1:
            raise ValueError("A page of listings is read in order.")
        return _page_kept(**self._values, start=start, stop=stop)


def _sqlite_match(listings: QuerySet, table: str, words: list[str]) -> QuerySet:
    """The listings whose FTS5 row matches, ranked by bm25 (lower is better; title counts most,
    then tags, category code, description).

    The FTS table is joined to the listings (through `OfferText` / `RequestText`), so SQLite
    reads the matching rows once, each with its rank. A rank as a correlated subquery per
    listing ran the MATCH again for every row: 290 ms for a common word at 10,000 members,
    against about 5 ms joined."""
    return (
        listings.filter(text_row__document__fts_match=_fts_terms(words))
        .annotate(rank=_Bm25(F("text_row__document")))
        .order_by("rank", "-created_at", "-id")
    )


def _pg_terms(words: list[str]) -> str:
    # Each word quoted, as a prefix, all required: 'garden':* & 'weed':*
    return " & ".join(f"'{word}':*" for word in words)


def _fts_terms(words: list[str]) -> str:
    # Each word quoted (it holds only letters and digits), as a prefix, all required.
    return " ".join(f'"{word}"*' for word in words)


class _Bm25(Func):
    """bm25(<the FTS row>, weights): title 10, description 1, tags 5, category code 2."""

    function = "bm25"
    template = "%(function)s(%(expressions)s, 10.0, 1.0, 5.0, 2.0)"
    output_field = FloatField()
