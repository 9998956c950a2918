"""The rows of a query's kept SQL made into what the ORM would have given (`core.kept_query`).

Building and compiling a queryset (filters, joins, the select list, ordering) costs more CPU than
running a small query on an indexed column (issue 17), so `core.kept_query.KeptQuery` keeps the
SQL and runs it with each call's values. `results_from_rows` then makes the rows into the model
instances Django's `ModelIterable` makes (`select_related` objects and annotations included), or
a `.values()` query's dicts, equal row for row to the ORM's (tests/core/test_compiled_rows.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from inspect import getattr_static
from typing import Any, Protocol
from weakref import WeakKeyDictionary

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.signals import post_init, pre_init


class RowShape(Protocol):
    """What model instances are made from, for the rows of one kept query's SQL."""

    @property
    def query(self) -> Any: ...
    @property
    def select(self) -> Any: ...
    @property
    def klass_info(self) -> dict[str, Any]: ...
    @property
    def annotation_col_map(self) -> dict[str, int]: ...
    @property
    def col_count(self) -> int: ...
    @property
    def init_list(self) -> list[str]: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def names(self) -> tuple[str, ...] | None: ...  # a `.values()` query's columns


def results_from_rows(
    shape: RowShape,
    rows: Sequence[tuple[Any, ...]],
    connection: Any,
    compilers: WeakKeyDictionary[Any, Any],
) -> list[Any]:
    """The results of a kept query's SQL from its rows, made as Django makes them: model
    instances as `ModelIterable` does (the `select_related` objects and annotations included),
    or for a `.values()` query (`shape.names`) dicts as `ValuesIterable` does. The converters
    (SQLite's dates, for one) belong to the connection: kept per connection in `compilers`,
    which the caller keeps for as long as it keeps `shape`."""
    if not rows:
        return []
    compiler = compilers.get(connection)
    if compiler is None:
        compiler = shape.query.get_compiler(connection=connection)
        compiler.select = shape.select
        compiler.col_count = shape.col_count
        fields = [s[0] for s in shape.select[: shape.col_count]]
        compiler.converters = compiler.get_converters(fields)
        compilers[connection] = compiler
    if compiler.converters:
        rows = compiler.apply_converters(rows, compiler.converters)
    if shape.names is not None:
        return [dict(zip(shape.names, row, strict=True)) for row in rows]
    alias = connection.alias
    populators = get_related_populators(shape.klass_info, shape.select, alias)
    model = shape.klass_info["model"]
    makers: dict[type[Model], Callable[..., Any]] = {}
    make = _maker(model)
    result = []
    for row in rows:
        obj = make(alias, shape.init_list, row[shape.start : shape.end])
        for populator in populators:
            _populate(populator, row, obj, makers)
        for name, position in shape.annotation_col_map.items():
            setattr(obj, name, row[position])
        result.append(obj)
    return result


# The class attributes whose `__set__`, on an instance just made, only writes the value into
# the instance's `__dict__` (a foreign key's id, a file's name): Django's own.
_DICT_SETTERS = (ForeignKeyDeferredAttribute, FileDescriptor)
_plain_models: dict[type[Model], bool] = {}


def _plain(model: type[Model]) -> bool:
    """Whether `model.from_db` is Django's and makes an instance by no more than writing its
    columns' values into its `__dict__`: no `__init__` or `from_db` of its own, and no column
    whose attribute does more when set. (Its signals are checked on each use.)"""
    plain = _plain_models.get(model)
    if plain is None:
        plain = (
            model.__init__ is Model.__init__
            and getattr(model.from_db, "__func__", None) is getattr(Model.from_db, "__func__", 0)
            and all(
                not hasattr(type(attribute), "__set__") or isinstance(attribute, _DICT_SETTERS)
                for f in model._meta.concrete_fields
                for attribute in [getattr_static(model, f.attname, None)]
            )
        )
        _plain_models[model] = plain
    return plain


def _maker(model: type[Model]) -> Callable[[str, Sequence[str], Sequence[Any]], Any]:
    """`model.from_db`, or for a plain model (`_plain`) with no `pre_init`/`post_init`
    receivers the same instance made directly: Django's `Model.__init__` checks and loops over
    every field and sends both signals for each row (most of the cost of making a row: issue
    17). The instance is the same: its state (not adding, this database), then each column's
    value under its attribute name, in the columns' order; a column not read stays deferred."""
    if not _plain(model) or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db
    new = object.__new__

    def make(alias: str, names: Sequence[str], values: Sequence[Any]) -> Any:
        obj = new(model)
        state = ModelState()
        state.adding = False
        state.db = alias
        attributes = obj.__dict__
        attributes["_state"] = state
        attributes.update(zip(names, values, strict=True))
        return obj

    return make


def _populate(
    populator: Any, row: Sequence[Any], from_obj: Any, makers: dict[type[Model], Callable[..., Any]]
) -> None:
    """Django's `RelatedPopulator.populate` (a `select_related` object), its instance made by
    `_maker` (one per model for the rows of one query, in `makers`)."""
    if populator.reorder_for_init:
        data = populator.reorder_for_init(row)
    else:
        data = row[populator.cols_start : populator.cols_end]
    if data[populator.pk_idx] is None:
        obj = None
    else:
        model = populator.model_cls
        make = makers.get(model)
        if make is None:
            make = makers[model] = _maker(model)
        obj = make(populator.db, populator.init_list, data)
        for related in populator.related_populators:
            _populate(related, row, obj, makers)
    populator.local_setter(from_obj, obj)
    if obj is not None:
        populator.remote_setter(obj, from_obj)
