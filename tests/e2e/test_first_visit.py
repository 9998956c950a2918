"""A newcomer to the demo signs in with a printed demo login and sees the community."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_demo_login_opens_the_demo_community(page):
    sign_in(page, "alice")
    expect(page.get_by_role("heading", name="Hello, Alice")).to_be_visible()
    expect(page.get_by_text("Riverside Time Bank").first).to_be_visible()
    expect(page.get_by_role("heading", name="My time credits")).to_be_visible()


def test_a_wrong_password_is_explained_and_keyboard_reachable(page):
    page.goto("/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"  # ready to type
    first = "document.querySelector('a[href], button, input, select, textarea').textContent"
    assert page.evaluate(first) == "Skip to main content"
    skip = page.get_by_role("link", name="Skip to main content")
    skip.focus()
    assert skip.bounding_box()["x"] >= 0  # it shows itself when focused
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("wrong")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("That username and password")


@pytest.mark.sqlite_only(reason="checks layout, not data (CI budget)")
@pytest.mark.parametrize(
    "path", ["/", "/offers/", "/requests/", "/exchanges/", "/coordinator/", "/members/"]
)
def test_pages_fit_a_phone_screen_without_sideways_scrolling(page, path):
    sign_in(page, "carol")
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than a 390px phone"
    more = page.get_by_text("More", exact=True)
    assert more.bounding_box()["x"] + more.bounding_box()["width"] <= 390
