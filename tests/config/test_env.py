"""Settings come only from the environment, and a bad value stops the app with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from coproduce.config.env import database_config, email_config, env_bool, env_int, env_str

# Configuration read from the environment; a command run here gets no DATABASE_URL but the one a
# test gives it, so the PostgreSQL run would repeat this module exactly (tests/conftest.py).
pytestmark = pytest.mark.sqlite_only


def test_yes_and_no_are_read_in_the_ways_people_write_them(monkeypatch):
    for raw, expected in [("1", True), ("yes", True), ("TRUE", True), ("0", False), ("off", False)]:
        monkeypatch.setenv("COPRODUCE_X", raw)
        assert env_bool("COPRODUCE_X", not expected) is expected


def test_a_bad_yes_no_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("COPRODUCE_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="COPRODUCE_DEBUG='maybe' is not a yes/no"):
        env_bool("COPRODUCE_DEBUG", False)


def test_a_number_below_its_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("COPRODUCE_DEMO_MEMBERS", "3")
    with pytest.raises(ImproperlyConfigured, match="must be at least 10"):
        env_int("COPRODUCE_DEMO_MEMBERS", 150, minimum=10)
    monkeypatch.setenv("COPRODUCE_DEMO_MEMBERS", "lots")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("COPRODUCE_DEMO_MEMBERS", 150)


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret-from-a-file\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert env_str("SECRET_KEY") == "s3cret-from-a-file"
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match=r"SECRET_KEY_FILE=.* cannot be read"):
        env_str("SECRET_KEY")


def test_the_database_defaults_to_sqlite_in_the_data_dir(tmp_path):
    config = database_config(None, tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "coproduce.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_a_worker_keeps_its_sqlite_connection_from_one_request_to_the_next(
    tmp_path, django_db_blocker
):
    """Opening a SQLite connection ran five PRAGMAs and started a cold page cache on every
    request (issue 17); the connection now lives on past the end of a request, as on PostgreSQL,
    and is closed once it is older than CONN_MAX_AGE."""
    from django.db.utils import ConnectionHandler

    config = database_config(None, tmp_path)
    assert config["CONN_MAX_AGE"] == 60
    connection = ConnectionHandler({"default": config})["default"]
    with django_db_blocker.unblock():  # a file of its own, not the test database
        try:
            connection.ensure_connection()
            opened = connection.connection
            connection.close_if_unusable_or_obsolete()  # what Django runs as a request ends
            assert connection.connection is opened
            connection.close_at = 0  # older than its age
            connection.close_if_unusable_or_obsolete()
            assert connection.connection is None
        finally:
            connection.close()


def test_a_postgres_url_is_understood(tmp_path):
    config = database_config("postgres://ann:pw@db.example:6543/bank", tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PORT"]) == ("bank", "ann", 6543)


@pytest.mark.parametrize(
    "url",
    ["mysql://x@y/z", "postgres://user@host/", "sqlite://", "nonsense"],
)
def test_a_database_url_it_cannot_use_is_refused_with_a_clear_message(url, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL="):
        database_config(url, tmp_path)


def test_email_urls_choose_the_backend():
    assert email_config(None, False)["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = email_config("smtp+tls://ann:p%40ss@mail.example:2525", False)
    assert smtp["EMAIL_HOST"] == "mail.example"
    assert smtp["EMAIL_PORT"] == 2525
    assert smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_USE_TLS"] is True
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL="):
        email_config("carrier-pigeon://loft", False)
    with pytest.raises(ImproperlyConfigured, match="port that is not a number"):
        email_config("smtp://mail.example:abc", False)


def _coproduce(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    return subprocess.run(
        [sys.executable, "-m", "coproduce.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("COPRODUCE_DEBUG", "perhaps", "COPRODUCE_DEBUG='perhaps' is not a yes/no value"),
        ("DATABASE_URL", "mysql://db/x", "DATABASE_URL='mysql://db/x' is not supported"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 32 characters"),
        ("EMAIL_URL", "fax://x", "EMAIL_URL='fax://x' is not supported"),
        ("DATABASE_URL", "postgres://nobody@127.0.0.1:1/x", "cannot use the database"),
        ("COPRODUCE_SITE_URL", "timebank.example", "must start with http:// or https://"),
    ],
)
def test_the_command_stops_with_one_line_naming_a_bad_setting(
    tmp_path: Path, variable, value, message
):
    result = _coproduce({"COPRODUCE_DATA_DIR": str(tmp_path), variable: value}, "ledger", "verify")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path: Path):
    first = _coproduce({"COPRODUCE_DATA_DIR": str(tmp_path)}, "manage", "check")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    _coproduce({"COPRODUCE_DATA_DIR": str(tmp_path)}, "manage", "check")
    assert key_file.read_text() == key


def test_postgres_statements_are_bound_by_the_server_and_kept_prepared(tmp_path, monkeypatch):
    """Planning the same few reads on every request was most of the database's CPU on the
    list pages (issue 17, round 22): the server binds the parameters and a connection keeps a
    statement it has run five times prepared."""
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    options = database_config("postgres://ann@db.example/bank", tmp_path)["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5


def test_an_operator_can_turn_prepared_statements_off(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "0")
    options = database_config("postgres://ann@db.example/bank", tmp_path)["OPTIONS"]
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options
