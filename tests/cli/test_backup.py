"""`coproduce backup` and `coproduce restore`: a small demo community is backed up while nothing
stops it, restored into a fresh database (SQLite, and PostgreSQL when it is there), and the
restored ledger verifies with the same balances. Run as the operator would: the `coproduce`
command in its own process, with its own data folder or database."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.conftest import ON_POSTGRES

FINGERPRINT = (
    "import hashlib;"
    "from coproduce.ledger.models import Account, Transfer;"
    "rows = sorted(Account.objects.values_list('public_id', 'balance'));"
    "print(Transfer.objects.count(), hashlib.sha256(repr(rows).encode()).hexdigest())"
)


def coproduce(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coproduce.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


# Tables the pages read most, each filled in bulk by the demo's build and by a restore.
TABLES = (
    "community_person",
    "community_membership",
    "ledger_account",
    "ledger_entry",
    "exchanges_offer",
    "exchanges_exchange",
    "exchanges_participant",
)


def pages_all_visible(url: str) -> dict[str, tuple[int, int]]:
    """Each of `TABLES`' pages and those marked all-visible, as the last VACUUM left them: a
    table filled in bulk has none until one runs (core.statistics)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT relname, relpages, relallvisible FROM pg_class WHERE relname = ANY(%s)",
            [list(TABLES)],
        ).fetchall()
    return {name: (pages, visible) for name, pages, visible in rows}


@contextmanager
def postgres_databases(prefix: str, count: int) -> Iterator[list[str]]:
    """`count` new, empty databases on DATABASE_URL's server, their URLs, dropped afterwards (a
    test that runs `coproduce` in its own process, or a VACUUM, needs databases outside the
    test's transaction). Skips the test on SQLite."""
    if not ON_POSTGRES:
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://… to run it")
    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    admin = urlunparse(url._replace(path="/postgres"))
    names = [f"{prefix}_{uuid.uuid4().hex[:8]}" for _ in range(count)]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [urlunparse(url._replace(path=f"/{name}")) for name in names]
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ledger_fingerprint(env: dict[str, str]) -> str:
    """The number of transfers and a checksum of every account's balance, by public id."""
    done = coproduce(env, "manage", "shell", "-c", FINGERPRINT)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPRODUCE_")}
    env["COPRODUCE_DATA_DIR"] = str(data_dir)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _round_trip(source: dict[str, str], target: dict[str, str], backup: Path) -> None:
    assert coproduce(source, "manage", "migrate", "-v0").returncode == 0
    built = coproduce(source, "demo", "--members", "12", "--months", "1", "--seed", "4", "--quiet")
    assert built.returncode == 0, built.stderr
    before = ledger_fingerprint(source)

    made = coproduce(source, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    assert "wrote a backup" in made.stdout
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(backup) as archive:
        names = archive.getnames()
    assert "manifest.json" in names and "secret_key" in names

    again = coproduce(source, "backup", str(backup))
    assert again.returncode == 2 and "already exists" in again.stderr

    restored = coproduce(target, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "ledger verify: every balance equals its entries" in restored.stdout
    assert ledger_fingerprint(target) == before
    assert coproduce(target, "ledger", "verify").returncode == 0

    refused = coproduce(target, "restore", str(backup))
    assert refused.returncode == 2 and "the database is not empty" in refused.stderr


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite round trip runs in the SQLite suite")
def test_a_sqlite_installation_is_backed_up_and_restored_exactly(tmp_path):
    _round_trip(
        _env(tmp_path / "live", None), _env(tmp_path / "fresh", None), tmp_path / "nightly.tar.gz"
    )
    key_live = (tmp_path / "live" / "secret_key").read_text()
    assert (tmp_path / "fresh" / "secret_key").read_text() == key_live


@pytest.mark.postgres
def test_a_postgresql_installation_is_backed_up_and_restored_exactly(tmp_path):
    with postgres_databases("coproduce_backup", 2) as urls:
        live, fresh = (_env(tmp_path / url.rsplit("/", 1)[1], url) for url in urls)
        _round_trip(live, fresh, tmp_path / "nightly.tar.gz")
        # pg_restore writes every page anew: the restore vacuums them, so that index-only
        # scans need not read the tables.
        restored = pages_all_visible(fresh["DATABASE_URL"])
    assert set(restored) == set(TABLES)
    assert all(visible == pages > 0 for pages, visible in restored.values()), restored


def test_bad_backups_are_one_clear_line(tmp_path):
    env = _env(tmp_path / "fresh", None)
    missing = coproduce(env, "restore", str(tmp_path / "nope.tar.gz"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    junk = tmp_path / "junk.tar.gz"
    junk.write_text("not a backup")
    bad = coproduce(env, "restore", str(junk))
    assert bad.returncode == 2 and "is not a Coproduce backup" in bad.stderr
    nowhere = coproduce(env, "backup", str(tmp_path / "no-such-folder" / "b.tar.gz"))
    assert nowhere.returncode == 2 and "is not a folder" in nowhere.stderr
