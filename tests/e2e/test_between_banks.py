"""Two time banks on one installation become partners and their members help each other
(issue 15): carol (Riverside's coordinator) proposes a partnership to the second demo bank,
whose coordinator accepts; bob there offers hedge trimming; alice, in Riverside, finds it among
the offers marked with its bank, proposes, bob agrees and marks it done, alice confirms — and
each bank's own statement shows the hours moved: alice's balance down, bob's up, by the same
time, and each coordinator sees where their bank stands with the other."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import _coproduce, sign_in

pytestmark = pytest.mark.e2e

SLUG = "hillside"
BANK = "Riverside Time Bank (hillside)"  # what the demo calls a second bank


@pytest.fixture(scope="module")
def second_bank(server_env):
    _coproduce(
        server_env, "demo", "--slug", SLUG, "--members", "8", "--months", "1", "--seed", "6",
        "--quiet",
    )  # fmt: skip


def balance_minutes(page) -> int:
    page.goto("/account/")
    text = page.locator("p.balance").inner_text()
    sign, hours, minutes = re.search(r"(-?)(\d+):(\d\d)", text).groups()
    total = int(hours) * 60 + int(minutes)
    return -total if sign else total


def test_alice_pays_bob_of_a_partner_bank(second_bank, page, new_page):
    carol = page
    sign_in(carol, "carol")
    carol.goto("/coordinator/partner-banks/")
    carol.get_by_label("Time bank").select_option(SLUG)
    carol.get_by_label("How far they may go into debt to us (hours)").fill("10")
    carol.get_by_role("button", name="Send the proposal").click()
    expect(carol.get_by_text("Proposed, waiting for the other bank")).to_be_visible()

    harriet = new_page()
    sign_in(harriet, f"carol@{SLUG}")
    harriet.goto("/coordinator/partner-banks/")
    harriet.get_by_role("link", name="Riverside Time Bank", exact=True).click()
    harriet.get_by_label("How far they may go into debt to us (hours)").fill("10")
    harriet.get_by_role("button", name="Accept the partnership").click()
    expect(harriet.get_by_text("Your members and theirs can now help each other.")).to_be_visible()

    bob = new_page()
    sign_in(bob, f"bob@{SLUG}")
    bob.goto("/offers/new/")
    bob.get_by_label("What help, in a few words").fill("Hedge trimming on the hill")
    bob.get_by_label("Kind of help").select_option("gardening")
    bob.get_by_role("button", name="Post this offer").click()
    bob.get_by_role("heading", name="Hedge trimming on the hill").wait_for()
    bob_before = balance_minutes(bob)

    alice = new_page()
    sign_in(alice, "alice")
    alice_before = balance_minutes(alice)
    alice.goto("/offers/")
    partner = alice.locator("section.partner-listings")
    expect(partner.get_by_text(f"from {BANK}").first).to_be_visible()
    partner.get_by_role("link", name="Hedge trimming on the hill").click()
    alice.get_by_label("How long do you expect it to take?").fill("1:30")
    alice.get_by_role("button", name="Propose").click()
    alice.get_by_role("heading", name="Hedge trimming on the hill").wait_for()
    exchange_url = alice.url

    bob.goto(exchange_url)
    expect(bob.get_by_text("from Riverside Time Bank", exact=True)).to_be_visible()
    bob.get_by_role("button", name="Agree to this exchange").click()
    bob.get_by_role("button", name="Mark it done").click()

    alice.goto(exchange_url)
    alice.get_by_role("button", name="Confirm").click()
    expect(alice.get_by_text("Thank you for confirming.")).to_be_visible()

    assert balance_minutes(alice) == alice_before - 90
    assert balance_minutes(bob) == bob_before + 90
    carol.goto("/coordinator/partner-banks/")
    expect(carol.get_by_text("We owe them 1:30 h.")).to_be_visible()
    harriet.goto("/coordinator/partner-banks/")
    expect(harriet.get_by_text("They owe us 1:30 h.")).to_be_visible()
    # Nothing on these pages is wider than the phone.
    for person in (alice, bob, carol):
        width = person.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
