"""How the database reads "no exchange lately" on the dashboard: the quiet members' index range,
counted from the index alone on SQLite, and the bank's exchanges still under way from their
(time bank, status) index, never a scan of the bank's exchanges or participations.

On SQLite the planner is given the 10,000-member demo's statistics (`ANALYZE`), with which a
filter on when an open exchange last moved, put on the exchanges' own subquery, scanned all
55,851 exchanges (20 ms a view).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from coproduce.coordination import selectors
from tests.plans import sqlite_statistics

from .conftest import make_exchange, make_request, populate

pytestmark = pytest.mark.django_db

# SQLite's statistics from the 10,000-member demo, after community 0019.
_SQLITE_STATISTICS = [
    ("exchanges_exchange", "exchanges_e_timeban_e28571_idx", "55851 55851 13963 2"),
    ("exchanges_exchange", "exchanges_e_timeban_7c9dd9_idx", "55851 55851 13963 2"),
    ("exchanges_exchange", "exchanges_exchange_timebank_id_010b8626", "55851 55851"),
    ("exchanges_exchange", "exchanges_exchange_confirmed_at_753cc020", "55851 2"),
    ("exchanges_exchange", "exchanges_exchange_created_at_decebe59", "55851 2"),
    ("exchanges_participant", "exchanges_p_person__33821e_idx", "113047 13 7 7 1"),
    ("exchanges_participant", "exchanges_participant_exchange_id_5a958920", "113047 3"),
    ("exchanges_participant", "exchanges_participant_timebank_id_e968b676", "113047 113047"),
    ("community_membership", "membership_quiet_by_last", "10031 10031 5016 2508 2 1 1 1"),
    ("community_membership", "membership_only_giving", "10031 10031 5016 2508 2 1 1 1"),
    ("community_membership", "membership_only_receiving", "10031 10031 5016 2508 2 1 1 1"),
    ("community_membership", "membership_by_last_gave", "10031 10031 5016 2508 2 1"),
    ("community_membership", "membership_by_last_received", "10031 10031 5016 2508 2 1"),
    ("community_membership", "sqlite_autoindex_community_membership_1", "10031 10031 1"),
]


@pytest.fixture
def as_in_the_demo():
    """On SQLite, the planner given the demo's statistics (put back after)."""
    with sqlite_statistics(_SQLITE_STATISTICS):
        yield


def _plan(sql: str, params: tuple) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's tables hold a few rows, which PostgreSQL reads whole whatever the
            # indexes: the question is which index it walks when it must use one.
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _index_definition(name: str) -> str:
    """PostgreSQL's definition of the index `name` (there must be exactly one)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        [(definition,)] = cursor.fetchall()
    return definition


def test_no_exchange_lately_reads_index_ranges_and_never_scans_the_banks_exchanges(
    riverside, alice, bob, as_in_the_demo
):
    populate(riverside, 3, prefix="p")
    make_exchange(riverside, provider=alice, receiver=bob, status="agreed", days=90)
    rows = selectors.SECTIONS["inactive"].rows(riverside, timezone.now())
    listing = selectors._with_total("inactive", rows)[:10]
    plan = _plan(*listing.query.sql_with_params())
    if connection.vendor == "sqlite":
        assert "membership_quiet_by_last" in plan, plan
        # Every table read by an index (SQLite names a full scan "SCAN <table or alias>"; a
        # co-routine of the list's own rows is "SCAN (subquery-N)").
        scans = [line for line in plan.splitlines() if line.startswith("SCAN ")]
        assert all("(subquery" in line for line in scans), plan
        # The total counted from the index alone.
        assert "COVERING INDEX membership_quiet_by_last" in plan, plan
    else:
        # Which of membership's indexes PostgreSQL walks on a test's few rows depends on their
        # sizes, which earlier tests' rolled-back rows change (it took the bank's index once in
        # a run of a few test files). Round 18 read the quiet index's use on the 10,000-member
        # demo (DESIGN.md); what holds here at any size is that no table of exchanges is read
        # whole.
        assert "Seq Scan on exchanges_exchange" not in plan, plan
        assert "Seq Scan on exchanges_participant" not in plan, plan


def test_no_exchange_lately_is_counted_from_two_ranges_of_the_quiet_index(
    riverside, alice, bob, as_in_the_demo
):
    """Its total is two counts, of those never in a confirmed exchange and of those whose last
    was before the cut-off, each one range of the quiet index, which holds every column they
    read. As one condition (`IS NULL OR < cut-off`) PostgreSQL counted the ~2,000 quiet members
    from the table's pages (BENCHMARKS.md, "Round 24: no exchange lately and near the limit
    (quiet)")."""
    populate(riverside, 3, prefix="p")
    make_exchange(riverside, provider=alice, receiver=bob, status="agreed", days=90)
    parts = selectors.SECTIONS["inactive"].counted(riverside, timezone.now())
    assert len(parts) == 2
    for part, bound in zip(parts, ["last_exchange_at IS NULL", "last_exchange_at <"], strict=True):
        sql, params = selectors._counted(part).query.sql_with_params()
        # Each part one range: its bound alone, never the two joined by OR.
        assert bound in sql.replace('"', "") and " OR " not in sql, sql
        plan = _plan(sql, params)
        if connection.vendor == "sqlite":
            assert "COVERING INDEX membership_quiet_by_last" in plan, plan
            assert "MULTI-INDEX OR" not in plan, plan
        else:
            # Which of membership's indexes PostgreSQL walks on a test's few rows depends on
            # their sizes (see above; on the demo the quiet index, index-only: BENCHMARKS.md);
            # what holds at any size is one index range per part, never a union of two.
            assert "BitmapOr" not in plan and "Seq Scan on community_membership" not in plan, plan


@pytest.mark.parametrize(
    "key, index",
    [("only-giving", "membership_only_giving"), ("only-receiving", "membership_only_receiving")],
)
def test_the_one_sided_are_one_range_of_the_memberships_index_counted_from_two_short_ranges(
    riverside, alice, bob, key, index, as_in_the_demo
):
    """Who only gave or only received, and how many there are, come from the copies of their
    activity kept on the membership, with no look-up of their activity or their membership per
    person (on the PostgreSQL demo the per-person look-ups were most of each list's ~5 ms:
    BENCHMARKS.md, "Round 23: the dashboard's database time (pgdash)"). The first rows walk
    this side's (time bank, status, role, count, person, ...) index; the total is two ranges of
    an index led by the other side's last moment (never there; there before the year), each
    counted from it alone: the trading members' whole range was ~10,000 entries on the demo,
    the two ranges ~620 (BENCHMARKS.md, "Round 25: the one-sided totals (pgdash)")."""
    populate(riverside, 3, prefix="p")
    make_exchange(riverside, provider=alice, receiver=bob, status="confirmed", days=30)
    kind = selectors.SECTIONS[key]
    now = timezone.now()
    parts = kind.counted(riverside, now)
    assert len(parts) == 2
    first = selectors._first_with_total(key, riverside, now, 10)
    for queryset in (*parts, first):
        assert "exchanges_personactivity" not in str(queryset.query)
    other = "last_gave_at" if key == "only-receiving" else "last_received_at"
    for part, bound in zip(parts, [f'"{other}" IS NULL', f'"{other}" <'], strict=True):
        sql, params = selectors._counted(part).query.sql_with_params()
        # Each part one range: its bound alone, never the two joined by OR.
        assert bound in sql and " OR " not in sql, sql
        plan = _plan(sql, params)
        if connection.vendor == "sqlite":
            # Either new index holds every column a part asks (on the demo SQLite counts one
            # part of only receiving from the receiving side's range).
            assert "COVERING INDEX membership_by_last_" in plan, plan
        else:
            # Which index PostgreSQL walks on a test's few rows depends on their sizes (on the
            # demo the other side's, index-only); what holds at any size is one range of the
            # memberships, with no look-up per person.
            assert "community_membership" in plan, plan
            assert "Nested Loop" not in plan and "BitmapOr" not in plan, plan
    if connection.vendor == "sqlite":
        rows = _plan(*first.query.sql_with_params())
        assert f"COVERING INDEX {index} (timebank_id=? AND status=? AND role=?)" in rows, rows


def test_near_the_limit_tests_the_rule_first_and_reads_people_only_for_the_rows_shown(riverside):
    """On SQLite a scan tests its conditions in the order written: the rule on the account's
    own columns first leaves a few hundred of the demo's 10,000 accounts for the rest, and a
    filter on the room it is ordered by (never over the hour on those rows) cost 1 ms more.
    Its people, joined, went through the sort with every account near the limit (5 → 2 ms of
    the query on the demo)."""
    rows = selectors.SECTIONS["near-limit"].rows(riverside, timezone.now())
    sql, _params = selectors._with_total("near-limit", rows)[:10].query.sql_with_params()
    where = sql[sql.index(" WHERE ") : sql.index(" ORDER BY ")]
    assert "community_person" not in sql, sql
    assert where.index('"ledger_account"."balance" <=') < where.index("EXISTS"), where
    assert where.index('"ledger_account"."balance" <=') < where.index('"ledger_account"."kind"')
    assert "MIN(" not in where and "LEAST(" not in where, where


# SQLite's statistics for the accounts on the 10,000-member demo, after ledger 0012.
_SQLITE_ACCOUNTS = [
    ("ledger_account", "ledger_account_near_limit", "357 357"),
    ("ledger_account", "ledger_account_timebank_id_4d405ea5", "10014 10014"),
    ("ledger_account", "ledger_account_person_id_0c30070e", "10014 1"),
    ("ledger_account", "ledger_account_organisation_id_c2d985b7", "10014 3338"),
    ("ledger_account", "one_member_account_per_unit", "10008 10008 1 1"),
    ("ledger_account", "one_organisation_account_per_unit", "3 3 2 1"),
    ("ledger_account", "one_chest_per_unit", "1 1 1"),
    ("ledger_account", "sqlite_autoindex_ledger_account_1", "10014 1"),
]


def test_near_the_limit_reads_the_accounts_marked_near_from_their_index(riverside, alice, bob):
    """The accounts within an hour of a limit are marked by the database (`near_limit`, ledger
    0012) and indexed where marked: the list reads that index's range for the bank, a few
    hundred of the demo's 10,000 accounts, not every page of the accounts' table (1,798 on
    PostgreSQL; BENCHMARKS.md, "Round 24: no exchange lately and near the limit (quiet)")."""
    with sqlite_statistics(_SQLITE_ACCOUNTS):
        rows = selectors.SECTIONS["near-limit"].rows(riverside, timezone.now())
        plan = _plan(*selectors._with_total("near-limit", rows)[:10].query.sql_with_params())
    if connection.vendor == "sqlite":
        assert "USING INDEX ledger_account_near_limit (timebank_id=?)" in plan, plan
        assert "SCAN ledger_account" not in plan, plan
    else:
        # Which index PostgreSQL walks on a test's few accounts depends on their sizes (on the
        # demo this one: BENCHMARKS.md); what holds at any size is that the list asks for the
        # marked accounts, so the partial index serves it: either the plan walks that index
        # (the predicate then implied, not printed) or it filters on the mark.
        assert "using ledger_account_near_limit" in plan or "near_limit AND" in plan, plan
        definition = _index_definition("ledger_account_near_limit")
        assert definition.endswith("(timebank_id) WHERE near_limit"), definition


def test_requests_with_no_answer_are_counted_in_id_order_from_an_index_alone(riverside, alice):
    """The total of requests with no answer matches the bank's active requests, in id order,
    to the exchanges' request index. In id order they came only from the primary key, each
    request read from the table for its bank, status and date (~6,500 on the PostgreSQL demo,
    most of the statement); (time bank, status, id, created_at) hands them over from the index
    alone (BENCHMARKS.md, "Round 25: requests with no answer counted from an index
    (pgdash2)")."""
    for days in (20, 30, 40):
        make_request(riverside, alice, days=days)
    rows = selectors.SECTIONS["unanswered"].rows(riverside, timezone.now())
    plan = _plan(*selectors._counted(rows).query.sql_with_params())
    if connection.vendor == "postgresql":
        # Which index PostgreSQL walks on a test's three requests depends on their sizes and
        # on whether the table has statistics yet: the primary key too, with no statistics (a
        # CI run saw it). On the demo it is the new index, from the index alone (BENCHMARKS.md,
        # measured there). What holds at any size is that the count is the anti-join to the
        # exchanges' request index, and that the index the demo's count reads is there.
        assert "Anti Join" in plan and "exchanges_exchange_request_id" in plan, plan
        definition = _index_definition("request_by_status_id")
        assert definition.endswith("(timebank_id, status, id, created_at)"), definition
    else:
        # SQLite counts from the (time bank, status, created_at) index, a probe per request,
        # as before: never the requests' table.
        assert "COVERING INDEX" in plan and "SCAN exchanges_request" not in plan, plan
