"""Browser tests: Debian's Chromium, driven by Playwright, against the real server.

The server is `coproduce serve` in its own process on a free port, with its own data dir (SQLite)
or its own PostgreSQL database, seeded by `coproduce demo` — the same path a user takes. On
PostgreSQL the server connects as a login role with exactly the grants of `coproduce manage
db_grants` (docs/OPERATIONS.md), while the owner migrated and built the demo. Without
/usr/bin/chromium the tests skip with the reason, except in CI, where a missing browser fails.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.conftest import ON_POSTGRES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.exit(f"CI is set but {CHROMIUM} is missing: .ci/run must install chromium", 1)
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _coproduce(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coproduce.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"coproduce {' '.join(args)} failed:\n{result.stderr[-3000:]}")


E2E_APP_ROLE = "coproduce_e2e_app"


def _as_app_role(owner_url: str) -> str:
    """Grant the e2e database's app role its documented privileges (as the owner) and return
    the URL the server connects with as that role (the test cluster trusts local logins)."""
    import psycopg

    from coproduce.core.db_grants import grants_sql

    with psycopg.connect(owner_url, autocommit=True) as conn:
        if (
            conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [E2E_APP_ROLE]).fetchone()
            is None
        ):
            conn.execute(f"CREATE ROLE {E2E_APP_ROLE} LOGIN")
        conn.execute(grants_sql(E2E_APP_ROLE))
    url = urlparse(owner_url)
    return urlunparse(url._replace(netloc=f"{E2E_APP_ROLE}@{url.hostname}:{url.port}"))


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPRODUCE_")}
    env["COPRODUCE_DATA_DIR"] = str(data_dir)
    env["EMAIL_URL"] = "console://"
    database = None
    if ON_POSTGRES:
        import psycopg

        url = urlparse(os.environ["DATABASE_URL"])
        database = f"coproduce_e2e_{uuid.uuid4().hex[:8]}"
        admin = urlunparse(url._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = urlunparse(url._replace(path=f"/{database}"))
    else:
        env.pop("DATABASE_URL", None)
    try:
        _coproduce(env, "manage", "migrate", "-v0")
        _coproduce(env, "demo", "--members", "40", "--months", "2", "--seed", "5", "--quiet")
        if database:
            env = {**env, "DATABASE_URL": _as_app_role(env["DATABASE_URL"])}
        yield env
    finally:
        if database:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def base_url(server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log_path = tmp_path_factory.mktemp("e2e-log") / "serve.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "coproduce.cli", "serve", "--no-demo", "--port", str(port)],
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the server did not start:\n{log_path.read_text()}"
                    ) from None
                time.sleep(0.3)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url: str) -> Iterator[object]:
    """A fresh browser context (no cookies) on a phone-sized screen."""
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def new_page(browser, base_url: str):
    """Another person's browser, for journeys with two people."""
    contexts = []

    def make():
        context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page, username: str, password: str = "coproduce-demo") -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
