"""The pages: a member pays someone in another network; the coordinator sees the links and
pauses one; nobody else sees them."""

from __future__ import annotations

import uuid

from coproduce.creditcommons.models import Peer, RemoteTransaction
from coproduce.ledger.models import Account


def _form(**changes):
    data = {
        "address": "trunk/henry",
        "minutes": "1:30",
        "description": "Gardening",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(changes)
    return data


def test_alice_pays_henry_from_the_form(linked, alice, login):
    client = login(alice)
    page = client.get("/creditcommons/pay/")
    assert page.status_code == 200 and "trunk/riverside" in page.content.decode()
    sent = client.post("/creditcommons/pay/", _form(), follow=True)
    assert "You paid 1:30 hours to trunk/henry." in sent.content.decode()
    assert Account.objects.get(person=alice).balance == -90


def test_a_double_submitted_form_pays_once(linked, alice, login):
    client = login(alice)
    data = _form()
    client.post("/creditcommons/pay/", data)
    client.post("/creditcommons/pay/", data)
    assert RemoteTransaction.objects.filter(account__person=alice).count() == 1


def test_hours_not_exact_in_decimal_hours_are_refused_on_the_form(linked, alice, login):
    client = login(alice)
    page = client.post("/creditcommons/pay/", _form(minutes="1:31"))
    assert page.status_code == 200
    assert "multiple of 3" in page.content.decode()
    assert not RemoteTransaction.objects.exists()


def test_a_pending_payment_says_so(linked, alice, login, peer):
    peer.down = True
    page = login(alice).post("/creditcommons/pay/", _form(), follow=True)
    assert "waiting for the other network" in page.content.decode()


def test_a_bank_with_no_link_says_so(riverside, alice, login):
    page = login(alice).get("/creditcommons/pay/")
    assert "not linked to another network" in page.content.decode()


def test_the_coordinator_sees_positions_and_pauses_a_link(linked, carol, alice, login, riverside):
    from coproduce.creditcommons.sending import payment_send

    payment_send(
        timebank=riverside,
        payer=alice,
        address="trunk/henry",
        minutes=90,
        description="",
        acting=alice,
    )
    client = login(carol)
    page = client.get("/creditcommons/").content.decode()
    assert "1:30 hours given to that network" in page
    up = Peer.objects.get(node__timebank=riverside)
    assert up.last_hash in page
    client.post(f"/creditcommons/links/{up.public_id}/pause/", {"paused": "on", "reason": "audit"})
    up.refresh_from_db()
    assert up.paused and up.paused_reason == "audit"
    client.post(f"/creditcommons/links/{up.public_id}/pause/", {"paused": ""})
    up.refresh_from_db()
    assert not up.paused


def test_members_and_other_banks_coordinators_cannot_see_or_pause(
    linked, alice, harry, login, riverside
):
    up = Peer.objects.get(node__timebank=riverside)
    assert login(alice).get("/creditcommons/").status_code == 403
    assert (
        login(alice)
        .post(f"/creditcommons/links/{up.public_id}/pause/", {"paused": "on"})
        .status_code
        == 403
    )
    # Harry coordinates Hillside: Riverside's link is not his to pause.
    answer = login(harry).post(f"/creditcommons/links/{up.public_id}/pause/", {"paused": "on"})
    assert answer.status_code == 404
    up.refresh_from_db()
    assert not up.paused


def test_alices_statement_offers_paying_another_network_only_when_her_bank_is_grafted(
    riverside, alice, login
):
    client = login(alice)
    assert b"/creditcommons/pay/" not in client.get("/account/").content
    from coproduce.creditcommons.services import peer_graft

    peer_graft(
        timebank=riverside,
        acting=None,
        our_path="trunk/riverside",
        peer_path="trunk",
        peer_url="http://trunk.invalid/cc/trunk",
        last_hash="agreed",
        direction="trunkward",
        limit_minutes=600,
    )
    assert b"/creditcommons/pay/" in client.get("/account/").content


def test_carols_dashboard_links_to_the_other_networks_page(riverside, carol, login):
    assert b'href="/creditcommons/"' in login(carol).get("/coordinator/").content
