"""Paying between two nodes (Riverside under Hillside) through the send service and the relay
endpoint, with the network faked: both ways, the failures, and the retry."""

from __future__ import annotations

import json

import pytest

from coproduce.creditcommons.models import Peer, RemoteTransaction
from coproduce.creditcommons.sending import payment_retry, payment_send
from coproduce.ledger.models import Account, Transfer
from coproduce.ledger.selectors import ledger_verify


def _balance(person, timebank) -> int:
    return Account.objects.get(person=person, timebank=timebank).balance


def _fresh(peer: Peer) -> Peer:
    return Peer.objects.select_related("clearing", "holding").get(pk=peer.pk)


def _snapshot() -> tuple:
    return (
        Transfer.objects.count(),
        RemoteTransaction.objects.count(),
        tuple(Peer.objects.order_by("pk").values_list("last_hash", flat=True)),
        tuple(Account.objects.order_by("pk").values_list("balance", flat=True)),
    )


def _pay(alice, riverside, minutes=90, to="trunk/henry"):
    return payment_send(
        timebank=riverside,
        payer=alice,
        address=to,
        minutes=minutes,
        description="Gardening",
        acting=alice,
    )


def test_alice_pays_henry_in_the_trunk_and_both_ledgers_mirror(
    linked, riverside, hillside, alice, henry
):
    up, down = linked
    sent = _pay(alice, riverside)
    assert sent.is_completed, sent.error
    assert _balance(alice, riverside) == -90
    assert _balance(henry, hillside) == 90
    up, down = _fresh(up), _fresh(down)
    assert up.clearing.balance == 90 and down.clearing.balance == -90
    assert up.holding.balance == 0 and up.in_flight_id is None
    assert up.last_hash == down.last_hash == sent.hash != "trunk"
    received = RemoteTransaction.objects.get(timebank=hillside, uuid=sent.uuid)
    assert received.minutes == 90 and received.remote_address == "trunk/riverside/alice"
    assert ledger_verify().ok


def test_henry_pays_back_and_the_chain_goes_on(linked, riverside, hillside, alice, henry):
    up, down = linked
    _pay(alice, riverside)
    back = payment_send(
        timebank=hillside,
        payer=henry,
        address="trunk/riverside/alice",
        minutes=30,
        description="Thanks",
        acting=henry,
    )
    assert back.is_completed, back.error
    assert _balance(alice, riverside) == -60 and _balance(henry, hillside) == 60
    up, down = _fresh(up), _fresh(down)
    assert up.clearing.balance == 60 and down.clearing.balance == -60
    assert up.last_hash == down.last_hash == back.hash
    assert ledger_verify().ok


def test_a_replayed_relay_is_refused_and_changes_nothing(linked, riverside, alice, client, peer):
    _pay(alice, riverside)
    _method, _url, headers, body = peer.sent[-1]
    before = _snapshot()
    # The same request again: its last-hash is the one before, which the chain has left.
    replay = client.post(
        "/cc/hillside/transaction/relay",
        body,
        content_type="application/json",
        headers={"cc-node": headers["cc-node"], "last-hash": headers["last-hash"]},
    )
    assert replay.status_code == 401
    # Even with the current hash, a uuid already received is refused.
    current = Peer.objects.get(node__timebank__slug="hillside").last_hash
    again = client.post(
        "/cc/hillside/transaction/relay",
        body,
        content_type="application/json",
        headers={"cc-node": "riverside", "last-hash": current},
    )
    assert again.status_code == 409
    assert "already received" in again.json()["errors"][0]
    assert _snapshot() == before


def test_a_wrong_last_hash_is_refused_in_the_protocols_words(linked, riverside, client):
    before = _snapshot()
    body = json.dumps(
        {
            "uuid": "9d7a1a4e-0000-4000-8000-000000000001",
            "state": "C",
            "workflow": "_C-",
            "version": 1,
            "entries": [
                {
                    "payer": "trunk/riverside/alice",
                    "payee": "trunk/henry",
                    "quant": 1,
                    "description": "x",
                    "metadata": {},
                }
            ],
        }
    )
    answer = client.post(
        "/cc/hillside/transaction/relay",
        body,
        content_type="application/json",
        headers={"cc-node": "riverside", "last-hash": "qwer"},
    )
    assert answer.status_code == 401
    assert answer.json() == {"errors": ["The last-hash header 'qwer' does not match our records."]}
    missing = client.post("/cc/hillside/transaction/relay", body, content_type="application/json")
    assert missing.status_code == 401
    assert missing.json() == {"errors": ["The cc-node header is required."]}
    assert _snapshot() == before


def test_when_the_peer_is_down_the_payment_waits_held_and_a_retry_completes_it(
    linked, riverside, hillside, alice, henry, peer
):
    up, down = linked
    peer.down = True
    sent = _pay(alice, riverside)
    assert sent.is_pending and "connection refused" in sent.error
    up = _fresh(up)
    # Held, not booked against the position; nothing at Hillside.
    assert _balance(alice, riverside) == -90
    assert up.holding.balance == 90 and up.clearing.balance == 0
    assert up.in_flight_id == sent.pk and up.last_hash == "trunk"
    assert _balance(henry, hillside) == 0
    assert ledger_verify().ok
    # A second payment waits for the first.
    with pytest.raises(Exception, match="waiting for an answer"):
        _pay(alice, riverside, minutes=30)
    peer.down = False
    done = payment_retry(timebank=riverside, uuid=str(sent.uuid))
    assert done.is_completed
    up, down = _fresh(up), _fresh(down)
    assert _balance(alice, riverside) == -90 and _balance(henry, hillside) == 90
    assert up.clearing.balance == 90 and down.clearing.balance == -90 and up.holding.balance == 0
    assert up.last_hash == down.last_hash
    assert ledger_verify().ok


def test_when_the_answer_is_lost_the_retry_asks_and_does_not_pay_twice(
    linked, riverside, hillside, alice, henry, peer
):
    up, down = linked
    peer.lose_answers = True
    sent = _pay(alice, riverside)
    assert sent.is_pending
    # Hillside booked it; Riverside does not know yet.
    assert _balance(henry, hillside) == 90
    assert _fresh(down).last_hash != _fresh(up).last_hash
    peer.lose_answers = False
    done = payment_retry(timebank=riverside, uuid=str(sent.uuid))
    assert done.is_completed
    assert _balance(henry, hillside) == 90 and _balance(alice, riverside) == -90
    assert _fresh(up).last_hash == _fresh(down).last_hash
    assert RemoteTransaction.objects.filter(uuid=sent.uuid).count() == 2  # one each side
    assert ledger_verify().ok


def test_abandoning_a_payment_the_peer_never_saw_returns_the_hours(
    linked, riverside, hillside, alice, peer
):
    up, _down = linked
    peer.down = True
    sent = _pay(alice, riverside)
    peer.down = False
    done = payment_retry(timebank=riverside, uuid=str(sent.uuid), abandon=True)
    assert done.is_failed
    up = _fresh(up)
    assert _balance(alice, riverside) == 0
    assert up.holding.balance == 0 and up.clearing.balance == 0 and up.in_flight_id is None
    assert up.last_hash == "trunk"
    assert ledger_verify().ok


def test_a_refusal_returns_the_hours_and_leaves_the_chain(linked, riverside, alice, henry):
    up, down = linked
    sent = _pay(alice, riverside, to="trunk/nobody")
    assert sent.is_failed
    assert "no active account trunk/nobody" in sent.error
    assert _balance(alice, riverside) == 0
    assert _fresh(up).last_hash == _fresh(down).last_hash == "trunk"
    assert ledger_verify().ok


def test_a_payment_past_the_peers_limit_is_refused_there(linked, riverside, hillside, alice, henry):
    _up, down = linked
    Account.objects.filter(pk=_fresh(down).clearing_id).update(min_balance=-60)
    sent = _pay(alice, riverside)
    assert sent.is_failed and "below its limit" in sent.error
    assert _balance(henry, hillside) == 0 and _balance(alice, riverside) == 0


def test_a_payment_past_our_own_position_limit_is_refused_before_sending(
    linked, riverside, alice, peer
):
    with pytest.raises(Exception, match="past its limit"):
        _pay(alice, riverside, minutes=603)
    assert peer.sent == []


def test_a_payment_that_is_not_exact_in_decimal_hours_is_refused_not_rounded(
    linked, riverside, alice, peer
):
    before = _snapshot()
    with pytest.raises(Exception, match="multiple of 3"):
        _pay(alice, riverside, minutes=91)
    assert _snapshot() == before and peer.sent == []


def test_a_paused_link_refuses_both_ways(linked, riverside, hillside, alice, henry):
    from coproduce.creditcommons.services import peer_pause

    up, down = linked
    peer_pause(peer=down, acting=None, paused=True, reason="audit")
    sent = _pay(alice, riverside)
    assert sent.is_failed and "paused" in sent.error
    peer_pause(peer=up, acting=None, paused=True)
    with pytest.raises(Exception, match="paused"):
        _pay(alice, riverside)


def test_a_double_submitted_payment_is_sent_once(linked, riverside, alice, peer):
    import uuid

    key = uuid.uuid4()
    first = payment_send(
        timebank=riverside,
        payer=alice,
        address="trunk/henry",
        minutes=90,
        description="",
        acting=alice,
        tx_uuid=key,
    )
    second = payment_send(
        timebank=riverside,
        payer=alice,
        address="trunk/henry",
        minutes=90,
        description="",
        acting=alice,
        tx_uuid=key,
    )
    assert first.pk == second.pk and len(peer.sent) == 1
    assert _balance(alice, riverside) == -90
