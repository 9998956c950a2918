"""Who could help, in a real browser: bob offers lifts to the hospital; alice asks for a lift
to her hospital appointment and sees, on her request's own page, that bob could help; she asks
him; bob finds the invitation on the request (not a second "Propose an exchange") and agrees."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_member_sees_who_could_help_asks_one_and_they_agree(page, new_page):
    bob = page
    sign_in(bob, "bob")
    bob.goto("/offers/new/")
    bob.get_by_label("What help, in a few words").fill("Lifts to the hospital in my car")
    bob.get_by_label("Kind of help").select_option("transport")
    bob.get_by_role("button", name="Post this offer").click()
    bob.get_by_role("heading", name="Lifts to the hospital in my car").wait_for()

    alice = new_page()
    sign_in(alice, "alice")
    alice.goto("/requests/new/")
    alice.get_by_label("What help, in a few words").fill("A lift to my hospital appointment")
    alice.get_by_label("Kind of help").select_option("transport")
    alice.get_by_role("button", name="Post this request").click()
    alice.get_by_role("heading", name="A lift to my hospital appointment").wait_for()
    request_url = alice.url

    helpers = alice.locator("#who-could-help")
    expect(helpers.get_by_role("heading", name="Who could help?")).to_be_visible()
    expect(helpers.get_by_role("heading", name="Bob Kowalczyk")).to_be_visible()
    expect(helpers).not_to_contain_text("out of 100")
    helpers.get_by_role("button", name="Ask Bob to help").click()
    expect(alice.locator("#who-could-help")).to_contain_text("Asked.")

    bob.goto(request_url)
    expect(bob.get_by_text("Alice Okafor asked you to help with this.")).to_be_visible()
    expect(bob.get_by_role("button", name="Propose an exchange")).to_have_count(0)
    bob.get_by_role("button", name="See the exchange").click()
    bob.get_by_role("button", name="Agree to this exchange").click()
    expect(bob.get_by_text("Agreed").first).to_be_visible()
