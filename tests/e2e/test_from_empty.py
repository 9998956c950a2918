"""From an empty installation to a running time bank, in a real browser (issue 12), on whichever
database the suite runs on:

the operator serves an empty data folder (the first-run page tells them what to run) and runs
`coproduce timebank create` → carol opens the printed link, chooses her password and fills in the
settings → adds Riverside Surgery and invites its admin, priya, who accepts and invites sam, a
professional, who accepts too → dora applies and carol inducts her: dora sees 0:00 and an empty
statement → dora offers help, carol asks for it, and the first exchange is confirmed.

Nothing here comes from the demo: the server starts on a database that holds nothing.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

import pytest
from playwright.sync_api import expect

from tests.conftest import ON_POSTGRES
from tests.e2e.conftest import _as_app_role, _coproduce, _free_port

pytestmark = pytest.mark.e2e

PASSWORD = "a long walk by the river"


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """An installation with nothing in it, served; its address and the operator's environment
    (as the database's owner)."""
    data_dir = tmp_path_factory.mktemp("empty-data")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPRODUCE_")}
    env.update(COPRODUCE_DATA_DIR=str(data_dir), COPRODUCE_SITE_URL=url, EMAIL_URL="console://")
    database = admin = None
    if ON_POSTGRES:
        import psycopg

        parsed = urlparse(os.environ["DATABASE_URL"])
        database = f"coproduce_empty_{uuid.uuid4().hex[:8]}"
        admin = urlunparse(parsed._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{database}"))
    else:
        env.pop("DATABASE_URL", None)
    _coproduce(env, "manage", "migrate", "-v0")
    server_env = dict(env)
    if database:
        server_env["DATABASE_URL"] = _as_app_role(env["DATABASE_URL"])
    log_path = tmp_path_factory.mktemp("empty-log") / "serve.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "coproduce.cli", "serve", "--port", str(port)],
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
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
        yield url, env
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        log.close()
        if database and admin:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def person(browser, url: str):
    context = browser.new_context(base_url=url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def accept(page, link: str, first_name: str, username: str) -> None:
    """Open an invitation's link, choose a username and password, and land signed in."""
    page.goto(link)
    page.get_by_label("Your first name").fill(first_name)
    page.get_by_label("Choose a username").fill(username)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Accept and sign in").click()
    expect(page.get_by_role("heading", name=f"Hello, {first_name}")).to_be_visible()


def letter_link(page) -> str:
    """The one-time link an invitation page shows once, as on the printed letter."""
    return page.locator(".letter-link a").first.get_attribute("href") or ""


def test_from_an_empty_installation_to_a_first_exchange(browser, empty_site):
    url, env = empty_site

    operator = person(browser, url)
    operator.goto("/")
    expect(operator.get_by_text("coproduce timebank create").first).to_be_visible()

    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "coproduce.cli",
            "timebank",
            "create",
            "--name",
            "Riverside Time Bank",
            "--slug",
            "riverside",
            "--coordinator",
            "carol@example.org",
            "--timezone",
            "Europe/London",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    link = re.search(rf"{re.escape(url)}/invitation/[\w-]+/", created.stdout)
    assert link is not None, created.stdout

    # Carol, the first coordinator, takes up the invitation and fills in the settings.
    carol = person(browser, url)
    accept(carol, link.group(0), "Carol", "carol")
    carol.goto("/coordinator/settings/")
    carol.get_by_label("Welcome text").fill("Welcome to Riverside: an hour of help is an hour.")
    carol.get_by_label("Contact email").fill("hello@riverside.example.org")
    carol.get_by_role("button", name="Save the settings").click()
    expect(carol.get_by_role("status").first).to_be_visible()

    # She adds the surgery and invites its admin, priya, with a link to hand over.
    carol.goto("/partners/organisations/new/")
    carol.get_by_label("Name").fill("Riverside Surgery")
    carol.get_by_label("Kind of organisation").select_option("gp_practice")
    carol.get_by_role("button", name="Add the organisation").click()
    carol.get_by_role("button", name="Invite its admin or staff").click()
    organisation_url = carol.url.replace("invite/", "")
    carol.get_by_label("Its admin, who manages its staff").check()
    carol.get_by_label("Their name").fill("Priya")
    carol.get_by_role("button", name="Make the invitation").click()
    priya_link = letter_link(carol)
    assert "/invitation/" in priya_link

    priya = person(browser, url)
    accept(priya, priya_link, "Priya", "priya")
    priya.goto(organisation_url)
    priya.get_by_role("button", name="Invite someone to the staff").click()
    priya.get_by_label("Their name").fill("Sam")
    priya.get_by_role("button", name="Make the invitation").click()
    sam_link = letter_link(priya)

    sam = person(browser, url)
    accept(sam, sam_link, "Sam", "sam")
    priya.goto(organisation_url)
    expect(priya.get_by_text("Sam").first).to_be_visible()

    # Dora applies; carol inducts her; she starts at 0:00 with an empty statement.
    dora = person(browser, url)
    dora.goto("/join/riverside/")
    expect(dora.get_by_text("an hour of help is an hour").first).to_be_visible()
    dora.get_by_label("Your first name").fill("Dora")
    dora.get_by_label("Choose a username").fill("dora")
    dora.get_by_label("Choose a password").fill(PASSWORD)
    dora.get_by_label("Email address").fill("dora@example.org")
    dora.get_by_role("button", name="Send my application").click()
    expect(dora.get_by_text("coordinator", exact=False).first).to_be_visible()

    carol.goto("/members/applications/")
    carol.get_by_role("button", name=re.compile("induction or decline for Dora")).click()
    carol.get_by_role("button", name="Record the induction and activate").click()
    expect(carol.get_by_role("status").first).to_be_visible()

    dora.goto("/")
    expect(dora.locator(".balance")).to_have_text("0:00 hours")
    statement = dora.goto("/account/")
    assert statement is not None and statement.status == 200

    # Her first offer, and the bank's first exchange.
    dora.goto("/offers/new/")
    dora.get_by_label("What help, in a few words").fill("Baking bread together")
    dora.get_by_label("Kind of help").select_option("creative")
    dora.get_by_role("button", name="Post this offer").click()
    dora.get_by_role("heading", name="Baking bread together").wait_for()
    offer_url = dora.url

    carol.goto(offer_url)
    carol.get_by_role("button", name="Propose an exchange").click()
    carol.get_by_label("How long will it take").fill("2")
    carol.get_by_role("button", name="Send the proposal").click()
    carol.get_by_role("heading", name="Baking bread together").wait_for()
    exchange_url = carol.url

    dora.goto(exchange_url)
    dora.get_by_role("button", name="Agree to this exchange").click()
    dora.get_by_label("How long did it take").fill("2")
    dora.get_by_role("button", name="Mark it done").click()
    dora.get_by_role("button", name="Confirm").wait_for(state="detached")

    carol.goto(exchange_url)
    carol.get_by_role("button", name="Confirm").click()
    expect(carol.get_by_text("Confirmed").first).to_be_visible()

    dora.goto("/")
    expect(dora.locator(".balance")).to_have_text("2:00 hours")
    verified = subprocess.run(
        [sys.executable, "-m", "coproduce.cli", "ledger", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
