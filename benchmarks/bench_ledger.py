#!/usr/bin/env python
"""How many transfers a second `transfer_post` commits, on whatever database the environment gives.

    .venv/bin/python benchmarks/bench_ledger.py [--transfers N] [--accounts N] [--seed S]

It migrates the database named by DATABASE_URL (or the SQLite file under COPRODUCE_DATA_DIR), so
point it at a throwaway one. It builds a fresh time bank of ~1,000 members and posts N one-to-one
exchanges between random members, each by its own call to transfer_post outside any transaction,
so each posting is its own committed transaction, as when members confirm exchanges one request
at a time. A member confirms as themselves, with an idempotency key, as the exchanges app does.
Postings the limits refuse are timed and counted too. It prints transfers/s, the median and p95
time per posting, and runs ledger_verify on the time bank at the end (exit 1 if it fails).
`--json FILE` also writes those figures as JSON (for `benchmarks/targets.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def _settings(connection) -> str:
    """The database and the settings that decide how durable (and how fast) a commit is."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT current_setting('server_version'), current_setting('synchronous_commit'),"
                " current_setting('fsync'), current_setting('wal_sync_method')"
            )
            version, sync, fsync, method = cursor.fetchone()
            return (
                f"PostgreSQL {version} (synchronous_commit={sync}, fsync={fsync}, "
                f"wal_sync_method={method})"
            )
        cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[cursor.fetchone()[0]]
        return f"SQLite {version} (journal_mode={journal}, synchronous={sync})"


def _load() -> str:
    return "/".join(f"{n:.1f}" for n in os.getloadavg())


def _build(members: int):
    """A time bank with `members` members, each with an hour account at the default limits."""
    from django.contrib.auth.hashers import make_password

    from coproduce.community.models import Membership, MembershipStatus, Person, TimeBank
    from coproduce.ledger.models import Account, AccountKind

    tag = uuid.uuid4().hex[:8]
    timebank = TimeBank.objects.create(slug=f"bench-{tag}", name=f"Benchmark {tag}")
    no_login = make_password(None)
    people = Person.objects.bulk_create(
        Person(
            username=f"bench-{tag}-{i}", first_name="Member", last_name=str(i), password=no_login
        )
        for i in range(members)
    )
    Membership.objects.bulk_create(
        Membership(timebank=timebank, person=p, status=MembershipStatus.ACTIVE) for p in people
    )
    accounts = Account.objects.bulk_create(
        Account(
            timebank=timebank,
            kind=AccountKind.MEMBER,
            person=person,
            min_balance=timebank.default_min_balance,
            max_balance=timebank.default_max_balance,
        )
        for person in people
    )
    return timebank, list(zip(accounts, people, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transfers", type=int, default=20_000, help="postings to time (20000)")
    parser.add_argument("--accounts", type=int, default=1_000, help="members (1000)")
    parser.add_argument("--warmup", type=int, default=500, help="untimed postings first (500)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    args = parser.parse_args(argv)
    if args.transfers < 1 or args.accounts < 2 or args.warmup < 0:
        parser.error("--transfers must be at least 1, --accounts at least 2, --warmup 0 or more")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from coproduce.core.errors import ApplicationError
    from coproduce.ledger.selectors import ledger_verify
    from coproduce.ledger.services import transfer_post

    call_command("migrate", verbosity=0, interactive=False)
    print(f"database:  {_settings(connection)}")
    load_before = os.getloadavg()
    print(
        f"machine:   {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average {_load()} before"
    )
    timebank, members = _build(args.accounts)
    ids = [account.pk for account, _person in members]
    print(
        f"community: {len(members)} members in time bank {timebank.slug} "
        f"(id {timebank.pk}; accounts {min(ids)} to {max(ids)})"
    )

    rng = random.Random(args.seed)
    durations: list[int] = []
    refused = 0
    total = args.warmup + args.transfers
    started = cpu_started = 0.0
    for i in range(total):
        if i == args.warmup:
            started, cpu_started = time.perf_counter(), time.process_time()
        (payer, person), (payee, _) = rng.sample(members, 2)
        minutes = rng.choice((30, 60, 60, 90, 120, 180))
        t0 = time.perf_counter_ns()
        try:
            transfer_post(
                timebank=timebank,
                acting=person,
                payer=payer,
                payee=payee,
                minutes=minutes,
                memo="Benchmark exchange",
                idempotency_key=f"exchange:{timebank.slug}:{i}:confirm",
            )
        except ApplicationError:
            if i >= args.warmup:
                refused += 1
        if i >= args.warmup:
            durations.append(time.perf_counter_ns() - t0)
    elapsed = time.perf_counter() - started
    # CPU spent in this process (on SQLite that is all the work; on PostgreSQL the client's
    # share): less disturbed than the wall clock by other work on a busy machine.
    cpu = (time.process_time() - cpu_started) / args.transfers * 1e3

    durations.sort()
    median = statistics.median(durations) / 1e6
    p95 = durations[min(len(durations) - 1, int(len(durations) * 0.95))] / 1e6
    print(
        f"postings:  {args.transfers} timed after {args.warmup} untimed "
        f"({refused} refused by limits), each in its own committed transaction"
    )
    print(f"result:    {args.transfers / elapsed:,.0f} transfers/s; ", end="")
    print(f"median {median:.3f} ms, p95 {p95:.3f} ms per posting")
    print(f"cpu:       {cpu:.3f} ms of this process's CPU time per posting")

    t0 = time.perf_counter()
    report = ledger_verify(timebank_id=timebank.pk)
    print(
        f"verify:    {'ok' if report.ok else 'WRONG'} in {time.perf_counter() - t0:.2f} s "
        f"({report.transfers} transfers, {report.entries} entries)"
    )
    print(f"load:      {_load()} after (other work on the machine slows the figures down)")
    for problem in report.problems:
        print(f"  - {problem}")
    if args.json:
        figures = {
            "benchmark": "ledger",
            "database": connection.vendor,
            "settings": _settings(connection),
            "transfers": args.transfers,
            "accounts": args.accounts,
            "refused": refused,
            "rate": args.transfers / elapsed,
            "median_ms": median,
            "p95_ms": p95,
            "cpu_ms": cpu,
            "verify_ok": report.ok,
            "load_before": list(load_before),
            "load_after": list(os.getloadavg()),
        }
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
