"""What the fault rehearsals share: a fresh database (a SQLite file, or a PostgreSQL cluster of
their own on a free loopback port), the `coproduce` command with its settings, and a clear
PASS/FAIL. Run from the repository's root with the project's virtualenv (`make faults`)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.ops.pg_cluster import Cluster, free_port, workdir  # noqa: E402

PYTHON = sys.executable


class Failed(Exception):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise Failed(message)
    print(f"  ok: {message}", flush=True)


class Database:
    """A migrated database for one rehearsal: `url`, `env`, `coproduce(...)`, `stop()`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.folder = Path(tempfile.mkdtemp(prefix="coproduce-fault-"))
        self.cluster: Cluster | None = None
        if kind == "postgres":
            self.cluster = Cluster(workdir("coproduce-fault-pg-"), free_port())
            self.cluster.initdb().start()
            self.cluster.createdb()
            self.url = self.cluster.url()
        else:
            self.url = f"sqlite:///{self.folder / 'coproduce.sqlite3'}"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "COPRODUCE_DATA_DIR": str(self.folder),
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "coproduce.config.settings",
        }
        self.env.pop("DATABASE_REPLICA_URL", None)
        print(f"  migrating a fresh {kind} database…", flush=True)
        self.coproduce("manage", "migrate", "-v0", check=True)

    def coproduce(self, *args: str, check: bool = False, timeout: float = 600):  # type: ignore[no-untyped-def]
        result = subprocess.run(
            [PYTHON, "-m", "coproduce.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise Failed(f"coproduce {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    def python(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [PYTHON, *args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def sql(self, query: str) -> list[tuple]:  # type: ignore[type-arg]
        if self.kind == "postgres":
            import psycopg

            with psycopg.connect(self.url) as db:
                return list(db.execute(query).fetchall())
        import sqlite3

        with sqlite3.connect(self.url.removeprefix("sqlite://")) as db:
            return list(db.execute(query).fetchall())

    def counts(self) -> tuple[int, int]:
        """Transfers and entries, counted once no other server process is connected: a client
        killed with -9 leaves its server process finishing the commit it had sent, and a count
        taken meanwhile misses the transfer `ledger verify` sees a moment later."""
        if self.kind == "postgres":
            deadline = time.monotonic() + 30
            while (
                time.monotonic() < deadline
                and self.sql(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )[0][0]
            ):
                time.sleep(0.05)
        row = self.sql(
            "SELECT (SELECT count(*) FROM ledger_transfer), (SELECT count(*) FROM ledger_entry)"
        )[0]
        return int(row[0]), int(row[1])

    def verify(self) -> str:
        result = self.coproduce("ledger", "verify")
        check(result.returncode == 0, "coproduce ledger verify: clean")
        return result.stdout

    def remove(self) -> None:
        if self.cluster is not None:
            self.cluster.remove()
        shutil.rmtree(self.folder, ignore_errors=True)


def read_until(child: subprocess.Popen[str], done: Callable[[str], bool], timeout: float) -> str:
    """Lines of the child's output until `done(line)`; the last line read."""
    assert child.stdout is not None
    deadline = time.monotonic() + timeout
    last = ""
    for line in child.stdout:
        last = line.strip()
        if done(last) or time.monotonic() > deadline:
            break
    return last


def last_count(child: subprocess.Popen[str], last: str) -> int:
    """After the child has ended: the last number it printed (its committed postings)."""
    assert child.stdout is not None
    numbers = [line.strip() for line in [last, *child.stdout] if line.strip().isdigit()]
    return int(numbers[-1]) if numbers else 0


def rehearse(name: str, body: Callable[[argparse.Namespace, Database], None],
             parser: argparse.ArgumentParser | None = None) -> int:  # fmt: skip
    parser = parser or argparse.ArgumentParser(description=name)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    print(f"{name} ({args.database})", flush=True)
    database = None
    started = time.monotonic()
    try:
        database = Database(args.database)
        body(args, database)
    except Failed as exc:
        print(f"FAIL {name} ({args.database}): {exc}", flush=True)
        return 1
    finally:
        if database is not None:
            database.remove()
    print(f"PASS {name} ({args.database}) in {time.monotonic() - started:.0f} s", flush=True)
    return 0
