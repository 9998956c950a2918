"""Easy read in a real browser (issue 16): alice turns it on from her profile page; the text
grows, the pictures of the kinds of help show beside their names, the core pages still fit a
320 px phone, and axe finds no critical or serious problem on them at 390 and 1280 px (in
English: the languages change words, not markup, and test_accessibility covers them all). She
turns it off again at the end (the demo is shared by the browser tests)."""

from __future__ import annotations

from collections import Counter

import pytest
from playwright.sync_api import expect

from tests.conftest import ON_POSTGRES
from tests.e2e.main_pages import resolve
from tests.e2e.test_accessibility import check_pages, with_axe

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        ON_POSTGRES, reason="checks markup, not data: run on SQLite only (issue 16, CI budget)"
    ),
]

CORE = {
    "home",
    "browse offers",
    "browse requests",
    "an offer",
    "a request",
    "the statement",
    "an exchange",
    "my profile",
}


def switch_easy_read(page, on: bool) -> None:
    page.goto("/profile/")
    name = "Turn easy read on" if on else "Turn easy read off"
    page.get_by_role("button", name=name).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Easy read is on." if on else "Easy read is off."
    )


def font_size(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")


@pytest.fixture
def easy_alice(browser, base_url):
    """alice's browser, at 390 px, with easy read on (and off again afterwards); axe may be
    injected (bypass_csp)."""
    context = browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 900}, bypass_csp=True
    )
    with_axe(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    pages = [(name, path) for name, path in resolve(page, "alice") if name in CORE]
    page.goto("/")
    usual = font_size(page)
    switch_easy_read(page, True)
    yield page, context, pages, usual
    switch_easy_read(page, False)
    context.close()


def test_easy_read_makes_the_text_bigger_and_shows_pictures(easy_alice):
    page, _context, _pages, usual = easy_alice
    page.goto("/")
    assert page.evaluate("document.documentElement.classList.contains('easy-read')")
    assert font_size(page) >= usual * 1.2, "easy read does not make the text bigger"
    expect(page.get_by_text("One hour of help earns one time credit.")).to_be_visible()
    page.goto("/offers/")
    icon = page.locator(".listing-results .tag svg.icon").first
    expect(icon).to_be_visible()
    box = icon.bounding_box()
    assert box is not None and box["width"] >= 16 and box["height"] >= 16
    assert icon.get_attribute("aria-hidden") == "true"
    # The picture is drawn (the sprite loaded): its <use> has a size of its own.
    assert (
        page.evaluate(
            "document.querySelector('.listing-results .tag svg.icon use').getBBox().width"
        )
        > 0
    )


def test_easy_read_pages_fit_a_320px_phone_and_pass_axe(easy_alice, base_url):
    page, context, pages, _usual = easy_alice
    page.set_viewport_size({"width": 320, "height": 700})
    too_wide = {}
    for name, path in pages:
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            too_wide[name] = overflow
    assert not too_wide, f"easy read pages wider than a 320px phone, by px: {too_wide}"

    failures: list[str] = []
    counts: Counter = Counter()
    check_pages(page, context, base_url, pages, failures, counts, languages=["en-gb"])
    print(f"axe with easy read on: {dict(counts) or 'no violations'}")
    assert not failures, "axe found, with easy read on:\n" + "\n".join(failures)
