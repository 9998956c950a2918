"""The latest of moments any of which may be missing is the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import DateTimeField, Value

from coproduce.community.models import TimeBank
from coproduce.core.moments import latest_of

_MAY = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
_JUNE = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)


def _at(moment: datetime | None) -> Value:
    return Value(moment, output_field=DateTimeField())


def _latest(riverside: TimeBank, *moments: datetime | None) -> datetime | None:
    row = TimeBank.objects.filter(pk=riverside.pk).annotate(
        latest=latest_of(*(_at(moment) for moment in moments))
    )
    return row.get().latest


def test_the_latest_of_alices_giving_and_receiving_is_the_later_one(riverside):
    assert _latest(riverside, _MAY, _JUNE) == _JUNE
    assert _latest(riverside, _JUNE, _MAY) == _JUNE


def test_one_missing_moment_leaves_the_other_not_nothing(riverside):
    """SQLite's MAX(a, b) is NULL when either is: the missing one must not hide the other."""
    assert _latest(riverside, None, _MAY) == _MAY
    assert _latest(riverside, _JUNE, None) == _JUNE


def test_with_no_moment_at_all_there_is_none(riverside):
    assert _latest(riverside, None, None) is None
    assert _latest(riverside, None) is None
    assert _latest(riverside, _MAY) == _MAY
