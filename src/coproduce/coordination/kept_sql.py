"""The dashboard's section queries, built and compiled once per process, run with new values.

Building and compiling a section's queryset (filters, subqueries, joins, the total) cost the
dashboard more CPU than running most of them (issue 17: about 13 ms of a view on the
10,000-member demo). A section whose SQL depends only on the time bank and the moment is
compiled twice, the first time it is asked for on a database: with two made-up time bank ids
and two moments years apart. The two SQL texts must be the same; each parameter must then be
either the same in both (a constant: a status, a role, a limit), the time bank's id, or an
instant or a date at the same distance from the moment (or from its local date) in both
(`now - 7 days`, `today + 30 days`). Anything else (a parameter that varies some other way, a
different SQL text, a query run while the queryset is built) and the section is not kept: it
is read through the ORM on every view, as before (so is a section marked not to be kept). Each
view then puts its own time bank id and moment into the kept parameters and builds the
instances as Django's `ModelIterable` does (the `select_related` objects and annotations
included; the prefetches by `prefetch_kept`, their own SQL kept too), or, for a `.values()`
queryset, the dicts `ValuesIterable` gives.

Only linear offsets are recognised, which is what the sections compute (`now - N days`,
`localdate(now) + N days`); `tests/coordination/test_kept_sql.py` proves every kept section's
rows equal the ORM's, on both databases, at several moments (across a change of summer time).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.db.models.query import ModelIterable, ValuesIterable
from django.utils import timezone

from coproduce.community.models import TimeBank
from coproduce.core.compiled_query import results_from_rows
from coproduce.core.kept_query import KeptQuery as CoreKeptQuery
from coproduce.core.kept_query import instant_of
from coproduce.core.planner import planner_settings

# Two made-up time bank ids (never a real row's) and two moments far apart, on different days
# of the year, times of day and days of the week.
_BANKS = (-(2**62) + 11, -(2**62) + 12)
_MOMENTS = (
    datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=UTC),
    datetime(2013, 7, 18, 21, 50, 11, 121314, tzinfo=UTC),
)

Build = Callable[[TimeBank, datetime], QuerySet[Any]]


@dataclass(frozen=True)
class _Slot:
    """How one parameter is worked out from the time bank and the moment."""

    kind: str  # "bank", "instant" or "date"
    offset: timedelta = timedelta(0)
    adapted: bool = False  # the backend passes it as text (SQLite)


@dataclass(frozen=True)
class _Kept:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, _Slot], ...]
    query: Any
    select: Any
    klass_info: dict[str, Any]
    annotation_col_map: dict[str, int]
    col_count: int
    init_list: list[str]
    start: int
    end: int
    prefetches: tuple[Any, ...]
    # For a `.values()` queryset: the names of its columns, each row given as a dict.
    names: tuple[str, ...] | None = None
    # What its prefetches read, as text (their paths and their querysets' SQL): sections whose
    # rows are the same model with the same prefetches may have them read together.
    prefetch_key: tuple[Any, ...] = ()


def _day(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _slot(first: Any, second: Any, connection: Any) -> _Slot | None:
    """What a parameter that differs between the two compilations is, or None if unknown."""
    if first == _BANKS[0] and second == _BANKS[1]:
        return _Slot("bank")
    adapted = isinstance(first, str)
    one, two = instant_of(first, connection), instant_of(second, connection)
    if one is not None and two is not None:
        offset = one - _MOMENTS[0]
        if two - _MOMENTS[1] == offset:
            return _Slot("instant", offset, adapted)
        return None
    day_one, day_two = _day(first), _day(second)
    if day_one is not None and day_two is not None:
        offset = day_one - timezone.localdate(_MOMENTS[0])
        if day_two - timezone.localdate(_MOMENTS[1]) == offset:
            return _Slot("date", offset, adapted)
    return None


def _compile(queryset: QuerySet[Any], connection: Any) -> Any:
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    return compiler, sql, tuple(params)


def _prefetch_key(queryset: QuerySet[Any]) -> tuple[Any, ...]:
    lookups = tuple(
        (lookup.prefetch_to, None if lookup.queryset is None else str(lookup.queryset.query))
        if isinstance(lookup, Prefetch)
        else lookup
        for lookup in queryset._prefetch_related_lookups  # type: ignore[attr-defined]
    )
    return (queryset.model._meta.label, lookups) if lookups else ()


def _keep(build: Build, connection: Any) -> _Kept | None:
    made = []
    ran: list[str] = []

    def note(execute: Any, sql: str, *args: Any) -> Any:
        ran.append(sql)
        return execute(sql, *args)

    for bank_id, moment in zip(_BANKS, _MOMENTS, strict=True):
        # A section that reads the database while it is built (its SQL depends on what it
        # found) cannot be kept.
        with connection.execute_wrapper(note):
            queryset = build(TimeBank(pk=bank_id), moment)
        if ran:
            return None
        known = queryset._known_related_objects  # type: ignore[attr-defined]
        if queryset._iterable_class not in (ModelIterable, ValuesIterable) or known:
            return None
        made.append((queryset, *_compile(queryset, connection)))
    (queryset, compiler, sql, params), (_, _, sql_two, params_two) = made
    if sql != sql_two or len(params) != len(params_two):
        return None
    slots = []
    for i, (first, second) in enumerate(zip(params, params_two, strict=True)):
        if first == second and type(first) is type(second):
            continue
        slot = _slot(first, second, connection)
        if slot is None:
            return None
        slots.append((i, slot))
    if queryset._iterable_class is ValuesIterable:
        query = queryset.query
        return _Kept(
            sql=sql,
            params=params,
            slots=tuple(slots),
            query=query,
            select=compiler.select,
            klass_info={},
            annotation_col_map={},
            col_count=compiler.col_count,
            init_list=[],
            start=0,
            end=0,
            prefetches=(),
            names=(*query.extra_select, *query.values_select, *query.annotation_select),
        )
    klass_info = compiler.klass_info
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    return _Kept(
        sql=sql,
        params=params,
        slots=tuple(slots),
        query=queryset.query,
        select=compiler.select,
        klass_info=klass_info,
        annotation_col_map=dict(compiler.annotation_col_map or {}),
        col_count=compiler.col_count,
        init_list=[f[0].target.attname for f in compiler.select[start:end]],
        start=start,
        end=end,
        prefetches=tuple(queryset._prefetch_related_lookups),
        prefetch_key=_prefetch_key(queryset),
    )


# Planner settings a section may be read with on PostgreSQL (`core.planner.planner_settings`;
# nothing changes on SQLite), as (name, value) pairs.
Planner = tuple[tuple[str, str], ...]
# No parallel workers: for a list that scans a table whose size in pages, not rows, makes the
# planner start workers that cost more than the scan.
SERIAL: Planner = (("max_parallel_workers_per_gather", "0"),)
# Joins by index look-ups only: for a list of a few hundred rows, each joined to its person and
# membership, that the planner would join by hashing every person and membership of the bank
# (it expects several times the rows it finds).
BY_INDEX: Planner = (("enable_hashjoin", "off"), ("enable_mergejoin", "off"))


# How each one-level prefetch is read with its SQL kept (`core.kept_query`), per model and
# lookup (held here, so its id stays its own); None for one that is not a foreign key or its
# reverse (done by Django as before).
_PREFETCHERS: dict[tuple[Any, int], tuple[Any, _Prefetcher | None]] = {}


@dataclass(frozen=True)
class _Prefetcher:
    field: Any  # the foreign key, on the rows' model (forward) or on the related model
    forward: bool
    query: CoreKeptQuery[Any]


def _prefetcher(model: Any, lookup: Any) -> _Prefetcher | None:
    """How to read `lookup` for rows of `model` with kept SQL, or None to leave it to Django:
    only a foreign key to a primary key (membership → person) or its reverse (exchange →
    participants), one level, no `to_attr`, read as Django's prefetch reads it (the lookup's
    own queryset, or the related model's manager)."""
    path = lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup
    if "__" in path or (isinstance(lookup, Prefetch) and lookup.to_attr):
        return None
    try:
        field = model._meta.get_field(path)
    except FieldDoesNotExist:
        return None
    given = lookup.queryset if isinstance(lookup, Prefetch) else None
    if field.many_to_one and field.concrete and field.target_field.primary_key:
        base = field.related_model._base_manager.all() if given is None else given
        forward, key = True, "pk__in"
    elif field.one_to_many and not field.concrete and field.field.target_field.primary_key:
        base = field.related_model._default_manager.all() if given is None else given
        forward, key = False, f"{field.field.attname}__in"
        field = field.field
    else:
        return None
    query: CoreKeptQuery[Any] = CoreKeptQuery(
        base.model, lambda ids: base.filter(**{key: ids}), lists=("ids",), shapes=32
    )
    return _Prefetcher(field, forward, query)


def prefetch_kept(rows: list[Any], lookups: tuple[Any, ...]) -> None:
    """What `prefetch_related_objects(rows, *lookups)` does, for these rows of one model, with
    each foreign key's (or its reverse's) query kept compiled (`core.kept_query`): building
    and compiling the prefetch's queryset, and a filtered queryset per row to hold what it
    found, cost more than reading the few rows. A reverse relation's rows are kept as a list,
    as `exchanges.selectors.exchanges_recent_for_person` keeps them. Any other lookup is done
    by Django."""
    if not rows:
        return
    model = type(rows[0])
    for lookup in lookups:
        # Per lookup object: the kept queries' lookups live as long as the process.
        same = (model, id(lookup))
        if same not in _PREFETCHERS:
            _PREFETCHERS[same] = (lookup, _prefetcher(model, lookup))
        prefetcher = _PREFETCHERS[same][1]
        if prefetcher is None:
            prefetch_related_objects(rows, lookup)
            continue
        field = prefetcher.field
        if prefetcher.forward:
            ids = list(
                dict.fromkeys(v for r in rows if (v := getattr(r, field.attname)) is not None)
            )
            found = {o.pk: o for o in prefetcher.query(ids=ids)} if ids else {}
            for row in rows:
                row._state.fields_cache[field.cache_name] = found.get(getattr(row, field.attname))
            continue
        ids = list(dict.fromkeys(row.pk for row in rows))
        by_row: dict[Any, list[Any]] = {pk: [] for pk in ids}
        for obj in prefetcher.query(ids=ids):
            by_row[getattr(obj, field.attname)].append(obj)
        cache_name = field.remote_field.cache_name
        for row in rows:
            related = by_row[row.pk]
            for obj in related:
                if field.cache_name not in obj._state.fields_cache:
                    obj._state.fields_cache[field.cache_name] = row
            if not hasattr(row, "_prefetched_objects_cache"):
                row._prefetched_objects_cache = {}
            row._prefetched_objects_cache[cache_name] = related


def planned_on_postgresql(connection: Any, planner: Planner) -> AbstractContextManager[None]:
    """The queries run inside are planned with these settings on PostgreSQL (nothing changes
    on SQLite, nor for no settings): `core.planner.planner_settings` (for the transaction; one
    is begun if none is open; in an enclosing one the settings are put back after)."""
    return planner_settings(connection, **dict(planner))


class KeptQuery:
    """One section's query: `build(timebank, moment)` gives its queryset (rows and total).

    `planner`: the settings PostgreSQL plans it with (`planned_on_postgresql`)."""

    def __init__(self, build: Build, *, keep: bool = True, planner: Planner = ()) -> None:
        self._build = build
        self._keep = keep
        self.planner = planner
        self._kept: dict[str, _Kept | None] = {}
        self._compilers: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()

    def kept_on(self, alias: str) -> bool:
        """Whether this section's SQL is kept on that database (compiling it if not done)."""
        if alias not in self._kept:
            self._kept[alias] = _keep(self._build, connections[alias]) if self._keep else None
        return self._kept[alias] is not None

    def __call__(self, timebank: TimeBank, moment: datetime, alias: str) -> list[Any]:
        if not self.planner:
            return self.rows(timebank, moment, alias)
        with planned_on_postgresql(connections[alias], self.planner):
            return self.rows(timebank, moment, alias)

    def prefetches_left(self, alias: str) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
        """What `rows(…, prefetch=False)` leaves to do on that database: (a key equal for
        sections whose prefetches are the same, their lookups), or None for nothing."""
        kept = self._kept[alias] if self.kept_on(alias) else None
        if kept is None or not kept.prefetches:
            return None
        return kept.prefetch_key, kept.prefetches

    def rows(
        self, timebank: TimeBank, moment: datetime, alias: str, *, prefetch: bool = True
    ) -> list[Any]:
        """The rows, read with the settings in force (the caller's block of `planner`'s, to
        read several sections planned alike with one statement of settings). Without
        `prefetch`, a kept query's prefetches are left to the caller (`prefetches_left`), to
        read those of several sections in one query; a query read through the ORM still does
        its own."""
        if not self.kept_on(alias):
            return list(self._build(timebank, moment).using(alias))
        kept = self._kept[alias]
        assert kept is not None
        connection = connections[alias]
        params = list(kept.params)
        for i, slot in kept.slots:
            if slot.kind == "bank":
                params[i] = timebank.pk
            elif slot.kind == "instant":
                value: Any = moment + slot.offset
                params[i] = (
                    connection.ops.adapt_datetimefield_value(value) if slot.adapted else value
                )
            else:
                day = timezone.localdate(moment) + slot.offset
                params[i] = connection.ops.adapt_datefield_value(day) if slot.adapted else day
        with connection.cursor() as cursor:
            cursor.execute(kept.sql, params)
            rows = cursor.fetchall()
        result = results_from_rows(kept, rows, connection, self._compilers)
        if kept.names is not None:
            return result
        if kept.prefetches and prefetch:
            prefetch_kept(result, kept.prefetches)
        return result
