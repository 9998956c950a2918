"""The router without a replica, and the replica's settings: nothing changes for an installation
that has none, and a replica that cannot be one is refused at start."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import router, transaction

from coproduce.community.models import TimeBank
from coproduce.config import settings as settings_module
from coproduce.core.db_router import replica_iter, replica_reads, replica_status


def _settings(monkeypatch, tmp_path: Path, **env: str) -> dict[str, object]:
    monkeypatch.setenv("COPRODUCE_DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "DATABASE_REPLICA_MAX_LAG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings_module.__file__)))


def test_without_a_replica_every_read_stays_on_the_primary(db):
    assert not replica_status().configured
    with replica_reads():
        assert router.db_for_read(TimeBank) == "default"
    assert list(replica_iter([1, 2])) == [1, 2]
    assert router.db_for_write(TimeBank) == "default"


def test_healthz_says_nothing_of_a_replica_there_is_not(client, db):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_a_replica_gets_its_own_alias_a_short_timeout_and_is_a_test_mirror(monkeypatch, tmp_path):
    found = _settings(
        monkeypatch,
        tmp_path,
        DATABASE_URL="postgres://app@primary:5432/coproduce",
        DATABASE_REPLICA_URL="postgres://app@replica:5432/coproduce",
        DATABASE_REPLICA_MAX_LAG="5",
    )
    databases = found["DATABASES"]
    assert databases["replica"]["HOST"] == "replica"
    assert databases["replica"]["OPTIONS"]["connect_timeout"] == 2
    assert databases["replica"]["TEST"] == {"MIRROR": "default"}
    assert databases["default"]["OPTIONS"]["connect_timeout"] == 10
    assert found["DATABASE_REPLICA_MAX_LAG"] == 5
    assert "replica" not in _settings(monkeypatch, tmp_path)["DATABASES"]


@pytest.mark.parametrize(
    ("primary", "replica", "says"),
    [
        ("postgres://app@p/c", "sqlite:///tmp/r.sqlite3", "must be a postgres:// URL"),
        ("", "postgres://app@r/c", "DATABASE_URL is not PostgreSQL"),
    ],
)
def test_a_replica_that_cannot_be_one_is_refused_at_start(
    monkeypatch, tmp_path, primary, replica, says
):
    env = {"DATABASE_REPLICA_URL": replica, **({"DATABASE_URL": primary} if primary else {})}
    with pytest.raises(ImproperlyConfigured, match=says):
        _settings(monkeypatch, tmp_path, **env)


def test_inside_a_transaction_the_replica_is_never_asked(db, monkeypatch):
    import coproduce.core.db_router as db_router

    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    monkeypatch.setattr(db_router, "replica_status", lambda **kw: pytest.fail("asked"))
    with replica_reads(), transaction.atomic():
        assert router.db_for_read(TimeBank) == "default"
