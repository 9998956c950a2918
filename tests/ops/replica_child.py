"""The application's side of tests/ops/test_replica.py, run in a process of its own whose settings
name a real primary (DATABASE_URL) and standby (DATABASE_REPLICA_URL). It writes on the primary,
reads reports through the router, and prints one JSON line per step of what it saw: which
connection served the reads and whether that server was in recovery. STANDBY_STOP is the command
that stops the standby (the parent knows how).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
    django.setup()

    from django.db import connections, transaction
    from django.utils import timezone

    from coproduce.community.models import TimeBank
    from coproduce.core.db_router import REPLICA, replica_forget, replica_reads, replica_status
    from coproduce.insights.period import ReportPeriod
    from coproduce.insights.report import report_build
    from coproduce.ledger.services import transfer_post
    from coproduce.portability.transfers import transfers_export
    from tests.conftest import _join, _person

    def say(step: str, **data: Any) -> None:
        print(json.dumps({"step": step, **data}), flush=True)

    @contextmanager
    def counted() -> Iterator[Counter[str]]:
        seen: Counter[str] = Counter()

        def wrapper(alias: str) -> Callable[..., Any]:
            def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
                seen[alias] += 1
                return execute(sql, params, many, context)

            return count

        with (
            connections["default"].execute_wrapper(wrapper("default")),
            connections[REPLICA].execute_wrapper(wrapper(REPLICA)),
        ):
            yield seen

    def in_recovery(alias: str) -> bool:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            return bool(cursor.fetchone()[0])

    def on_replica(sql: str) -> Any:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    def standby_has(count: int) -> Callable[[], bool]:
        return lambda: on_replica("SELECT count(*) FROM ledger_transfer") >= count

    def wait(predicate: Callable[[], bool], timeout: float = 15) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.1)
        return False

    riverside = TimeBank.objects.create(slug="riverside", name="Riverside Time Bank")
    alice = _join(riverside, _person("alice", "Alice", "Ames"))
    bob = _join(riverside, _person("bob", "Bob", "Brown"))
    from coproduce.ledger.accounts import member_account_get_or_open

    payer = member_account_get_or_open(timebank=riverside, person=alice)
    payee = member_account_get_or_open(timebank=riverside, person=bob)

    def pay(minutes: int) -> None:
        transfer_post(
            timebank=riverside, acting=alice, payer=payer, payee=payee, minutes=minutes,
            memo="Gardening",
        )  # fmt: skip

    today = timezone.localdate()
    period = ReportPeriod.checked(today - timedelta(days=30), today)

    def report() -> tuple[int, int]:
        built = report_build(timebank=riverside, period=period)
        rows = list(transfers_export(timebank=riverside).rows)
        return built.activity.help_minutes, len(rows)

    # 1. A transfer on the primary, replayed by the standby, read back from the standby.
    pay(90)
    replayed = wait(standby_has(1))
    replica_forget()
    with counted() as seen, replica_reads():
        minutes, rows = report()
    say(
        "standby",
        replayed=replayed,
        minutes=minutes,
        rows=rows,
        queries=dict(seen),
        replica_in_recovery=in_recovery(REPLICA),
        primary_in_recovery=in_recovery("default"),
        status=replica_status().state,
    )

    # 2. Inside a transaction the replica is never used.
    with counted() as seen, replica_reads(), transaction.atomic():
        report()
    say("atomic", queries=dict(seen))

    # 3. Replay paused and a write the standby has not applied: the reads go to the primary.
    on_replica("SELECT pg_wal_replay_pause()::text")
    wait(lambda: on_replica("SELECT pg_get_wal_replay_pause_state()") == "paused")
    pay(30)
    bound = float(os.environ["DATABASE_REPLICA_MAX_LAG"])
    time.sleep(bound + 0.5)
    replica_forget()
    with counted() as seen, replica_reads():
        minutes, rows = report()
    status = replica_status()
    say("lagging", minutes=minutes, rows=rows, queries=dict(seen), status=status.state,
        lag=status.lag_seconds)  # fmt: skip

    # ... and back on the standby once it has caught up.
    on_replica("SELECT pg_wal_replay_resume()::text")
    caught_up = wait(standby_has(2))
    replica_forget()
    with counted() as seen, replica_reads():
        minutes, rows = report()
    say("caught_up", caught_up=caught_up, minutes=minutes, rows=rows, queries=dict(seen),
        status=replica_status().state)  # fmt: skip

    # 4. The standby stops while it was last known healthy: a read-only view that fails on it
    # half way is answered from the primary, and the replica is remembered as down.
    assert replica_status(refresh=True).usable
    subprocess.run(shlex.split(os.environ["STANDBY_STOP"]), check=True, capture_output=True)

    class Request:
        method = "GET"

    @replica_reads()
    def view(request: Request) -> tuple[int, int]:
        return report()

    started = time.monotonic()
    with counted() as seen:
        minutes, rows = view(Request())
    say("stopped", minutes=minutes, rows=rows, queries=dict(seen),
        status=replica_status().state, seconds=round(time.monotonic() - started, 2))  # fmt: skip

    # ... and asked afresh, it is still unreachable: the primary serves.
    replica_forget()
    started = time.monotonic()
    with counted() as seen, replica_reads():
        minutes, rows = report()
    say("unreachable", minutes=minutes, rows=rows, queries=dict(seen),
        status=replica_status().state, seconds=round(time.monotonic() - started, 2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
