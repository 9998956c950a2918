"""A queryset's SQL built once per shape and database, then run with each request's values.

Building and compiling a queryset costs more CPU than running most of the pages' queries (issue
17: the lists, search, home and the coordinator's dashboard spent more time in Django's query
building than in the database). `KeptQuery(model, build, ids=…, moment=…)` wraps
`build(**values)`, a function giving the queryset. Its values are of these kinds: the `ids`
(integers: the time bank, the person asking), the `lists` (lists of integers, each member a
parameter: the exchanges of a page, whose length is part of the shape), the `arrays` (lists of
integers passed whole as one parameter, PostgreSQL's `= ANY(%s)`: any length), the `uuids` (a
public id, a UUID or its text: whoever is asked about), the `moment` (an aware datetime, usually
now), and the rest, the query's *shape* (a kind, a category, the words searched, a page's
bounds): anything hashable that may change the SQL.

For each shape, the first call on a database builds the queryset twice, with two sets of
made-up ids and two moments years apart (on different days of the year, times of day and days
of the week), and compiles both. The SQL texts must be the same; each parameter must then be the
same in both (a constant of the shape: a status, a role, a limit), one id's made-up value in
each (that id, or one member of a list, or the whole list as one array parameter, or a UUID as
the backend passes it), or an instant or a date at the same distance from each moment or from
its local date (`now - 7 days`, `localdate(now) + 30 days`: only such linear offsets are
recognised). Anything else (a parameter that varies some other way, a different SQL text, a
query run while the queryset is built, an iterable other than model instances or `.values()`
dicts) and the shape is not kept: it is read through the ORM on every call, as before. A kept
shape runs its SQL with the call's own ids and moment put into their places, so a lookup scoped
to the person asking stays scoped to them (the id is a parameter like any other), and builds
the rows as the ORM does (`core.kept_rows.results_from_rows`; `select_related` objects,
annotations, and the prefetches by `prefetch_related_objects`, or with `kept_prefetches` by
`prefetch_kept`, their own SQL kept too). The last `shapes` shapes per database are kept.
A call `for_values(values)` picks is sent unprepared on PostgreSQL (`core.planner.
planned_for_values`): planned for its values every time, never given a generic plan.

tests/core/test_kept_query.py proves each kind of value and each refusal; the dashboard's
tests (tests/coordination/test_kept_sql.py) prove every section's rows equal the ORM's, on both
databases, at several moments (across a change of summer time).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from threading import Lock
from typing import Any, Generic, TypeVar
from uuid import UUID
from weakref import WeakKeyDictionary

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, FullResultSet
from django.db import connections, router
from django.db.models import Model, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.query import ModelIterable, ValuesIterable
from django.utils import timezone

from coproduce.core.kept_rows import results_from_rows
from coproduce.core.planner import planned_for_values

T = TypeVar("T")

# Made-up ids, never a real row's, different for each id and each of the two compilations.
_FAKE_IDS = (
    tuple(-(2**62) + 1000 + n for n in range(8)),
    tuple(-(2**62) + 2000 + n for n in range(8)),
)

# Made-up public ids, likewise: never a real row's (version bits no uuid4 has).
_FAKE_UUIDS = (
    tuple(UUID(int=(1 << 100) + 1000 + n) for n in range(4)),
    tuple(UUID(int=(1 << 100) + 2000 + n) for n in range(4)),
)


def _fake_list(compilation: int, which: int, length: int) -> list[int]:
    return [-(2**61) + 100_000 * compilation + 1000 * which + n for n in range(length)]


_ARRAY = "<array>"  # in a shape: an array was given

# Two moments far apart: on different days of the year, times of day and days of the week.
_MOMENTS = (
    datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=UTC),
    datetime(2013, 7, 18, 21, 50, 11, 121314, tzinfo=UTC),
)


@dataclass(frozen=True)
class _Kept:
    sql: str
    params: tuple[Any, ...]
    # (position in params, the id's name, the backend's integer type: PostgreSQL's `Int8`)
    ids: tuple[tuple[int, str, type[int]], ...]
    # (position, list's name, index or None for the whole list, the integer type)
    members: tuple[tuple[int, str, int | None, type[int]], ...]
    # (position, offset, from the moment's local date rather than the moment, passed as text)
    moments: tuple[tuple[int, timedelta, bool, bool], ...]
    query: Any
    select: Any
    klass_info: dict[str, Any]
    annotation_col_map: dict[str, int]
    col_count: int
    init_list: list[str]
    start: int
    end: int
    prefetches: tuple[Any, ...]
    names: tuple[str, ...] | None  # a `.values()` query's columns
    uuids: tuple[tuple[int, str, bool], ...] = ()  # (position, the uuid's name, passed as hex)
    # What its prefetches read, as text (their paths and their querysets' SQL): queries whose
    # rows are the same model with the same prefetches may have them read together.
    prefetch_key: tuple[Any, ...] = ()
    # The compiler (its converters) per connection, for this shape's select list.
    compilers: WeakKeyDictionary[Any, Any] = field(default_factory=WeakKeyDictionary)


def _instant_of(value: Any, connection: Any) -> datetime | None:
    """A query parameter as an aware datetime: as passed, or as SQLite's backend writes one
    (text)."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else None
    if isinstance(value, str) and len(value) > 10:
        try:
            naive = datetime.fromisoformat(value)
        except ValueError:
            return None
        if naive.tzinfo is not None:
            return None
        return timezone.make_aware(naive, connection.timezone)
    return None


def _day(value: Any) -> date | None:
    """A query parameter as a date: as passed, or as SQLite's backend writes one (text)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _offset_from_moments(first: Any, second: Any, connection: Any) -> tuple[timedelta, bool] | None:
    """The distance of a parameter from each made-up moment (or its local date), when it is the
    same in both compilations: (the offset, whether from the local date)."""
    one, two = _instant_of(first, connection), _instant_of(second, connection)
    if one is not None and two is not None:
        offset = one - _MOMENTS[0]
        return (offset, False) if two - _MOMENTS[1] == offset else None
    day_one, day_two = _day(first), _day(second)
    if day_one is not None and day_two is not None:
        offset = day_one - timezone.localdate(_MOMENTS[0])
        return (offset, True) if day_two - timezone.localdate(_MOMENTS[1]) == offset else None
    return None


def _uuid(value: Any) -> UUID | None:
    """A public id as a UUID, read as Django's UUIDField reads text; None when it is not one."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(hex=str(value))
    except ValueError:
        return None


def _integer(value: Any) -> bool:
    """An integer parameter (PostgreSQL's backend may wrap one in its own `int` type)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _member_of(
    first: Any, second: Any, made_lists: list[dict[str, list[int]]]
) -> tuple[str, int | None] | None:
    """Which list (and which of its members, or None for the whole list) a parameter is."""
    for name, fakes in made_lists[0].items():
        others = made_lists[1][name]
        if isinstance(first, list) and first == fakes and second == others:
            return name, None  # an array, passed whole
        if _integer(first) and first in fakes:
            index = fakes.index(first)
            if type(second) is type(first) and second == others[index]:
                return name, index
    return None


def _prefetch_key(queryset: QuerySet[Any]) -> tuple[Any, ...]:
    lookups = tuple(
        (lookup.prefetch_to, None if lookup.queryset is None else str(lookup.queryset.query))
        if isinstance(lookup, Prefetch)
        else lookup
        for lookup in queryset._prefetch_related_lookups  # type: ignore[attr-defined]
    )
    return (queryset.model._meta.label, lookups) if lookups else ()


class KeptQuery(Generic[T]):
    def __init__(
        self,
        model: type[Model],
        build: Callable[..., QuerySet[Any]],
        *,
        ids: tuple[str, ...] = (),
        lists: tuple[str, ...] = (),
        arrays: tuple[str, ...] = (),
        uuids: tuple[str, ...] = (),
        moment: str | None = None,
        shapes: int = 64,
        for_values: Callable[[dict[str, Any]], bool] | None = None,
        kept_prefetches: bool = False,
    ) -> None:
        if len(ids) > len(_FAKE_IDS[0]) or len(uuids) > len(_FAKE_UUIDS[0]):
            raise ValueError("Too many ids for a kept query.")
        self._model = model
        self._build = build
        self._ids = ids
        self._lists = lists
        self._arrays = arrays
        self._uuids = uuids
        self._moment = moment
        self._shapes = shapes
        # Which calls PostgreSQL plans for their values every time (`core.planner`), not
        # prepared with a plan made once for any values.
        self._for_values = for_values
        # A kept shape's prefetches read by `prefetch_kept` (a reverse relation's rows held as
        # a list), not by Django's `prefetch_related_objects`.
        self._kept_prefetches = kept_prefetches
        self._not_shape = frozenset((*ids, *uuids, *([moment] if moment else [])))
        self._kept: OrderedDict[tuple[str, Hashable], _Kept | None] = OrderedDict()
        self._lock = Lock()

    def _shape_of(self, values: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
        return tuple(
            sorted(
                # A list's length, an array's presence, any other value but the ids and moment.
                (k, len(v) if k in self._lists else _ARRAY if k in self._arrays else v)
                for k, v in values.items()
                if k not in self._not_shape
            )
        )

    def kept(self, alias: str | None = None, **values: Any) -> bool:
        """Whether the shape of these values is kept on that database (compiling it if not)."""
        alias = alias or router.db_for_read(self._model)
        return self._kept_for(alias, values) is not None

    def prefetches_left(
        self, alias: str | None = None, **values: Any
    ) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
        """What `rows(…, prefetch=False)` leaves to do for this shape on that database: (a key
        equal for queries whose prefetches are the same, their lookups), or None for nothing."""
        kept = self._kept_for(alias or router.db_for_read(self._model), values)
        if kept is None or not kept.prefetches:
            return None
        return kept.prefetch_key, kept.prefetches

    def _kept_for(self, alias: str, values: dict[str, Any]) -> _Kept | None:
        key = (alias, self._shape_of(values))
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        kept = self._keep(alias, dict(key[1]))
        with self._lock:
            self._kept[key] = kept
            while len(self._kept) > self._shapes:
                self._kept.popitem(last=False)
        return kept

    def __call__(self, **values: Any) -> list[T]:
        alias = router.db_for_read(self._model)
        if self._for_values is not None and self._for_values(values):
            with planned_for_values(connections[alias]):
                return self.rows(alias, values)
        return self.rows(alias, values)

    def rows(
        self,
        alias: str,
        values: dict[str, Any],
        *,
        prefetch: bool = True,
        orm: Callable[[], QuerySet[Any]] | None = None,
    ) -> list[T]:
        """The rows for these values on that database, read with the settings in force.
        Without `prefetch`, a kept shape's prefetches are left to the caller
        (`prefetches_left`: to read those of several queries together); a shape read through
        the ORM still does its own. `orm`: the queryset read when the shape is not kept, for a
        caller whose own build is given objects rather than their ids (by default
        `build(**values)`)."""
        kept = self._kept_for(alias, values)
        if kept is None:
            return self._read_by_orm(alias, values, orm)
        connection = connections[alias]
        params = list(kept.params)
        for position, name, as_hex in kept.uuids:
            public_id = _uuid(values[name])
            if public_id is None:  # not a UUID: the ORM says so, as before
                return self._read_by_orm(alias, values, orm)
            params[position] = public_id.hex if as_hex else public_id
        for position, name, kind in kept.ids:
            params[position] = kind(values[name])
        for position, name, index, kind in kept.members:
            members = values[name]
            params[position] = [int(v) for v in members] if index is None else kind(members[index])
        if kept.moments:
            moment = values[self._moment]  # type: ignore[index]
            ops = connection.ops
            for position, offset, on_day, as_text in kept.moments:
                if on_day:
                    day = timezone.localdate(moment) + offset
                    params[position] = ops.adapt_datefield_value(day) if as_text else day
                else:
                    instant = moment + offset
                    params[position] = (
                        ops.adapt_datetimefield_value(instant) if as_text else instant
                    )
        with connection.cursor() as cursor:
            cursor.execute(kept.sql, params)
            rows = cursor.fetchall()
        result = results_from_rows(kept, rows, connection, kept.compilers)
        if kept.prefetches and result and prefetch:
            if self._kept_prefetches:
                prefetch_kept(result, kept.prefetches)
            else:
                prefetch_related_objects(result, *kept.prefetches)
        return result

    def _read_by_orm(
        self, alias: str, values: dict[str, Any], orm: Callable[[], QuerySet[Any]] | None
    ) -> list[T]:
        return list((self._build(**values) if orm is None else orm()).using(alias))

    def _keep(self, alias: str, shape: dict[str, Any]) -> _Kept | None:
        connection = connections[alias]
        ran: list[str] = []

        def note(execute: Any, sql: str, *args: Any) -> Any:
            ran.append(sql)
            return execute(sql, *args)

        made: list[Any] = []
        made_lists: list[dict[str, list[int]]] = []
        for fakes, moment in zip(_FAKE_IDS, _MOMENTS, strict=True):
            values = dict(shape, **dict(zip(self._ids, fakes, strict=False)))
            compilation = len(made)
            values.update(zip(self._uuids, _FAKE_UUIDS[compilation], strict=False))
            lists = {
                name: _fake_list(compilation, which, shape[name])
                for which, name in enumerate(self._lists)
                if name in shape
            }
            lists.update(
                {
                    name: _fake_list(compilation, len(self._lists) + which, 1)
                    for which, name in enumerate(self._arrays)
                    if name in shape
                }
            )
            values.update(lists)
            made_lists.append(lists)
            if self._moment:
                values[self._moment] = moment
            # A queryset that reads the database while it is built (its SQL depends on what
            # it found) cannot be kept.
            with connection.execute_wrapper(note):
                queryset = self._build(**values).using(alias)
            if ran:
                return None
            iterable = queryset._iterable_class  # type: ignore[attr-defined]
            if iterable not in (ModelIterable, ValuesIterable):
                return None
            if queryset._known_related_objects:  # type: ignore[attr-defined]
                return None
            compiler = queryset.query.get_compiler(connection=connection)
            try:
                sql, params = compiler.as_sql()
            except (EmptyResultSet, FullResultSet):
                return None
            made.append((queryset, compiler, sql, tuple(params)))
        (queryset, compiler, sql, params), (_, _, sql_two, params_two) = made
        if sql != sql_two or len(params) != len(params_two):
            return None
        ids, moments, members, uuids = [], [], [], []
        for position, (first, second) in enumerate(zip(params, params_two, strict=True)):
            if first == second and type(first) is type(second):
                continue
            made_uuid = next(
                (
                    (name, isinstance(first, str))
                    for name, one, two in zip(self._uuids, *_FAKE_UUIDS, strict=False)
                    if (first, second) in ((one, two), (one.hex, two.hex))
                ),
                None,
            )
            if made_uuid is not None:
                uuids.append((position, *made_uuid))
                continue
            name = next(
                (
                    name
                    for name, one, two in zip(self._ids, *_FAKE_IDS, strict=False)
                    if first == one and second == two
                ),
                None,
            )
            if name is not None and _integer(first) and type(first) is type(second):
                ids.append((position, name, type(first)))
                continue
            member = _member_of(first, second, made_lists)
            if member is not None:
                members.append((position, *member, type(first) if _integer(first) else int))
                continue
            offset = _offset_from_moments(first, second, connection) if self._moment else None
            if offset is not None:
                moments.append((position, *offset, isinstance(first, str)))
                continue
            return None
        query = queryset.query
        if queryset._iterable_class is ValuesIterable:  # type: ignore[attr-defined]
            if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
                return None  # the ORM refuses to prefetch for dicts: it still says so
            klass_info: dict[str, Any] = {}
            start = end = 0
            init_list: list[str] = []
            names: tuple[str, ...] | None = (
                *query.extra_select,
                *query.values_select,
                *query.annotation_select,
            )
        else:
            klass_info = compiler.klass_info
            select_fields = klass_info["select_fields"]
            start, end = select_fields[0], select_fields[-1] + 1
            init_list = [f[0].target.attname for f in compiler.select[start:end]]
            names = None
        return _Kept(
            sql=sql,
            params=params,
            ids=tuple(ids),
            members=tuple(members),
            moments=tuple(moments),
            query=query,
            select=compiler.select,
            klass_info=klass_info,
            annotation_col_map=dict(compiler.annotation_col_map or {}),
            col_count=compiler.col_count,
            init_list=init_list,
            start=start,
            end=end,
            prefetches=tuple(queryset._prefetch_related_lookups),  # type: ignore[attr-defined]
            names=names,
            uuids=tuple(uuids),
            prefetch_key=_prefetch_key(queryset),
        )


@dataclass(frozen=True)
class _Prefetcher:
    field: Any  # the foreign key, on the rows' model (forward) or on the related model
    forward: bool
    query: KeptQuery[Any]


# How each one-level prefetch is read with its SQL kept, per model and lookup (the lookup held
# here, so its id stays its own); None for one that is not a foreign key or its reverse (done
# by Django as before).
_PREFETCHERS: dict[tuple[Any, int], tuple[Any, _Prefetcher | None]] = {}


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
    query: KeptQuery[Any] = KeptQuery(
        base.model, lambda ids: base.filter(**{key: ids}), lists=("ids",), shapes=32
    )
    return _Prefetcher(field, forward, query)


def prefetch_kept(rows: list[Any], lookups: tuple[Any, ...]) -> None:
    """What `prefetch_related_objects(rows, *lookups)` does, for these rows of one model, with
    each foreign key's (or its reverse's) query kept compiled: building and compiling the
    prefetch's queryset, and a filtered queryset per row to hold what it found, cost more than
    reading the few rows. A reverse relation's rows are kept as a list, as
    `exchanges.selectors.exchanges_recent_for_person` keeps them (a caller that filters it
    fails loudly, never reads the wrong rows). Any other lookup is done by Django."""
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
