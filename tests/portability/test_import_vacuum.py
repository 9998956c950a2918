"""A whole bank imported on PostgreSQL is vacuumed once it has committed, as the demo is: its
pages are all-visible at once, not when autovacuum next comes by (core.statistics). Run as the
operator would, `coproduce` in its own process on databases of its own (a VACUUM cannot run
inside the test's transaction)."""

from __future__ import annotations

import pytest

from tests.cli.test_backup import TABLES, _env, coproduce, pages_all_visible, postgres_databases


@pytest.mark.postgres
def test_import_timebank_on_postgresql_leaves_the_tables_it_filled_vacuumed(tmp_path):
    with postgres_databases("coproduce_import", 2) as urls:
        old, new = (_env(tmp_path / url.rsplit("/", 1)[1], url) for url in urls)
        built = coproduce(old, "demo", "--members", "30", "--months", "2", "--quiet")
        assert built.returncode == 0, built.stderr
        archive = str(tmp_path / "riverside.zip")
        exported = coproduce(
            old, "export", "timebank", "--timebank", "riverside", "--output", archive
        )
        assert exported.returncode == 0, exported.stderr
        assert coproduce(new, "manage", "migrate", "-v0").returncode == 0

        imported = coproduce(new, "import", "timebank", archive)
        assert imported.returncode == 0, imported.stderr

        pages = pages_all_visible(new["DATABASE_URL"])
    assert set(pages) == set(TABLES)
    assert all(visible == total > 0 for total, visible in pages.values()), pages
