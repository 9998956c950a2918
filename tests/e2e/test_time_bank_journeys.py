"""The time bank's everyday journeys in a real browser, as the people who use it would go.

1. dora applies → carol (the coordinator) inducts her → dora offers help → bob asks for it →
   dora marks it done → bob confirms → both balances have moved.
2. carol logs an exchange for an offline member, who is told at their next sign-in.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def balance(page) -> str:
    page.goto("/")
    return page.locator(".balance").inner_text()


def test_apply_induct_offer_exchange_and_confirm(page, new_page):
    dora = page
    dora.goto("/join/riverside/")
    dora.get_by_label("Your first name").fill("Dora")
    dora.get_by_label("Choose a username").fill("dora")
    dora.get_by_label("Choose a password").fill("a walk by the river at dawn")
    dora.get_by_label("Email address").fill("dora@example.org")
    dora.get_by_label("What you can give (optional)").fill("Baking bread, and company")
    dora.get_by_role("button", name="Send my application").click()
    expect(dora.get_by_text("coordinator", exact=False).first).to_be_visible()

    carol = new_page()
    sign_in(carol, "carol")
    carol.goto("/members/applications/")
    carol.get_by_role("button", name=re.compile("induction or decline for Dora")).click()
    carol.get_by_role("button", name="Record the induction and activate").click()
    expect(carol.get_by_role("status").first).to_be_visible()

    dora.goto("/offers/new/")
    dora.get_by_label("What help, in a few words").fill("Baking bread together")
    dora.get_by_label("Kind of help").select_option("creative")
    dora.get_by_role("button", name="Post this offer").click()
    dora.get_by_role("heading", name="Baking bread together").wait_for()
    offer_url = dora.url

    bob = new_page()
    sign_in(bob, "bob")
    bob_before = balance(bob)
    bob.goto(offer_url)
    bob.get_by_role("button", name="Propose an exchange").click()
    bob.get_by_label("How long will it take").fill("2")
    bob.get_by_role("button", name="Send the proposal").click()
    bob.get_by_role("heading", name="Baking bread together").wait_for()
    exchange_url = bob.url

    dora.goto(exchange_url)
    dora.get_by_role("button", name="Agree to this exchange").click()
    dora.get_by_label("How long did it take").fill("2")
    dora.get_by_role("button", name="Mark it done").click()
    dora.get_by_role("button", name="Confirm").wait_for(state="detached")

    bob.goto(exchange_url)
    bob.get_by_role("button", name="Confirm").click()
    expect(bob.get_by_text("Confirmed").first).to_be_visible()

    assert balance(dora) == "2:00 hours"
    bob_after = balance(bob)
    assert _minutes(bob_after) == _minutes(bob_before) - 120


def test_a_coordinator_logs_an_exchange_for_an_offline_member(page, new_page):
    carol = page
    sign_in(carol, "carol")
    carol.goto("/exchanges/log/")
    # The member picker (web/member-picker.js, deferred) takes over the two name boxes: fill them
    # once it has, or a busy machine's late script could start them again empty.
    carol.wait_for_load_state("networkidle")
    # bob gives and alice receives: the other journeys leave bob paying for most of their help,
    # and after all of them he may be too near his lowest balance to pay for more.
    carol.get_by_label("Who gave the help").fill("bob")
    carol.get_by_label("Who received the help").fill("alice")
    carol.get_by_label("What help").fill("Collected a prescription")
    carol.get_by_label("Kind of help").select_option("health")
    carol.get_by_label("How long it took").fill("1:30")
    carol.get_by_label("On which day").fill("2026-11-20")
    carol.get_by_role("button", name="Log it and move the credits").click()
    carol.wait_for_url(lambda url: "/exchanges/log/" not in url, timeout=30_000)
    expect(carol.get_by_text("Collected a prescription").first).to_be_visible()

    alice = new_page()
    sign_in(alice, "alice")
    alice.goto("/notifications/")
    expect(alice.get_by_text("Collected a prescription", exact=False).first).to_be_visible()


def _minutes(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text.lstrip("-").split()[0].split(":")
    return sign * (int(hours) * 60 + int(minutes))
