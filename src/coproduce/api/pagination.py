"""Cursor pagination for every list the API gives: `?limit=` (1 to 100) and `?cursor=`.

A list is read in a stable order whose last key is unique (a primary key), so no row is seen
twice or skipped when rows are added between pages. `next_cursor` is opaque to a client: the
base64 of the last row's sort keys, as JSON. The next page is the rows after those keys
(a keyset filter, not an offset), so a page costs the same however deep it is.

`page_of(queryset, order, params)` pages a queryset in the database; `page_of_rows(rows, order,
params)` pages a list a selector already read whole (a person's conversations, pools or
projects: a handful each, read in a fixed number of queries).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Schema

from coproduce.core.errors import ApplicationError

MAX_PAGE = 100
MAX_CURSOR = 500

T = TypeVar("T")
Kind = Literal["datetime", "date", "int", "str"]


@dataclass(frozen=True)
class Key:
    """One sort key: the ORM lookup, how to read it off a row, its kind and its direction."""

    lookup: str
    kind: Kind
    descending: bool = True
    attr: str = ""

    def value(self, row: Any) -> Any:
        value: Any = row
        for part in (self.attr or self.lookup).split("__"):
            value = getattr(value, part)
        return value


def newest_first(prefix: str = "") -> tuple[Key, ...]:
    """The usual order: newest first, the primary key breaking ties."""
    return (Key(f"{prefix}created_at", "datetime"), Key(f"{prefix}id", "int"))


class CursorParams(Schema):
    cursor: str | None = Field(
        None,
        max_length=MAX_CURSOR,
        description="From the previous page's `next_cursor`; leave out for the first page.",
    )
    limit: int = Field(20, ge=1, le=MAX_PAGE, description="How many at most (1 to 100).")


class CursorPage(Schema):
    limit: int
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class BadCursor(ApplicationError):
    pass


def _bad() -> BadCursor:
    return BadCursor(
        _("That cursor is not one this list gave out. Start again without a cursor."),
        "bad_cursor",
    )


def _dump(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _load(value: Any, kind: Kind) -> Any:
    if kind == "datetime" and isinstance(value, str):
        try:
            parsed: Any = parse_datetime(value)
        except ValueError:
            parsed = None
    elif kind == "date" and isinstance(value, str):
        try:
            parsed = parse_date(value)
        except ValueError:
            parsed = None
    elif kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        parsed = value if -(2**63) <= value < 2**63 else None
    elif kind == "str" and isinstance(value, str):
        parsed = value
    else:
        parsed = None
    if parsed is None:
        raise _bad()
    return parsed


def encode(order: Sequence[Key], row: Any) -> str:
    raw = json.dumps([_dump(key.value(row)) for key in order], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(order: Sequence[Key], cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad() from None
    if not isinstance(values, list) or len(values) != len(order):
        raise _bad()
    return [_load(value, key.kind) for key, value in zip(order, values, strict=True)]


def after(order: Sequence[Key], values: Sequence[Any]) -> Q:
    """Rows that come after `values` in `order`: (a, b) after (x, y) is a ▷ x or a = x and
    b ▷ y, where ▷ is < for a descending key and > for an ascending one."""
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(order, values, strict=True):
        beyond = Q(**{f"{key.lookup}__{'lt' if key.descending else 'gt'}": value})
        condition |= equal & beyond
        equal &= Q(**{key.lookup: value})
    return condition


def _ordering(order: Sequence[Key]) -> list[str]:
    return [f"{'-' if key.descending else ''}{key.lookup}" for key in order]


def page_of(
    queryset: QuerySet, order: Sequence[Key], params: CursorParams
) -> tuple[list, str | None]:
    """One page of `queryset` in `order` (which this sets), after `params.cursor`, and the
    cursor of the next page. Reads limit + 1 rows in one query to know if there is more."""
    if params.cursor:
        queryset = queryset.filter(after(order, decode(order, params.cursor)))
    rows = list(queryset.order_by(*_ordering(order))[: params.limit + 1])
    return _cut(rows, order, params.limit)


def _cut(rows: list[T], order: Sequence[Key], limit: int) -> tuple[list[T], str | None]:
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode(order, page[-1])


def _comes_after(order: Sequence[Key], values: Sequence[Any]) -> Callable[[Any], bool]:
    def test(row: Any) -> bool:
        for key, value in zip(order, values, strict=True):
            mine = key.value(row)
            if mine == value:
                continue
            return bool(mine < value) if key.descending else bool(mine > value)
        return False

    return test


def page_of_rows(
    rows: Sequence[T], order: Sequence[Key], params: CursorParams
) -> tuple[list[T], str | None]:
    """The same for rows already read in `order` by a selector."""
    found = list(rows)
    if params.cursor:
        test = _comes_after(order, decode(order, params.cursor))
        found = [row for row in found if test(row)]
    return _cut(found[: params.limit + 1], order, params.limit)
