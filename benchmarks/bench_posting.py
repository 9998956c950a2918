#!/usr/bin/env python
"""`transfer_post` side by side with the floors it is held to, in one run (issue 17).

    .venv/bin/python benchmarks/bench_posting.py [--transfers N] [--prefill M] [--write]

PostgreSQL (when DATABASE_URL is set; it must name a server where this role may create
databases — the benchmark makes its own, `<name>_bench_*`, and drops them again):

- `transfer_post` on a freshly migrated database (a copy of one migrated at the start of the
  run, never ANALYZEd, autovacuum off on its tables, so its statistics say the tables are empty
  all along) and on one pre-filled with M transfers (2M entries, M audit rows) by COPY-like
  INSERT … SELECT, again with no statistics: the worst case for the planner;
- in the same process, interleaved with it in blocks of 250, the floors on minimal tables
  (`benchmarks/floor_postgres.sql`, pre-filled alike): the posting as one plpgsql call
  (the one-round-trip floor), as seven statements from psycopg (the raw floor), and one durable
  one-row commit;
- django-hordak (benchmarks/.venv-hordak, which `benchmarks/run` creates) in its own database,
  ANALYZEd, run between the blocks of the fresh database;
- `pg_stat_user_tables` before and after the postings: the sequential scans of the ledger's
  tables (0 is the promise, at any size) and how a posting's median changes by quarter.

SQLite (always): `transfer_post` in a temporary data directory against the same posting through
the bare `sqlite3` module, on the app's own tables (same file, same settings) and on minimal
tables (`benchmarks/floor_sqlite.sql`), interleaved the same way.

The machine is shared and noisy: read the ratios, which come from contenders timed in the same
minutes. --write puts the tables into benchmarks/BENCHMARKS.md between its markers; --json FILE
writes the figures as JSON (for `benchmarks/targets.py`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

BLOCK = 250
WARMUP = 50
MEMBERS = 1_000
SLUG = "bench-posting"
LEDGER_TABLES = (
    "ledger_transfer",
    "ledger_entry",
    "ledger_account",
    "core_auditevent",
    "community_person",
    "community_timebank",
)
MARK_START = "<!-- bench_posting: start -->"
MARK_END = "<!-- bench_posting: end -->"
HORDAK_PYTHON = HERE / ".venv-hordak" / "bin" / "python"


# --- helpers -------------------------------------------------------------------------------


def _with_db(url: str, name: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path="/" + name))


def _summary(durations: list[int]) -> dict[str, float]:
    """Postings a second (over the time spent in the calls), median and p95 in ms."""
    ordered = sorted(durations)
    return {
        "rate": len(ordered) / (sum(ordered) / 1e9),
        "median": statistics.median(ordered) / 1e6,
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] / 1e6,
        "count": len(ordered),
    }


def _quarters(durations: list[int]) -> list[float]:
    q = max(1, len(durations) // 4)
    return [statistics.median(durations[i * q : (i + 1) * q]) / 1e6 for i in range(4)]


def _interleave(
    contenders: dict, count: int, rng: random.Random, servers: dict | None = None
) -> tuple[dict[str, list[int]], dict[str, tuple[float, float]]]:
    """Each contender `count` times, in blocks of BLOCK taken in turn (order rotating), so that
    they share the machine's moods; each gets WARMUP untimed calls first. Returns the durations
    and, per contender, the CPU time per posting of this process and of its database server
    process (`servers`: a function reading it, for PostgreSQL), in ms: unlike the wall clock,
    CPU time hardly changes with the machine's load, so its ratios hold on a quiet machine."""
    for post in contenders.values():
        for _ in range(WARMUP):
            post(rng, timed=False)
    durations: dict[str, list[int]] = {name: [] for name in contenders}
    client = dict.fromkeys(contenders, 0)
    server = dict.fromkeys(contenders, 0.0)
    names = list(contenders)
    done = 0
    turn = 0
    while done < count:
        block = min(BLOCK, count - done)
        for name in names[turn % len(names) :] + names[: turn % len(names)]:
            post = contenders[name]
            out = durations[name]
            read_server = (servers or {}).get(name)
            s0 = read_server() if read_server else 0.0
            c0 = time.thread_time_ns()
            for _ in range(block):
                out.append(post(rng, timed=True))
            client[name] += time.thread_time_ns() - c0
            server[name] += (read_server() - s0) if read_server else 0.0
        done += block
        turn += 1
    cpu = {
        name: (client[name] / 1e6 / len(durations[name]), server[name] * 1e3 / len(durations[name]))
        for name in contenders
    }
    return durations, cpu


def server_cpu(conn) -> Callable[[], float]:
    """Seconds of CPU the PostgreSQL backend serving `conn` has used (from /proc: the server
    must run on this machine, as it does for this benchmark)."""
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    if not conn.autocommit:
        conn.commit()
    ticks = os.sysconf("SC_CLK_TCK")
    path = Path(f"/proc/{pid}/stat")

    def read() -> float:
        try:
            fields = path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks

    return read


def _load() -> str:
    return "/".join(f"{n:.1f}" for n in os.getloadavg())


# --- PostgreSQL ----------------------------------------------------------------------------


def _admin(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _scans(url: str) -> dict[str, int]:
    with _admin(url) as conn:
        rows = conn.execute(
            "SELECT relname, seq_scan FROM pg_stat_user_tables WHERE relname = ANY (%s)",
            [list(LEDGER_TABLES)],
        ).fetchall()
    return dict(rows)


def _stable_scans(url: str) -> dict[str, int]:
    """The counters once every backend that used them has gone (a backend's counts reach the
    shared statistics when it exits)."""
    previous = None
    for _ in range(20):
        time.sleep(0.3)
        now = _scans(url)
        if now == previous:
            return now
        previous = now
    return previous or {}


def _no_autovacuum(url: str) -> None:
    with _admin(url) as conn:
        for table in LEDGER_TABLES:
            conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")  # type: ignore[arg-type]


def _recreate(admin, name: str, template: str | None = None) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
    suffix = f' TEMPLATE "{template}"' if template else ""
    admin.execute(f'CREATE DATABASE "{name}"{suffix}')  # type: ignore[arg-type]


def _run_self(url: str, *args: str) -> dict:
    env = dict(os.environ, DATABASE_URL=url)
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, check=False, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _django(url: str | None):
    if url is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
    import django

    django.setup()


def worker_setup(members: int) -> dict:
    """Migrate (when asked on a new database) and build the benchmark's time bank."""
    from bench_ledger import _build
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    timebank, pairs = _build(members)
    timebank.slug = SLUG
    timebank.save(update_fields=["slug"])
    return {"timebank": timebank.pk, "accounts": [a.pk for a, _p in pairs]}


def _prefill(url: str, transfers: int) -> float:
    """M transfers between the benchmark's members (each pays as often as it is paid, so every
    balance stays 0 and within its limits), their entries and audit rows, and as many in the
    floor's tables; triggers and foreign-key checks are off for the load (session_replication_role
    = replica, so only a superuser can), statistics are not gathered. Returns seconds taken."""
    t0 = time.perf_counter()
    with _admin(url) as conn:
        tb, first, n = conn.execute(
            "SELECT t.id, min(a.id), count(*) FROM community_timebank t"
            " JOIN ledger_account a ON a.timebank_id = t.id WHERE t.slug = %s GROUP BY t.id",
            [SLUG],
        ).fetchone()
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
            conn.execute(
                "INSERT INTO ledger_transfer (timebank_id, public_id, kind, memo, occurred_at,"
                " created_at, idempotency_key, override_reason)"
                " SELECT %s, gen_random_uuid(), 'exchange', 'Prefill', t, t, 'prefill:' || g, ''"
                " FROM generate_series(1, %s) g,"
                " LATERAL (SELECT now() - (%s - g) * interval '1 minute') AS x(t)",
                [tb, transfers, transfers],
            )
            conn.execute(
                "INSERT INTO ledger_entry (transfer_id, account_id, timebank_id, unit, amount,"
                " occurred_at, kind)"
                " SELECT t.id, %(first)s + ((t.id + s) %% %(n)s), t.timebank_id, 'hour',"
                " CASE WHEN s = 0 THEN -30 ELSE 30 END, t.occurred_at, t.kind"
                " FROM ledger_transfer t, (VALUES (0), (1)) AS v(s)"
                " WHERE t.timebank_id = %(tb)s AND t.idempotency_key LIKE 'prefill:%%'",
                {"first": first, "n": n, "tb": tb},
            )
            conn.execute(
                "INSERT INTO core_auditevent (timebank_id, action, target, data, created_at)"
                " SELECT timebank_id, 'ledger.transfer_posted', 'transfer:' || public_id,"
                ' \'{"kind": "exchange"}\'::jsonb, created_at FROM ledger_transfer'
                " WHERE timebank_id = %s AND idempotency_key LIKE 'prefill:%%'",
                [tb],
            )
            conn.execute(
                "INSERT INTO floor.transfer (memo, created_at, idempotency_key)"
                " SELECT 'Prefill', now(), 'prefill:' || g FROM generate_series(1, %s) g",
                [transfers],
            )
            conn.execute(
                "INSERT INTO floor.entry (transfer_id, account_id, amount)"
                " SELECT t.id, 1 + ((t.id + s) % 1000), CASE WHEN s = 0 THEN -30 ELSE 30 END"
                " FROM floor.transfer t, (VALUES (0), (1)) AS v(s)"
            )
            conn.execute(
                "INSERT INTO floor.audit (action, target, created_at)"
                " SELECT 'posted', id::text, created_at FROM floor.transfer"
            )
    return time.perf_counter() - t0


def worker_postgres(count: int, seed: int, tag: str) -> dict:
    """transfer_post and the floors, interleaved, in the database DATABASE_URL names."""
    import psycopg
    from django.db import connection

    from coproduce.community.models import Person, TimeBank
    from coproduce.core.errors import ApplicationError
    from coproduce.ledger.models import Account
    from coproduce.ledger.services import transfer_post

    url = os.environ["DATABASE_URL"]
    timebank = TimeBank.objects.get(slug=SLUG)
    accounts = list(Account.objects.filter(timebank=timebank).values_list("pk", "person_id"))
    people = Person.objects.in_bulk([p for _a, p in accounts])
    members = [(a, people[p]) for a, p in accounts]
    connection.close()  # its statistics reach the shared counters before the "before" reading
    before = _stable_scans(url)

    fn = psycopg.connect(url, autocommit=True)
    raw = psycopg.connect(url)
    one = psycopg.connect(url, autocommit=True)
    serial = iter(range(10**9))
    refused = {"transfer_post": 0, "floor function": 0}

    def post_django(rng: random.Random, timed: bool) -> int:
        (payer, person), (payee, _) = rng.sample(members, 2)
        t0 = time.perf_counter_ns()
        try:
            transfer_post(
                timebank=timebank,
                acting=person,
                payer=payer,
                payee=payee,
                minutes=30,
                memo="Benchmark exchange",
                idempotency_key=f"bench:{tag}:{next(serial)}",
            )
        except ApplicationError:
            refused["transfer_post"] += timed
        return time.perf_counter_ns() - t0

    def post_function(rng: random.Random, timed: bool) -> int:
        payer, payee = rng.sample(range(1, 1001), 2)
        t0 = time.perf_counter_ns()
        row = fn.execute(
            "SELECT floor.post(%s, %s, %s, %s)",
            (payer, payee, 30, f"bench:{tag}:{next(serial)}"),
            prepare=True,
        ).fetchone()
        took = time.perf_counter_ns() - t0
        refused["floor function"] += timed and row[0] is None
        return took

    def post_raw(rng: random.Random, timed: bool) -> int:
        payer, payee = rng.sample(range(1, 1001), 2)
        key = f"bench:{tag}:{next(serial)}"
        t0 = time.perf_counter_ns()
        with raw.transaction():
            raw.execute(
                "SELECT id, balance, min_balance FROM floor.account WHERE id = ANY (%s)"
                " ORDER BY id FOR UPDATE",
                [[payer, payee]],
                prepare=True,
            ).fetchall()
            raw.execute(
                "SELECT id FROM floor.transfer WHERE idempotency_key = %s", [key], prepare=True
            ).fetchone()
            t = raw.execute(
                "INSERT INTO floor.transfer (memo, created_at, idempotency_key)"
                " VALUES ('raw', now(), %s) RETURNING id",
                [key],
                prepare=True,
            ).fetchone()[0]
            raw.execute(
                "INSERT INTO floor.entry (transfer_id, account_id, amount)"
                " VALUES (%s, %s, -30), (%s, %s, 30)",
                [t, payer, t, payee],
                prepare=True,
            )
            raw.execute(
                "UPDATE floor.account SET balance = balance + CASE id WHEN %s THEN -30 ELSE 30"
                " END WHERE id IN (%s, %s)",
                [payer, payer, payee],
                prepare=True,
            )
            raw.execute(
                "INSERT INTO floor.audit (action, target, created_at) VALUES ('posted', %s, now())",
                [str(t)],
                prepare=True,
            )
        return time.perf_counter_ns() - t0

    def commit_one(rng: random.Random, timed: bool) -> int:
        t0 = time.perf_counter_ns()
        one.execute("INSERT INTO floor.one (n) VALUES (%s)", [1], prepare=True)
        return time.perf_counter_ns() - t0

    rng = random.Random(seed)
    connection.ensure_connection()
    durations, cpu = _interleave(
        {
            "transfer_post": post_django,
            "floor function": post_function,
            "raw psycopg": post_raw,
            "one-row commit": commit_one,
        },
        count,
        rng,
        {
            "transfer_post": server_cpu(connection.connection),
            "floor function": server_cpu(fn),
            "raw psycopg": server_cpu(raw),
            "one-row commit": server_cpu(one),
        },
    )
    for conn in (fn, raw, one):
        conn.close()
    connection.close()
    after = _stable_scans(url)
    return {
        "durations": durations,
        "quarters": _quarters(durations["transfer_post"]),
        "seq_scans": {t: after.get(t, 0) - before.get(t, 0) for t in LEDGER_TABLES},
        "refused": refused,
        "cpu": cpu,
    }


def _hordak(url: str, count: int) -> tuple[list[int], tuple[float, float]]:
    """django-hordak's `count` postings: their durations, and its CPU per posting (ms) of its
    process and of its database backend."""
    out = subprocess.run(
        [str(HORDAK_PYTHON), str(HERE / "hordak_bench.py"), url, str(count)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    client, server = result["cpu"]
    return result["durations"], (client, server)


def run_postgres(
    url: str, transfers: int, prefill: int, seed: int, hordak: bool, keep: bool
) -> dict:
    base = urlparse(url).path.lstrip("/") or "coproduce"
    names = {k: f"{base}_bench_{k}" for k in ("template", "fresh", "filled", "hordak")}
    admin = _admin(url)
    result: dict = {}
    try:
        t0 = time.perf_counter()
        template_url = _with_db(url, names["template"])
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [names["template"]]
        ).fetchone()
        if not (keep and exists):
            _recreate(admin, names["template"])
            _run_self(template_url, "--worker", "migrate")
            with _admin(template_url) as conn:
                conn.execute((HERE / "floor_postgres.sql").read_text())
        result["migrate_s"] = time.perf_counter() - t0
        for kind in ("fresh", "filled"):
            _recreate(admin, names[kind], names["template"])
            kind_url = _with_db(url, names[kind])
            _no_autovacuum(kind_url)
            _run_self(kind_url, "--worker", "build")
        result["prefill_s"] = _prefill(_with_db(url, names["filled"]), prefill)

        if hordak:
            _recreate(admin, names["hordak"])
            hordak_url = _with_db(url, names["hordak"])
            subprocess.run(
                [str(HORDAK_PYTHON), str(HERE / "hordak_bench.py"), hordak_url, "0", "--setup"],
                check=True,
            )
            with _admin(hordak_url) as conn:
                conn.execute("ANALYZE")
        # The fresh database and hordak in alternate halves, then the pre-filled one.
        half = transfers // 2
        fresh: list[dict] = []
        hordak_durations: list[int] = []
        hordak_cpu: list[tuple[float, float]] = []
        for i in range(2):
            fresh.append(
                _run_self(
                    _with_db(url, names["fresh"]),
                    "--worker",
                    "postgres",
                    "--transfers",
                    str(half),
                    "--seed",
                    str(seed + i),
                )
            )
            if hordak:
                durations, cpu = _hordak(_with_db(url, names["hordak"]), half)
                hordak_durations += durations
                hordak_cpu.append(cpu)
        result["fresh"] = {
            "durations": {
                k: fresh[0]["durations"][k] + fresh[1]["durations"][k]
                for k in fresh[0]["durations"]
            },
            "quarters": _quarters(
                fresh[0]["durations"]["transfer_post"] + fresh[1]["durations"]["transfer_post"]
            ),
            "seq_scans": {
                t: fresh[0]["seq_scans"][t] + fresh[1]["seq_scans"][t] for t in LEDGER_TABLES
            },
            "cpu": {
                k: tuple(
                    (a + b) / 2 for a, b in zip(fresh[0]["cpu"][k], fresh[1]["cpu"][k], strict=True)
                )
                for k in fresh[0]["cpu"]
            },
        }
        if hordak:
            result["fresh"]["durations"]["django-hordak"] = hordak_durations
            result["fresh"]["cpu"]["django-hordak"] = (
                statistics.fmean(c for c, _s in hordak_cpu),
                statistics.fmean(s for _c, s in hordak_cpu),
            )
        result["filled"] = _run_self(
            _with_db(url, names["filled"]),
            "--worker",
            "postgres",
            "--transfers",
            str(transfers),
            "--seed",
            str(seed + 7),
        )
        with _admin(_with_db(url, names["filled"])) as conn:
            result["filled_transfers"] = prefill
            result["server"] = conn.execute(
                "SELECT current_setting('server_version') || ' (synchronous_commit='"
                " || current_setting('synchronous_commit') || ', fsync='"
                " || current_setting('fsync') || ')'"
            ).fetchone()[0]
    finally:
        for kind, name in names.items():
            if keep and kind == "template":
                continue
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        admin.close()
    return result


# --- SQLite --------------------------------------------------------------------------------

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
    " PRAGMA busy_timeout=20000; PRAGMA cache_size=-32000;"
)


def worker_sqlite(count: int, seed: int) -> dict:
    """transfer_post against the bare sqlite3 module, on the app's tables and on minimal ones."""
    import sqlite3

    from bench_ledger import _build
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from coproduce.core.errors import ApplicationError
    from coproduce.ledger.services import transfer_post

    call_command("migrate", verbosity=0, interactive=False)
    timebank, members = _build(MEMBERS)
    path = settings.DATABASES["default"]["NAME"]

    same = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    same.executescript(SQLITE_PRAGMAS)
    floor_path = str(Path(path).with_name("floor.sqlite3"))
    floor = sqlite3.connect(floor_path, isolation_level=None)
    floor.executescript(SQLITE_PRAGMAS)
    floor.executescript((HERE / "floor_sqlite.sql").read_text())
    ids = [a.pk for a, _p in members]
    serial = iter(range(10**9))
    tag = uuid.uuid4().hex[:8]

    def post_django(rng: random.Random, timed: bool) -> int:
        (payer, person), (payee, _) = rng.sample(members, 2)
        t0 = time.perf_counter_ns()
        with contextlib.suppress(ApplicationError):
            transfer_post(
                timebank=timebank,
                acting=person,
                payer=payer,
                payee=payee,
                minutes=30,
                memo="Benchmark exchange",
                idempotency_key=f"bench:{tag}:{next(serial)}",
            )
        return time.perf_counter_ns() - t0

    def post_same(rng: random.Random, timed: bool) -> int:
        """The statements transfer_post runs on SQLite, on the same tables, bare."""
        payer, payee = rng.sample(ids, 2)
        key = f"bench:{tag}:{next(serial)}"
        now = timezone.now().isoformat()
        t0 = time.perf_counter_ns()
        cur = same.cursor()
        cur.execute("BEGIN IMMEDIATE")
        rows = cur.execute(
            "SELECT id, timebank_id, unit, balance, min_balance, max_balance,"
            " closed_at IS NOT NULL, (SELECT t.id FROM ledger_transfer t WHERE t.timebank_id = ?"
            " AND t.idempotency_key = ?) FROM ledger_account WHERE id IN (?, ?) ORDER BY id",
            (timebank.pk, key, payer, payee),
        ).fetchall()
        balance = {r[0]: r[3] for r in rows}
        if balance[payer] - 30 < rows[0][4]:
            cur.execute("ROLLBACK")
            return time.perf_counter_ns() - t0
        cur.execute(
            "INSERT INTO ledger_transfer (timebank_id, public_id, kind, memo, occurred_at,"
            " created_at, created_by_id, on_behalf_of_id, idempotency_key, reverses_id,"
            " override_reason) VALUES (?, ?, 'exchange', 'Bare', ?, ?, NULL, NULL, ?, NULL, '')",
            (timebank.pk, uuid.uuid4().hex, now, now, key),
        )
        t = cur.lastrowid
        cur.execute(
            "INSERT INTO ledger_entry (transfer_id, account_id, timebank_id, unit, amount,"
            " occurred_at, kind) VALUES (?, ?, ?, 'hour', -30, ?, 'exchange'),"
            " (?, ?, ?, 'hour', 30, ?, 'exchange')",
            (t, payer, timebank.pk, now, t, payee, timebank.pk, now),
        )
        cur.execute(
            "UPDATE ledger_account SET balance = balance + CASE id WHEN ? THEN -30 ELSE 30 END"
            " WHERE id IN (?, ?)",
            (payer, payer, payee),
        )
        cur.execute(
            "INSERT INTO core_auditevent (timebank_id, actor_id, on_behalf_of_id, action,"
            " target, data, created_at) VALUES (?, NULL, NULL, 'ledger.transfer_posted', ?, ?, ?)",
            (timebank.pk, f"transfer:{t}", '{"kind": "exchange"}', now),
        )
        cur.execute("COMMIT")
        return time.perf_counter_ns() - t0

    def post_floor(rng: random.Random, timed: bool) -> int:
        payer, payee = rng.sample(range(1, 1001), 2)
        now = datetime.now(UTC).isoformat()
        t0 = time.perf_counter_ns()
        cur = floor.cursor()
        cur.execute("BEGIN IMMEDIATE")
        rows = cur.execute(
            "SELECT id, balance, min_balance FROM account WHERE id IN (?, ?) ORDER BY id",
            (payer, payee),
        ).fetchall()
        balance = {r[0]: (r[1], r[2]) for r in rows}
        if balance[payer][0] - 30 < balance[payer][1]:
            cur.execute("ROLLBACK")
            return time.perf_counter_ns() - t0
        key = f"k{next(serial)}"
        cur.execute("SELECT id FROM transfer WHERE idempotency_key = ?", (key,)).fetchone()
        cur.execute(
            "INSERT INTO transfer (memo, created_at, idempotency_key) VALUES ('floor', ?, ?)",
            (now, key),
        )
        t = cur.lastrowid
        cur.execute(
            "INSERT INTO entry (transfer_id, account_id, amount) VALUES (?, ?, -30), (?, ?, 30)",
            (t, payer, t, payee),
        )
        cur.execute(
            "UPDATE account SET balance = balance + CASE id WHEN ? THEN -30 ELSE 30 END"
            " WHERE id IN (?, ?)",
            (payer, payer, payee),
        )
        cur.execute(
            "INSERT INTO audit (action, target, created_at) VALUES ('posted', ?, ?)", (str(t), now)
        )
        cur.execute("COMMIT")
        return time.perf_counter_ns() - t0

    connection.ensure_connection()
    durations, cpu = _interleave(
        {
            "transfer_post": post_django,
            "bare sqlite3, same tables": post_same,
            "bare sqlite3, minimal tables": post_floor,
        },
        count,
        random.Random(seed),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return {"durations": durations, "version": version, "cpu": cpu}


def run_sqlite(transfers: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="coproduce-bench-posting-") as data:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["COPRODUCE_DATA_DIR"] = data
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--worker",
                "sqlite",
                "--transfers",
                str(transfers),
                "--seed",
                str(seed),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


# --- the report ----------------------------------------------------------------------------


def _table(title: str, result: dict, reference: str) -> list[str]:
    durations, cpu = result["durations"], result.get("cpu", {})
    rows = {name: _summary(d) for name, d in durations.items() if d}
    ref = rows["transfer_post"]["rate"]
    ref_cpu = sum(cpu.get("transfer_post", (0, 0)))
    lines = [
        f"{title}",
        "",
        "| posting as | postings/s | median (ms) | p95 (ms) | transfer_post ÷ this "
        "| CPU per posting: client + server (ms) | transfer_post ÷ this, by CPU |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in rows.items():
        ratio = ref / s["rate"]
        mark = " **(target)**" if name == reference else ""
        if name in cpu and ref_cpu:
            client, server = cpu[name]
            both = f"{client:.3f} + {server:.3f}" if server else f"{client:.3f}"
            by_cpu = f"{(client + server) / ref_cpu:.2f}x"
        else:
            both = by_cpu = "-"
        lines.append(
            f"| {name}{mark} | {s['rate']:,.0f} | {s['median']:.3f} | {s['p95']:.2f} | "
            f"{ratio:.2f}x | {both} | {by_cpu} |"
        )
    return lines


def report(pg: dict | None, lite: dict, args: argparse.Namespace) -> str:
    lines = [
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: `bench_posting.py --transfers "
        f"{args.transfers} --prefill {args.prefill}`; {platform.machine()}, {os.cpu_count()} "
        f"CPUs, Python {platform.python_version()}, load average {_load()} at the end "
        "(the machine was shared: read the ratios, each from contenders interleaved in blocks "
        f"of {BLOCK} in the same minutes).",
        "",
    ]
    if pg is not None:
        lines += [
            f"PostgreSQL {pg['server']}, over TCP on 127.0.0.1. Migrating the template took "
            f"{pg['migrate_s']:.0f} s; pre-filling {pg['filled_transfers']:,} transfers "
            f"(with their entries and audit rows, and as many in the floor's tables) took "
            f"{pg['prefill_s']:.0f} s.",
            "",
        ]
        lines += _table(
            "**PostgreSQL, freshly migrated database** (no statistics ever: autovacuum off on "
            "its tables, no ANALYZE)",
            pg["fresh"],
            "floor function",
        )
        q = pg["fresh"]["quarters"]
        lines += [
            "",
            "Median of transfer_post by quarter of its postings: "
            + " → ".join(f"{v:.3f}" for v in q)
            + " ms. Sequential scans during them: "
            + ", ".join(f"{t} {n}" for t, n in pg["fresh"]["seq_scans"].items())
            + ".",
            "",
        ]
        lines += _table(
            f"**PostgreSQL, pre-filled with {pg['filled_transfers']:,} transfers** "
            "(no statistics either)",
            pg["filled"],
            "floor function",
        )
        q = pg["filled"]["quarters"]
        lines += [
            "",
            "Median of transfer_post by quarter: "
            + " → ".join(f"{v:.3f}" for v in q)
            + " ms. Sequential scans: "
            + ", ".join(f"{t} {n}" for t, n in pg["filled"]["seq_scans"].items())
            + ".",
            "",
        ]
    lines += _table(
        f"**SQLite {lite['version']}** (WAL, synchronous=NORMAL, as the app runs it)",
        lite,
        "bare sqlite3, minimal tables",
    )
    return "\n".join(lines) + "\n"


def _section(result: dict) -> dict:
    """One table's figures, for --json: each contender's rate, times and CPU per posting."""
    cpu = result.get("cpu", {})
    contenders = {}
    for name, durations in result["durations"].items():
        if not durations:
            continue
        s = _summary(durations)
        client, server = cpu.get(name, (None, None))
        contenders[name] = {
            "rate": s["rate"],
            "median_ms": s["median"],
            "p95_ms": s["p95"],
            "count": s["count"],
            "cpu_client_ms": client,
            "cpu_server_ms": server,
        }
    return {
        "contenders": contenders,
        "quarters_ms": result.get("quarters"),
        "seq_scans": result.get("seq_scans"),
    }


def figures(pg: dict | None, lite: dict, args: argparse.Namespace) -> dict:
    return {
        "benchmark": "posting",
        "transfers": args.transfers,
        "load_after": list(os.getloadavg()),
        "postgresql": None
        if pg is None
        else {
            "server": pg["server"],
            "filled_transfers": pg["filled_transfers"],
            "fresh": _section(pg["fresh"]),
            "filled": _section(pg["filled"]),
        },
        "sqlite": dict(_section(lite), version=lite["version"]),
    }


def _write(text: str) -> None:
    path = HERE / "BENCHMARKS.md"
    current = path.read_text(encoding="utf-8")
    start, end = current.index(MARK_START), current.index(MARK_END)
    path.write_text(
        current[: start + len(MARK_START)] + "\n" + text + current[end:], encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transfers", type=int, default=2_000, help="per contender (2000)")
    parser.add_argument("--prefill", type=int, default=200_000, help="transfers (200000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-hordak", action="store_true", help="skip django-hordak")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    parser.add_argument(
        "--keep-template", action="store_true", help="reuse the migrated template of a last run"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.worker and (args.transfers < 2 * BLOCK or args.prefill < 0):
        parser.error(f"--transfers must be at least {2 * BLOCK}, --prefill 0 or more")

    if args.worker:
        _django(os.environ.get("DATABASE_URL"))
        if args.worker == "migrate":
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
            result: dict = {}
        elif args.worker == "build":
            result = worker_setup(MEMBERS)
        elif args.worker == "postgres":
            result = worker_postgres(args.transfers, args.seed, uuid.uuid4().hex[:8])
        else:
            result = worker_sqlite(args.transfers, args.seed)
        print(json.dumps(result))
        return 0

    url = os.environ.get("DATABASE_URL", "")
    hordak = not args.no_hordak
    if hordak and not HORDAK_PYTHON.exists():
        print(f"({HORDAK_PYTHON} is missing: django-hordak skipped; benchmarks/run makes it)")
        hordak = False
    pg = None
    if url.startswith("postgres"):
        print("PostgreSQL: migrating a template, building, pre-filling, posting…", flush=True)
        pg = run_postgres(url, args.transfers, args.prefill, args.seed, hordak, args.keep_template)
    else:
        print("(DATABASE_URL is not PostgreSQL: PostgreSQL skipped)")
    print("SQLite: migrating, building, posting…", flush=True)
    lite = run_sqlite(args.transfers, args.seed)
    text = report(pg, lite, args)
    print()
    print(text)
    if args.write:
        _write(text)
    if args.json:
        Path(args.json).write_text(json.dumps(figures(pg, lite, args), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
