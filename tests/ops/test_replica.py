"""A real read replica: a primary and a streaming standby on loopback (`initdb`, `pg_basebackup
-R`), the application pointed at both. Reports are read from the standby once it has replayed the
write; never inside a transaction; from the primary while the standby lags past the bound, and
when it stops (even half way through a read). The application's side runs in a process of its own
(tests/ops/replica_child.py) with the settings an operator would give it."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.ops.pg_cluster import Cluster, copy_schema, free_port, pg_bin, settings_url, workdir

# The test database must exist (its schema is copied into the new primary); the test itself
# writes nothing there.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.owner]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def primary_and_standby(django_db_setup, django_db_blocker):
    if pg_bin() is None:
        pytest.skip("PostgreSQL's server binaries are not installed (/usr/lib/postgresql)")
    with django_db_blocker.unblock():
        # The session's migrated test database, as a URL for pg_dump.
        settings = connection.settings_dict
    source = settings_url(settings)
    base = workdir("coproduce-replica-")
    primary = Cluster(base / "primary", free_port())
    standby = Cluster(base / "standby", free_port())
    try:
        primary.initdb().start()
        primary.createdb()
        copy_schema(source, primary)
        primary.standby(standby.dir, standby.port)
        yield primary, standby
    finally:
        standby.remove()
        primary.remove()
        subprocess.run(["rm", "-rf", str(base)], check=False)


def test_reports_are_read_from_the_standby_and_from_the_primary_when_it_lags_or_stops(
    primary_and_standby, tmp_path
):
    primary, standby = primary_and_standby
    stop = [str(standby.bin / "pg_ctl"), "-D", str(standby.dir), "-m", "immediate", "-w", "stop"]
    if os.geteuid() == 0:
        stop = ["runuser", "-u", "postgres", "--", *stop]
    env = {
        **os.environ,
        "DATABASE_URL": primary.url(),
        "DATABASE_REPLICA_URL": standby.url(),
        "DATABASE_REPLICA_MAX_LAG": "1",
        "COPRODUCE_DATA_DIR": str(tmp_path),
        "STANDBY_STOP": shlex.join(stop),
        "PYTHONPATH": str(ROOT),
    }
    child = subprocess.run(
        [sys.executable, "-m", "tests.ops.replica_child"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    steps = {line["step"]: line for line in map(json.loads, child.stdout.splitlines())}

    standby_read = steps["standby"]
    assert standby_read["replayed"] is True
    assert standby_read["replica_in_recovery"] is True
    assert standby_read["primary_in_recovery"] is False
    assert standby_read["status"] == "ok"
    # The whole report and the export came from the standby, and it holds the transfer.
    assert standby_read["queries"].get("replica", 0) > 0
    assert standby_read["queries"].get("default", 0) == 0
    assert (standby_read["minutes"], standby_read["rows"]) == (90, 2)

    assert steps["atomic"]["queries"].get("replica", 0) == 0
    assert steps["atomic"]["queries"]["default"] > 0

    # Replay paused past the bound: the primary, which has the second transfer, answers.
    lagging = steps["lagging"]
    assert lagging["status"] == "lagging"
    assert lagging["queries"].get("replica", 0) == 1  # only the health check
    assert lagging["queries"]["default"] > 0
    assert (lagging["minutes"], lagging["rows"]) == (120, 4)

    caught_up = steps["caught_up"]
    assert caught_up["caught_up"] is True
    assert caught_up["status"] == "ok"
    assert caught_up["queries"].get("default", 0) == 0
    assert (caught_up["minutes"], caught_up["rows"]) == (120, 4)

    # The standby stopped under a read: answered from the primary, the replica marked down.
    stopped = steps["stopped"]
    assert stopped["status"] == "unreachable"
    assert stopped["queries"]["default"] > 0
    assert (stopped["minutes"], stopped["rows"]) == (120, 4)

    unreachable = steps["unreachable"]
    assert unreachable["status"] == "unreachable"
    assert unreachable["queries"]["default"] > 0
    assert (unreachable["minutes"], unreachable["rows"]) == (120, 4)
    assert unreachable["seconds"] < 5  # a refused connection is given up at once
