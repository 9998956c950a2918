"""A demo just built on PostgreSQL is vacuumed, not only analysed: without a VACUUM no page of
its bulk-loaded tables is marked all-visible, and every index-only scan of the pages shown next
reads the table as well (core.statistics). Run as the operator would, `coproduce demo` in its
own process on a database of its own (a VACUUM cannot run inside the test's transaction)."""

from __future__ import annotations

import pytest

from tests.cli.test_backup import TABLES, _env, coproduce, pages_all_visible, postgres_databases


@pytest.mark.postgres
def test_coproduce_demo_on_postgresql_leaves_its_tables_vacuumed(tmp_path):
    with postgres_databases("coproduce_fresh", 1) as (database,):
        built = coproduce(
            _env(tmp_path, database), "demo", "--members", "40", "--months", "2", "--quiet"
        )
        assert built.returncode == 0, built.stderr

        pages = pages_all_visible(database)
    assert set(pages) == set(TABLES)
    assert all(visible == total > 0 for total, visible in pages.values()), pages
