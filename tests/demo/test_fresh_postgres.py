"""A demo just built on PostgreSQL is vacuumed, not only analysed: without a VACUUM no page of
its bulk-loaded tables is marked all-visible, and every index-only scan of the pages shown next
reads the table as well (core.statistics). Run as the operator would, `coproduce demo` in its
own process on a database of its own (a VACUUM cannot run inside the test's transaction)."""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlparse, urlunparse

import pytest

from tests.cli.test_backup import TABLES, _env, coproduce, pages_all_visible
from tests.conftest import ON_POSTGRES


@pytest.mark.postgres
def test_coproduce_demo_on_postgresql_leaves_its_tables_vacuumed(tmp_path):
    if not ON_POSTGRES:
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://… to run it")
    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    admin = urlunparse(url._replace(path="/postgres"))
    name = f"coproduce_fresh_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        database = urlunparse(url._replace(path=f"/{name}"))
        built = coproduce(
            _env(tmp_path, database), "demo", "--members", "40", "--months", "2", "--quiet"
        )
        assert built.returncode == 0, built.stderr

        pages = pages_all_visible(database)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert set(pages) == set(TABLES)
    assert all(visible == total > 0 for total, visible in pages.values()), pages
