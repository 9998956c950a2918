#!/usr/bin/env python
"""How long the full coordinator insights report, and the funder's (no names), take for a large
time bank.

    .venv/bin/python benchmarks/bench_insights.py [--members 10000] [--exchanges 1000000] [--runs 3]

It migrates the database named by DATABASE_URL (or the SQLite file under COPRODUCE_DATA_DIR), so
point it at a throwaway one (e.g. postgres://postgres@127.0.0.1:54329/coproduce_insights_bench).
The first run builds a time bank `bench-insights`; later runs against the same database reuse it.

THE DATA SET IS A BENCHMARK FIXTURE, NOT LEDGER HISTORY: it is written with bulk SQL (COPY on
PostgreSQL, executemany on SQLite), not through transfer_post, because posting a million transfers
one by one would take most of an hour. It is still consistent: every transfer's entries sum to
zero (PostgreSQL's deferred zero-sum trigger checks each one at commit), and each account's cached
balance is the sum of its entries (checked by ledger_verify at the end of the build), and the
summaries kept beside confirmed exchanges are rebuilt from the rows (`tallies_rebuild`), so the
pages can be measured on it too (`bench_pages.py --timebank bench-insights`). Member
accounts get a very low limit, since random exchanges wander further than a real community's.

The community: members in 12 areas, each exchanging with about 16 neighbours (people in a time
bank mostly help the same few people again), 20 partner organisations giving 2% of the help,
exchanges spread evenly over the last 24 months, a third of members with an open offer. The
report covers the last 12 months. Printed: build time, then each report run and the best one,
for the coordinator's report (report_build, tables, chart data, network picture with names,
JSON) and then the funder's (report_build without names, tables, chart data, JSON: what the
funder page and its exports read).

`--json FILE` writes those figures as JSON (for `benchmarks/targets.py`); `--funder-json FILE`
writes the funder's report itself (its JSON, generated_at blanked), to compare before and after.
The reports read the ledger's kept summaries when they have been built (`--refresh` builds or
refreshes them first; the line "summaries:" says how far they go): the figures are the same
either way.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from array import array
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

SLUG = "bench-insights"
CATEGORIES = [
    "care", "companionship", "transport", "household", "gardening", "learning", "admin",
    "creative", "health", "children", "neighbourhood", "civic",
]  # fmt: skip
OFFSETS = [o for o in range(-8, 9) if o]
ORGANISATIONS = 20
CHUNK = 50_000


def _database(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting('server_version')")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def _sqlite_value(value):
    # Django keeps UUIDs as 32 hex digits and datetimes as naive UTC text on SQLite.
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value


def _rows_in(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    if connection.vendor == "sqlite":
        rows = [tuple(_sqlite_value(v) for v in row) for row in rows]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _next_id(connection, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def _build(members: int, exchanges: int, seed: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from coproduce.community.models import (
        Membership,
        MembershipStatus,
        Organisation,
        Person,
        TimeBank,
    )
    from coproduce.exchanges.models import Exchange, Offer, Pairing, Participant
    from coproduce.ledger.models import Account, Entry, Transfer

    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        timebank = TimeBank.objects.create(slug=SLUG, name="Benchmark Time Bank")
        no_login = make_password(None)
        people = Person.objects.bulk_create(
            Person(username=f"{SLUG}-{i}", first_name="Member", last_name=str(i),
                   password=no_login)
            for i in range(members)
        )  # fmt: skip
        Membership.objects.bulk_create(
            Membership(
                timebank=timebank,
                person=p,
                status=MembershipStatus.ACTIVE,
                area=f"Area {i * 12 // members + 1}",
                activated_at=now - timedelta(days=rng.randrange(30, 3 * 365)),
            )
            for i, p in enumerate(people)
        )
        organisations = Organisation.objects.bulk_create(
            Organisation(timebank=timebank, slug=f"org-{i}", name=f"Partner {i}", kind="charity")
            for i in range(ORGANISATIONS)
        )
        Offer.objects.bulk_create(
            Offer(timebank=timebank, person=p, title="Help offered",
                  category=rng.choice(CATEGORIES), created_at=now)
            for p in people[::3]
        )  # fmt: skip

        # The plan: who gave whom how long, when. Index < members is a member, above an org.
        provider = array("i")
        receiver = array("i")
        minutes = array("i")
        seconds_ago = array("l")
        span = 24 * 30 * 86400
        for _ in range(exchanges):
            m = rng.randrange(members)
            partner = (m + rng.choice(OFFSETS)) % members
            if rng.random() < 0.02:
                provider.append(members + rng.randrange(ORGANISATIONS))
                receiver.append(m)
            elif rng.random() < 0.5:
                provider.append(m)
                receiver.append(partner)
            else:
                provider.append(partner)
                receiver.append(m)
            minutes.append(rng.choice((30, 60, 60, 90, 120, 180)))
            seconds_ago.append(rng.randrange(span))
        balance = [0] * (members + ORGANISATIONS)
        for p, r, mins in zip(provider, receiver, minutes, strict=True):
            balance[p] += mins
            balance[r] -= mins

        accounts = Account.objects.bulk_create(
            [
                Account(timebank=timebank, kind="member", person=person, balance=balance[i],
                        min_balance=-(10**9))
                for i, person in enumerate(people)
            ]
            + [
                Account(timebank=timebank, kind="organisation", organisation=org,
                        balance=balance[members + i], min_balance=-(10**9))
                for i, org in enumerate(organisations)
            ]
        )  # fmt: skip
        account_ids = [a.id for a in accounts]
        person_ids = [p.id for p in people] + [None] * ORGANISATIONS
        org_ids = [None] * members + [o.id for o in organisations]
        acting = people[0].id

        transfer_table, entry_table = Transfer._meta.db_table, Entry._meta.db_table
        exchange_table, part_table = Exchange._meta.db_table, Participant._meta.db_table
        pair_table = Pairing._meta.db_table
        t_id = _next_id(connection, transfer_table)
        e_id = _next_id(connection, entry_table)
        x_id = _next_id(connection, exchange_table)
        p_id = _next_id(connection, part_table)
        getrandbits = rng.getrandbits
        for start in range(0, exchanges, CHUNK):
            transfers, entries, rows, parts, pairs = [], [], [], [], []
            for i in range(start, min(start + CHUNK, exchanges)):
                when = now - timedelta(seconds=seconds_ago[i])
                p, r, mins = provider[i], receiver[i], minutes[i]
                category = CATEGORIES[(p + r) % len(CATEGORIES)]
                transfers.append(
                    (t_id, timebank.id, uuid.UUID(int=getrandbits(128), version=4), "exchange",
                     "", when, when, acting, "", None)
                )  # fmt: skip
                entries.append((e_id, t_id, account_ids[p], timebank.id, "hour", mins, when,
                                "exchange"))  # fmt: skip
                entries.append((e_id + 1, t_id, account_ids[r], timebank.id, "hour", -mins,
                                when, "exchange"))  # fmt: skip
                rows.append(
                    (x_id, timebank.id, uuid.UUID(int=getrandbits(128), version=4), "Help",
                     category, "confirmed", mins, mins, acting, when, when, when, t_id,
                     "receivers", "", "")
                )  # fmt: skip
                parts.append((p_id, timebank.id, x_id, "provider", person_ids[p], org_ids[p],
                              account_ids[p]))  # fmt: skip
                parts.append((p_id + 1, timebank.id, x_id, "receiver", person_ids[r], org_ids[r],
                              account_ids[r]))  # fmt: skip
                pairs.append((timebank.id, x_id, t_id, account_ids[p], account_ids[r], category,
                              mins, when, True))  # fmt: skip
                t_id, e_id, x_id, p_id = t_id + 1, e_id + 2, x_id + 1, p_id + 2
            _rows_in(connection, transfer_table,
                     ["id", "timebank_id", "public_id", "kind", "memo", "occurred_at",
                      "created_at", "created_by_id", "override_reason", "idempotency_key"],
                     transfers)  # fmt: skip
            _rows_in(connection, entry_table,
                     ["id", "transfer_id", "account_id", "timebank_id", "unit", "amount",
                      "occurred_at", "kind"],
                     entries)  # fmt: skip
            _rows_in(connection, exchange_table,
                     ["id", "timebank_id", "public_id", "title", "category", "status",
                      "expected_minutes", "actual_minutes", "proposed_by_id", "created_at",
                      "done_at", "confirmed_at", "transfer_id", "paid_by", "notes",
                      "dispute_reason"],
                     rows)  # fmt: skip
            _rows_in(connection, part_table,
                     ["id", "timebank_id", "exchange_id", "side", "person_id", "organisation_id",
                      "account_id"],
                     parts)  # fmt: skip
            _rows_in(connection, pair_table,
                     ["timebank_id", "exchange_id", "transfer_id", "provider_id", "receiver_id",
                      "category", "minutes", "occurred_at", "counts_exchange"],
                     pairs)  # fmt: skip
            print(f"  … {min(start + CHUNK, exchanges):,} exchanges", flush=True)
    if connection.vendor == "postgresql":
        _sequences(connection, [transfer_table, entry_table, exchange_table, part_table])
    # The summaries the app keeps beside confirmed exchanges (each participation's confirmation
    # moment, each person's last gave/received), written as for any rows loaded directly, so
    # the pages read this set as they would a real bank's (bench_pages.py --timebank …).
    from coproduce.exchanges.services.tallies import tallies_rebuild

    with transaction.atomic():
        tallies_rebuild(timebank_id=timebank.pk)
    _settle(connection)


def _settle(connection) -> None:
    """Statistics, and on PostgreSQL the visibility map too, as autovacuum would leave a bank's
    tables after a bulk load (index-only scans, which the report's reads rely on, visit the
    table for every row until a VACUUM has marked its pages all-visible)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _sequences(connection, tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )


def _period():
    from django.utils import timezone

    from coproduce.insights.period import ReportPeriod

    today = timezone.localdate()
    return ReportPeriod.checked(date(today.year - 1, today.month, today.day) + timedelta(days=1),
                                today)  # fmt: skip


def _full_report(timebank):
    from coproduce.insights.charts import chart_data, network_picture
    from coproduce.insights.report import report_build
    from coproduce.insights.tables import COORDINATOR, report_json, tables

    report = report_build(timebank=timebank, period=_period())
    tables(report, COORDINATOR)
    chart_data(report)
    network_picture(report, names=True)
    report_json(report, COORDINATOR)
    return report


def _funder_report(timebank):
    from coproduce.insights.charts import chart_data
    from coproduce.insights.report import report_build
    from coproduce.insights.tables import FUNDER, report_json, tables

    report = report_build(timebank=timebank, period=_period(), named=False)
    tables(report, FUNDER)
    chart_data(report)
    report_json(report, FUNDER)
    return report


def _write_json(report, path: str) -> None:
    from coproduce.insights.tables import FUNDER, report_json

    text = report_json(report, FUNDER).replace(report.generated_at.isoformat(), "GENERATED_AT")
    Path(path).write_text(text, encoding="utf-8")
    print(f"json:      {path} ({len(text):,} characters)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000, help="members (10000)")
    parser.add_argument("--exchanges", type=int, default=1_000_000, help="exchanges (1000000)")
    parser.add_argument("--runs", type=int, default=3, help="timed report runs (3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument(
        "--only", choices=("coordinator", "funder"), help="time one of the two reports only"
    )
    parser.add_argument(
        "--funder-json",
        metavar="FILE",
        help="write the funder's JSON (generated_at blanked) to FILE, to compare before and after",
    )
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON to FILE")
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="run `coproduce insights refresh` (the report's summaries of the ledger) first",
    )
    args = parser.parse_args(argv)
    if args.members < 20 or args.exchanges < 1 or args.runs < 1:
        parser.error("--members must be at least 20, --exchanges and --runs at least 1")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from coproduce.community.models import TimeBank
    from coproduce.ledger.selectors import ledger_verify

    call_command("migrate", verbosity=0, interactive=False)
    print(f"database:  {_database(connection)}")
    figures: dict = {
        "benchmark": "insights",
        "database": connection.vendor,
        "version": _database(connection),
        "built_s": None,
        "reports": {},
    }
    timebank = TimeBank.objects.filter(slug=SLUG).first()
    if timebank is None:
        print(f"building:  {args.members:,} members, {args.exchanges:,} exchanges", flush=True)
        started = time.perf_counter()
        _build(args.members, args.exchanges, args.seed)
        timebank = TimeBank.objects.get(slug=SLUG)
        figures["built_s"] = time.perf_counter() - started
        print(f"built in:  {figures['built_s']:.1f} s", flush=True)
        verify = ledger_verify(timebank_id=timebank.id)
        if not verify.ok:
            print("LEDGER WRONG after the build:", *verify.problems, sep="\n  ")
            return 1
        print(f"ledger:    ok ({verify.transfers:,} transfers, {verify.entries:,} entries)")
    else:
        print(f"reusing:   time bank {SLUG} already in this database")

    if args.refresh:
        from coproduce.insights.summary import summary_refresh

        started = time.perf_counter()
        done = summary_refresh()
        print(f"refreshed: {done.folded:,} entry ids in {time.perf_counter() - started:.1f} s")
        _settle(connection)
    from coproduce.insights.models import SummaryState

    state = SummaryState.objects.filter(pk=1).first()
    print(
        f"summaries: up to entry {state.watermark:,} ({state.time_zone or 'not built'})"
        if state
        else "summaries: none"
    )
    print(f"load:      {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")
    figures["load_before"] = list(os.getloadavg())
    reports = (("coordinator", _full_report), ("funder", _funder_report))
    for name, build in reports:
        if args.only and name != args.only:
            continue
        times, cpus, sqls = [], [], []
        for run in range(args.runs):
            sql = [0.0]

            def timed(execute, query, params, many, context, sql=sql):
                begun = time.perf_counter()
                try:
                    return execute(query, params, many, context)
                finally:
                    sql[0] += time.perf_counter() - begun

            started, cpu = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(timed):
                report = build(timebank)
            times.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            sqls.append(sql[0])
            print(
                f"{name} run {run + 1}: {times[-1]:.2f} s (process CPU "
                f"{time.process_time() - cpu:.2f} s, in queries {sql[0]:.2f} s)",
                flush=True,
            )
        if name == "funder" and args.funder_json:
            _write_json(report, args.funder_json)
        n = report.network.summary
        print(
            f"report:    {report.activity.exchanges:,} exchanges, "
            f"{report.activity.active_members:,} active members, {n.nodes:,} nodes, "
            f"{n.ties:,} ties, {len(n.brokers):,} connectors, "
            f"{len(report.network.at_risk):,} at risk"
        )
        print(f"{name} best: {min(times):.2f} s   median: {statistics.median(times):.2f} s")
        figures["reports"][name] = {
            "runs_s": times,
            "best_s": min(times),
            "median_s": statistics.median(times),
            "process_cpu_s": cpus,
            "in_queries_s": sqls,
            "period_exchanges": report.activity.exchanges,
            "active_members": report.activity.active_members,
        }
    print(f"load:      {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")
    if args.json:
        from coproduce.community.models import Membership
        from coproduce.exchanges.models import Exchange

        figures["members"] = Membership.objects.filter(timebank=timebank).count()
        figures["exchanges"] = Exchange.objects.filter(timebank=timebank).count()
        figures["load_after"] = list(os.getloadavg())
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
