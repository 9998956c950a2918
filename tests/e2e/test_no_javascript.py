"""Everything works with JavaScript turned off (issue 16): the core journey (post an offer, find
it, propose, agree, done, confirm, thank) in a browser that runs no script at all, and every
htmx enhancement in the templates has a plain HTML path (a link's href, a form's action)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

SRC = Path(__file__).resolve().parents[2] / "src" / "coproduce"


@pytest.fixture
def no_script(browser, base_url):
    contexts = []

    def make():
        context = browser.new_context(
            base_url=base_url, viewport={"width": 390, "height": 844}, java_script_enabled=False
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.e2e
def test_the_core_journey_without_javascript(no_script):
    alice, bob = no_script(), no_script()
    sign_in(alice, "alice")
    alice.goto("/offers/new/")
    title = f"Fixing a bicycle puncture {uuid.uuid4().hex[:6]}"
    alice.get_by_label("What help, in a few words").fill(title)
    alice.get_by_label("Kind of help").select_option("transport")
    alice.get_by_role("button", name="Post this offer").click()
    expect(alice.get_by_role("heading", name=title)).to_be_visible()

    sign_in(bob, "bob")
    bob.goto("/offers/")
    bob.get_by_label("Search").fill(title)
    bob.get_by_role("button", name="Search").click()
    bob.wait_for_url(re.compile(r"\?"))  # a plain GET, the whole page
    bob.get_by_role("link", name=title).click()
    bob.get_by_role("button", name="Propose an exchange").click()
    bob.get_by_label("How long will it take").fill("1:30")
    bob.get_by_role("button", name="Send the proposal").click()
    expect(bob.get_by_role("heading", name=title)).to_be_visible()
    exchange_url = bob.url

    alice.goto(exchange_url)
    alice.get_by_role("button", name="Agree to this exchange").click()
    alice.get_by_label("How long did it take").fill("1:30")
    alice.get_by_role("button", name="Mark it done").click()
    expect(alice.locator(".status")).to_contain_text("Done")

    bob.goto(exchange_url)
    bob.get_by_role("button", name="Confirm").click()
    expect(bob.locator(".status")).to_contain_text("Confirmed")
    bob.get_by_label("Your thanks").fill("Thank you, the bike runs again.")
    bob.get_by_role("button", name="Send my thanks").click()
    expect(bob.get_by_role("region", name="Thanks")).to_contain_text("the bike runs again")


def test_every_htmx_enhancement_has_a_plain_html_path():
    """An element that fetches with htmx is a link with the same href or a form with the same
    action (or the page's own path), so without JavaScript it still goes there."""
    missing = []
    for template in SRC.rglob("templates/**/*.html"):
        text = template.read_text()
        for tag in re.findall(
            r"<(?:a|form|button|div|section|span)\b[^>]*\bhx-(?:get|post)=[^>]*>", text
        ):
            if tag.startswith("<a") and "href=" in tag:
                continue
            if tag.startswith("<form") and ("action=" in tag or "method=" in tag):
                continue
            missing.append(f"{template.relative_to(SRC)}: {tag[:120]}")
    assert not missing, "htmx without a plain HTML path:\n" + "\n".join(missing)
