"""kill -9 of the app in the middle of its postings: every transfer is whole or absent, the
ledger verifies, and the count is what the process had committed (or one more: the transfer
whose commit it had not yet reported)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ops.scratch import scratch_database

ROOT = Path(__file__).resolve().parents[2]
KILL_AFTER = 300  # of 2,000 asked for
# The server processes connected to the scratch database other than the one asking.
OTHERS = (
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def _counts(url: str) -> tuple[int, int]:
    sql = "SELECT (SELECT count(*) FROM ledger_transfer), (SELECT count(*) FROM ledger_entry)"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as db:
            return tuple(db.execute(sql).fetchone())  # type: ignore[return-value]
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        # The killed client's server process may still be finishing the commit it had sent:
        # count once it has gone, or the count can miss the transfer `ledger verify` then sees.
        deadline = time.monotonic() + 30
        while db.execute(OTHERS).fetchone()[0] and time.monotonic() < deadline:  # type: ignore[index]
            time.sleep(0.05)
        return tuple(db.execute(sql).fetchone())  # type: ignore[arg-type,return-value]


@pytest.fixture(scope="module")
def scratch(django_db_setup, django_db_blocker, tmp_path_factory):
    """Copied before any test's transaction opens (SQLite's would lock the copy out)."""
    folder = tmp_path_factory.mktemp("scratch")
    with django_db_blocker.unblock(), scratch_database(folder) as url:
        yield url, folder


@pytest.mark.django_db  # the session's test database must exist, to be copied
@pytest.mark.owner
def test_kill_9_in_the_middle_of_2000_postings_leaves_a_ledger_that_verifies(scratch):
    url, tmp_path = scratch
    env = {**os.environ, "DATABASE_URL": url, "COPRODUCE_DATA_DIR": str(tmp_path),
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ops.posting_child", "--count", "2000"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    committed = 0
    deadline = time.monotonic() + 120
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip().isdigit():
            committed = int(line)
        if committed >= KILL_AFTER or time.monotonic() > deadline:
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    # What it printed after the reading stopped, up to the kill.
    committed = max([committed, *(int(n) for n in child.stdout if n.strip().isdigit())])
    assert child.returncode == -signal.SIGKILL
    assert KILL_AFTER <= committed < 2000

    transfers, entries = _counts(url)
    assert transfers in {committed, committed + 1}
    assert entries == 2 * transfers  # no transfer half-written
    verify = subprocess.run(
        [sys.executable, "-m", "coproduce.cli", "ledger", "verify"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"transfers:    {transfers}" in verify.stdout
