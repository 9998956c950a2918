"""A newcomer to the demo signs in with a printed demo login and sees the community."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_demo_login_opens_the_demo_community(page):
    sign_in(page, "alice")
    assert page.get_by_role("heading", name="Hello, Alice").is_visible()
    assert page.get_by_text("Riverside Time Bank").first.is_visible()
    assert page.get_by_role("heading", name="My time credits").is_visible()


def test_a_wrong_password_is_explained_and_keyboard_reachable(page):
    page.goto("/login/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("wrong")
    page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text().startswith("That username and password")
