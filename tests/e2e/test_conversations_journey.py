"""Two members arrange an exchange entirely by messages, on phones (issue 13): bob offers to fix
bicycles → alice writes to him from his offer → bob answers → alice proposes from the
conversation → bob agrees → each now sees the other's phone and email on the exchange page (the
demo's people share them with people they have an agreed exchange with, the default), and they
write to each other in the exchange's own thread."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_alice_and_bob_arrange_an_exchange_by_messages(page, new_page):
    bob = page
    sign_in(bob, "bob")
    bob.goto("/offers/new/")
    bob.get_by_label("What help, in a few words").fill("Fixing bicycle punctures")
    bob.get_by_label("Kind of help").select_option("household")
    bob.get_by_role("button", name="Post this offer").click()
    bob.get_by_role("heading", name="Fixing bicycle punctures").wait_for()
    offer_url = bob.url

    alice = new_page()
    sign_in(alice, "alice")
    alice.goto(offer_url)
    alice.get_by_role("button", name="Send a message").click()
    alice.get_by_label("Your message").fill("Hello Bob, my back tyre is flat. Saturday morning?")
    alice.get_by_role("button", name="Send").click()
    expect(alice.get_by_text("Your message has been sent.")).to_be_visible()
    conversation_url = alice.url

    bob.goto("/")
    bob.get_by_role("link", name=re.compile(r"^Messages: 1 unread")).click()
    bob.get_by_role("link", name="Offer: Fixing bicycle punctures").click()
    expect(bob.get_by_text("my back tyre is flat")).to_be_visible()
    bob.get_by_label("Your message").fill("Saturday at ten suits me. Bring the bike round.")
    bob.get_by_role("button", name="Send").click()
    expect(bob.get_by_text("Saturday at ten suits me.")).to_be_visible()

    alice.goto(conversation_url)
    expect(alice.get_by_text("Saturday at ten suits me.")).to_be_visible()
    alice.get_by_role("button", name="Propose an exchange").click()
    alice.get_by_label("How long will it take").fill("1")
    alice.get_by_role("button", name="Send the proposal").click()
    alice.get_by_role("heading", name="Fixing bicycle punctures").wait_for()
    exchange_url = alice.url
    expect(alice.get_by_role("heading", name="How to reach each other")).to_have_count(0)

    bob.goto(exchange_url)
    bob.get_by_role("button", name="Agree to this exchange").click()
    expect(bob.get_by_role("heading", name="How to reach each other")).to_be_visible()
    expect(bob.get_by_role("link", name=re.compile(r"^alice@"))).to_be_visible()
    expect(bob.get_by_role("link", name=re.compile(r"^07700 900"))).to_be_visible()
    bob.get_by_label("Your message").fill("Agreed. See you on Saturday.")
    bob.get_by_role("button", name="Send").click()

    alice.goto(exchange_url)
    expect(alice.get_by_role("heading", name="How to reach each other")).to_be_visible()
    expect(alice.get_by_role("link", name=re.compile(r"^bob@"))).to_be_visible()
    expect(alice.get_by_role("link", name=re.compile(r"^07700 900"))).to_be_visible()
    expect(alice.get_by_text("Agreed. See you on Saturday.")).to_be_visible()
    # Nothing on these pages is wider than the phone.
    for person in (alice, bob):
        width = person.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
