"""The dashboard's kept section queries (coordination.kept_sql, on core.kept_query) give exactly
the rows the ORM gives: the same instances, fields, annotations, related objects and prefetched
people, for each time bank, at any moment, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connections, router
from django.db.models import F, Value
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.community.models import Membership, TimeBank
from coproduce.coordination import selectors
from coproduce.coordination.kept_sql import BY_INDEX, SERIAL, DashboardQuery

from .conftest import make_exchange, populate

pytestmark = pytest.mark.django_db

MOMENTS = [
    None,  # now
    timedelta(days=25),
    timedelta(days=-45),
    # Either side of the clocks changing in Europe/London, and a local date that is not UTC's.
    datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
    datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    datetime(2027, 6, 30, 23, 30, tzinfo=UTC),
]


def _moment(when: Any) -> datetime:
    if when is None:
        return timezone.now()
    if isinstance(when, timedelta):
        return timezone.now() + when
    return when


def _fields(obj: Any, depth: int = 0) -> Any:
    """Everything an instance holds: its fields and annotations, the objects select_related
    filled in and the ones prefetched, each compared the same way (a prefetched participant's
    way back to its exchange by class and id)."""
    if depth > 2:
        return (type(obj), obj.pk)
    values = {
        k: v for k, v in vars(obj).items() if k not in {"_state", "_prefetched_objects_cache"}
    }
    values["class"] = type(obj)
    values["related"] = {
        k: _fields(v, depth + 1) for k, v in obj._state.fields_cache.items() if v is not None
    }
    prefetched = getattr(obj, "_prefetched_objects_cache", {})
    values["prefetched"] = {k: [_fields(o, depth + 1) for o in v] for k, v in prefetched.items()}
    return values


def _orm_rows(key: str, timebank: TimeBank, moment: datetime, limit: int) -> list[Any]:
    # The whole list cut, with the columns the dashboard reads (`selectors._shown`).
    rows = selectors._shown(key, selectors.SECTIONS[key].rows(timebank, moment))
    return list(selectors._with_total(key, rows)[:limit])


def test_every_section_is_kept():
    alias = router.db_for_read(Membership)
    kept = {key for key in selectors.SECTIONS if selectors._section_query(key, 10).kept_on(alias)}
    # "No exchange lately" too: the people in exchanges under way are read in its own query.
    assert kept == set(selectors.SECTIONS)


def test_kept_rows_equal_the_orms_in_every_section_at_every_moment(riverside, hillside, alice, bob):
    populate(riverside, 12, prefix="kept")
    populate(hillside, 3, prefix="hill")
    # One exchange with a partner organisation's person missing, so a prefetched participant
    # with no one on one side is compared too.
    make_exchange(riverside, provider=alice, receiver=bob, status="done", days=30)
    alias = router.db_for_read(Membership)
    compared = dict.fromkeys(selectors.SECTIONS, 0)
    for when in MOMENTS:
        moment = _moment(when)
        for timebank in (riverside, hillside):
            for key in selectors.SECTIONS:
                for limit in (10, 1):
                    kept = selectors._section_query(key, limit)(timebank, moment, alias)
                    orm = _orm_rows(key, timebank, moment, limit)
                    assert [_fields(o) for o in kept] == [_fields(o) for o in orm], (key, when)
                    compared[key] += len(orm)
    assert all(compared.values()), compared


def test_the_dashboard_shows_each_banks_own_rows(riverside, hillside, carol, harry):
    populate(riverside, 4, prefix="river")
    populate(hillside, 2, prefix="hill")
    mine = {s.key: s for s in selectors.dashboard_for(carol, riverside)}
    theirs = {s.key: s for s in selectors.dashboard_for(harry, hillside)}
    for key in ("applications", "only-giving", "near-limit", "unanswered", "checks-expiring"):
        assert mine[key].total == 4 and theirs[key].total == 2, key
        assert {r.pk for r in mine[key].rows}.isdisjoint({r.pk for r in theirs[key].rows})


def test_a_query_that_reads_the_database_while_built_is_not_kept(riverside):
    def build(timebank: TimeBank, moment: datetime):
        first = Membership.objects.filter(timebank=timebank).first()
        return Membership.objects.filter(timebank=timebank).exclude(pk=getattr(first, "pk", 0))

    query = DashboardQuery(build)
    alias = router.db_for_read(Membership)
    assert not query.kept_on(alias)
    # Still right: read through the ORM.
    assert query(riverside, timezone.now(), alias) == list(build(riverside, timezone.now()))


def test_a_query_that_is_not_kept_is_read_with_the_views_own_time_bank(riverside, alice):
    # Through the bank's own memberships: each row holds the bank it was read from, so a bank
    # made from an id would show no name.
    def build(timebank: TimeBank, moment: datetime):
        return timebank.memberships.order_by("id")

    query = DashboardQuery(build)
    alias = router.db_for_read(Membership)
    assert not query.kept_on(alias)
    rows = query(riverside, timezone.now(), alias)
    assert rows and {m.timebank.name for m in rows} == {"Riverside Time Bank"}


def test_a_parameter_that_is_not_an_offset_of_the_moment_is_not_kept(riverside):
    # The hour of the moment is neither a constant, the bank's id nor a fixed distance from it.
    def build(timebank: TimeBank, moment: datetime):
        return (
            Membership.objects.filter(timebank=timebank)
            .annotate(hour=Value(moment.hour))
            .filter(id__gt=F("hour"))
        )

    alias = router.db_for_read(Membership)
    query = DashboardQuery(build)
    assert not query.kept_on(alias)
    assert not DashboardQuery(build, keep=False).kept_on(alias)
    now = timezone.now()
    assert [m.pk for m in query(riverside, now, alias)] == [m.pk for m in build(riverside, now)]


@pytest.mark.postgres
def test_a_serial_section_is_planned_without_parallel_workers_and_the_setting_put_back(
    riverside, alice
):
    # What PostgreSQL's planner may use, as each row of the list sees it.
    def build(timebank: TimeBank, moment: datetime):
        workers = RawSQL("current_setting('max_parallel_workers_per_gather')", [])
        return Membership.objects.filter(timebank=timebank).annotate(workers=workers)

    alias = router.db_for_read(Membership)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_parallel_workers_per_gather')")
        (before,) = cursor.fetchone()
    assert before != "0"
    now = timezone.now()
    rows = DashboardQuery(build, planner=SERIAL)(riverside, now, alias)
    assert rows and {m.workers for m in rows} == {"0"}
    assert {m.workers for m in DashboardQuery(build)(riverside, now, alias)} == {before}
    # Put back for the rest of the transaction the test runs in.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_parallel_workers_per_gather')")
        assert cursor.fetchone() == (before,)


def test_the_lists_that_scan_for_a_few_rows_are_the_ones_read_serially_and_by_index():
    planned = {key: kind.planner for key, kind in selectors.SECTIONS.items() if kind.planner}
    assert set(planned) == {"near-limit", "only-receiving", "only-giving"}
    assert all(planner == SERIAL + BY_INDEX for planner in planned.values())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_setting_ends_with_the_one_begun_for_the_read():
    alias = router.db_for_read(Membership)
    connection = connections[alias]

    def build(timebank: TimeBank, moment: datetime):
        workers = RawSQL("current_setting('max_parallel_workers_per_gather')", [])
        return TimeBank.objects.annotate(workers=workers)

    TimeBank.objects.create(name="Quayside", slug="quayside")
    assert not connection.in_atomic_block
    with CaptureQueriesContext(connection) as queries:
        rows = DashboardQuery(build, planner=SERIAL)(TimeBank(pk=0), timezone.now(), alias)
    assert {b.workers for b in rows} == {"0"}
    # Nothing put back by hand: the transaction's end did it.
    assert sum("set_config" in q["sql"] for q in queries) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_parallel_workers_per_gather')")
        assert cursor.fetchone()[0] != "0"


def test_the_first_steps_kept_query_gives_the_orms_values_at_every_moment(
    riverside, hillside, carol
):
    from coproduce.community.models import Invitation, InvitationKind
    from coproduce.coordination.first_steps import _STATE, _state

    alias = router.db_for_read(TimeBank)
    assert _STATE.kept_on(alias)
    # A coordinator's invitation that expires in ten days: live now, gone at +25 days.
    Invitation.objects.create(
        timebank=riverside,
        kind=InvitationKind.COORDINATOR,
        email="second@example.org",
        token_hash="x" * 64,
        invited_by=carol,
        expires_at=timezone.now() + timedelta(days=10),
    )
    seen = set()
    for timebank in (riverside, hillside):
        for when in MOMENTS:
            moment = _moment(when)
            kept = _STATE(timebank, moment, alias)
            assert kept == list(_state(timebank, moment)), (timebank.slug, when)
            seen.add(kept[0]["coordinator_invited"])
    assert seen == {True, False}
