"""A scratch copy of the test session's migrated database, for a child process to use and abuse
(kill -9 in the middle of its writes): a SQLite file made with SQLite's backup API, or a new
PostgreSQL database on the session's server loaded with pg_dump. Much faster than migrating."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from tests.ops.pg_cluster import copy_schema, pg_bin, settings_url


@contextmanager
def scratch_database(folder: Path) -> Iterator[str]:
    """The DATABASE_URL of a copy of the test database's schema, removed afterwards."""
    if connection.vendor == "sqlite":
        path = folder / "scratch.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        yield f"sqlite:///{path}"
        return
    found = pg_bin()
    assert found is not None
    name = f"coproduce_scratch_{uuid.uuid4().hex[:8]}"
    admin = settings_url(connection.settings_dict, "postgres")
    psql = [str(found / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", admin, "-c"]
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    url = settings_url(connection.settings_dict, name)
    try:
        copy_schema(settings_url(connection.settings_dict), url)
        yield url
    finally:
        subprocess.run(
            [*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
            check=False,
            capture_output=True,
        )
