"""Served over HTTPS (COPRODUCE_SECURE_COOKIES=1), the app sends people to HTTPS and keeps them.

With production settings Django's own deployment check finds nothing to say; plain HTTP is
redirected, browsers are told by HSTS to use HTTPS for a year, and a monitor on the machine
still reads /healthz over plain HTTP.
"""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from coproduce.config import settings as settings_module

DEPLOY_CHECK = ["manage", "check", "--deploy", "--fail-level", "WARNING"]
# The settings read afresh, or a command run without DATABASE_URL: the PostgreSQL run would repeat
# these exactly (tests/conftest.py).
SETTINGS_ONLY = pytest.mark.sqlite_only


def _production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COPRODUCE_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"))
        and k != "DJANGO_SETTINGS_MODULE"
    }
    return (
        env
        | {
            "COPRODUCE_DATA_DIR": str(data_dir),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "COPRODUCE_DEBUG": "0",
            "COPRODUCE_SECURE_COOKIES": "1",
            "ALLOWED_HOSTS": "timebank.example.org",
            "COPRODUCE_SITE_URL": "https://timebank.example.org",
        }
        | extra
    )


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coproduce.cli", *DEPLOY_CHECK],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@SETTINGS_ONLY
def test_the_deployment_check_finds_nothing_with_production_settings(tmp_path: Path):
    result = _check_deploy(_production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "security." not in output, output


@SETTINGS_ONLY
def test_the_deployment_check_still_speaks_up_when_https_is_turned_off(tmp_path: Path):
    result = _check_deploy(_production_env(tmp_path, COPRODUCE_SECURE_COOKIES="0"))
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def _settings(monkeypatch, tmp_path: Path, **env: str) -> dict[str, object]:
    """The settings module read afresh with these variables (the running settings untouched)."""
    for name in list(os.environ):
        if name.startswith("COPRODUCE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COPRODUCE_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings_module.__file__)))


@SETTINGS_ONLY
def test_secure_cookies_turn_on_the_redirect_and_a_years_hsts(monkeypatch, tmp_path):
    on = _settings(monkeypatch, tmp_path, COPRODUCE_SECURE_COOKIES="1")
    assert on["SECURE_SSL_REDIRECT"] is True
    assert on["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert on["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert on["SECURE_HSTS_PRELOAD"] is False
    assert on["SESSION_COOKIE_SECURE"] is True and on["CSRF_COOKIE_SECURE"] is True

    off = _settings(monkeypatch, tmp_path)
    assert off["SECURE_SSL_REDIRECT"] is False
    assert off["SECURE_HSTS_SECONDS"] == 0


@SETTINGS_ONLY
def test_an_operator_can_shorten_hsts_and_opt_into_subdomains(monkeypatch, tmp_path):
    chosen = _settings(
        monkeypatch,
        tmp_path,
        COPRODUCE_SECURE_COOKIES="1",
        COPRODUCE_HSTS_SECONDS="300",
        COPRODUCE_HSTS_INCLUDE_SUBDOMAINS="1",
        COPRODUCE_SSL_REDIRECT="0",
    )
    assert chosen["SECURE_HSTS_SECONDS"] == 300
    assert chosen["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert chosen["SECURE_SSL_REDIRECT"] is False
    # Chosen on purpose, so the deployment check is no longer silenced for it.
    assert "security.W005" not in chosen["SILENCED_SYSTEM_CHECKS"]


@SETTINGS_ONLY
def test_the_forwarded_protocol_is_trusted_only_behind_a_declared_proxy(monkeypatch, tmp_path):
    assert "SECURE_PROXY_SSL_HEADER" not in _settings(monkeypatch, tmp_path)
    behind = _settings(monkeypatch, tmp_path, COPRODUCE_PROXY_HOPS="1")
    assert behind["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.fixture
def https_on(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_plain_http_is_sent_to_https(db, client, https_on):
    response = client.get("/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"
    assert "Strict-Transport-Security" not in response  # HSTS is sent only over HTTPS


def test_over_https_the_browser_is_told_to_stay_on_https_for_a_year(db, client, https_on):
    response = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_a_monitor_reads_healthz_over_plain_http(db, client, https_on):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
