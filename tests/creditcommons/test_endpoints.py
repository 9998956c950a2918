"""The protocol's endpoints as a neighbouring node sees them: headers, states, the account and
its history, and every refusal as `{"errors": [...]}` with nothing changed."""

from __future__ import annotations

import json
import uuid

import pytest

from coproduce.creditcommons.models import Peer, RemoteTransaction
from coproduce.creditcommons.sending import payment_send
from coproduce.ledger.models import Account, Transfer


def _hash(slug: str) -> str:
    return Peer.objects.get(node__timebank__slug=slug).last_hash


def _headers(slug: str, node: str = "trunk") -> dict[str, str]:
    return {"cc-node": node, "last-hash": _hash(slug)}


def _tx(*, quant=1, state="C", payee="trunk/riverside/alice", payer="trunk/henry", **extra):
    body = {
        "uuid": str(uuid.uuid4()),
        "state": state,
        "workflow": "_C-",
        "version": 1,
        "entries": [
            {"payer": payer, "payee": payee, "quant": quant, "description": "Tea", "metadata": {}}
        ],
    }
    body.update(extra)
    return json.dumps(body)


def _relay(client, body, headers=None):
    return client.post(
        "/cc/riverside/transaction/relay",
        body,
        content_type="application/json",
        headers=headers if headers is not None else _headers("riverside"),
    )


def _rows() -> tuple[int, int, str]:
    return Transfer.objects.count(), RemoteTransaction.objects.count(), _hash("riverside")


def test_a_relayed_transaction_is_booked_and_answered_with_its_entries(linked, client, alice):
    answer = _relay(client, _tx(quant=1.25))
    assert answer.status_code == 201
    assert answer.json()["data"][0]["quant"] == 1.25
    assert answer["cc-node-trace"] == "<riverside"
    assert answer["last-hash"] == _hash("riverside")
    assert Account.objects.get(person=alice).balance == 75


def test_fees_to_other_nodes_are_netted_for_the_local_account(linked, client, alice):
    body = json.loads(_tx(quant=2))
    body["entries"].append(
        {
            "payer": "trunk/riverside/alice",
            "payee": "trunk/admin",
            "quant": 0.5,
            "description": "fee",
            "metadata": {},
        }
    )
    assert _relay(client, json.dumps(body)).status_code == 201
    assert Account.objects.get(person=alice).balance == 90


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (_tx(quant=0.01), 400, "does not round"),
        (_tx(state="P"), 400, "state P is not supported"),
        (_tx(payee="trunk/riverside/nobody"), 404, "no active account"),
        (_tx(payee="trunk/elsewhere/x"), 400, "both be remote"),
        (_tx(payee="trunk/riverside/alice/deeper"), 400, "does not relay"),
        (_tx(payer="trunk/riverside/alice", payee="trunk/henry"), 400, "net gain"),
        (_tx(quant=11), 400, "below its limit"),
        ("{not json", 400, "JSON object"),
    ],
)
def test_a_bad_transaction_is_refused_and_changes_nothing(
    linked, client, alice, body, status, words
):
    before = _rows()
    answer = _relay(client, body)
    assert answer.status_code == status
    assert words in answer.json()["errors"][0]
    assert _rows() == before


def test_an_unknown_node_is_refused(linked, client):
    before = _rows()
    answer = _relay(client, _tx(), {"cc-node": "stranger", "last-hash": _hash("riverside")})
    assert answer.status_code == 401
    assert answer.json() == {"errors": ["cc-node 'stranger' is not a neighbour of this node."]}
    assert _rows() == before


def test_a_time_bank_that_is_no_node_answers_404_in_json(db, riverside, client):
    answer = client.get("/cc/riverside/", headers={"cc-node": "trunk", "last-hash": "x"})
    assert answer.status_code == 404
    assert answer.json() == {"errors": ["This time bank is not a Credit Commons node."]}
    assert client.get("/cc/nowhere/account").status_code == 404


def test_a_paused_link_refuses_with_403(linked, client):
    from coproduce.creditcommons.services import peer_pause

    peer_pause(peer=linked[0], acting=None, paused=True, reason="checking")
    before = _rows()
    answer = _relay(client, _tx())
    assert answer.status_code == 403 and _rows() == before


def test_the_wrong_method_is_refused_in_json(linked, client):
    answer = client.get("/cc/riverside/transaction/relay", headers=_headers("riverside"))
    assert answer.status_code == 405 and answer["Allow"] == "POST"


def test_the_welcome_checks_the_headers(linked, client):
    answer = client.get("/cc/riverside/", headers=_headers("riverside"))
    assert answer.status_code == 200 and "trunk/riverside" in answer.json()["message"]


def test_the_account_and_its_history_show_trades_over_the_link(
    linked, client, alice, riverside, hillside, henry
):
    payment_send(
        timebank=hillside,
        payer=henry,
        address="trunk/riverside/alice",
        minutes=120,
        description="",
        acting=henry,
    )
    payment_send(
        timebank=riverside,
        payer=alice,
        address="trunk/henry",
        minutes=30,
        description="",
        acting=alice,
    )
    headers = _headers("riverside")
    summary = client.get("/cc/riverside/account?acc_path=trunk/riverside/alice", headers=headers)
    assert summary.json() == {
        "trades": 2,
        "entries": 2,
        "gross_in": 2,
        "gross_out": 0.5,
        "partners": 1,
        "pending": 0,
        "balance": 1.5,
    }
    by_name = client.get("/cc/riverside/account?acc_path=alice", headers=headers)
    assert by_name.json() == summary.json()
    history = client.get("/cc/riverside/account/history?acc_path=alice", headers=headers).json()
    assert list(history["data"].values())[-1] == 1.5
    assert history["meta"]["points"] == 2 and history["meta"]["max"] == 2
    missing = client.get("/cc/riverside/account?acc_path=nobody", headers=headers)
    assert missing.status_code == 404


def test_completing_a_completed_transaction_changes_nothing_and_other_states_are_refused(
    linked, client
):
    tx = json.loads(_tx())
    _relay(client, json.dumps(tx))
    before = _rows()
    url = f"/cc/riverside/transaction/{tx['uuid']}"
    done = client.patch(f"{url}/C", headers=_headers("riverside"))
    assert done.status_code == 201
    erased = client.patch(f"{url}/E", headers=_headers("riverside"))
    assert erased.status_code == 400 and "cannot move one to E" in erased.json()["errors"][0]
    assert _rows() == before


def test_the_sender_may_ask_about_its_last_transaction_with_the_hash_from_before_it(linked, client):
    tx = json.loads(_tx())
    before_hash = _hash("riverside")
    _relay(client, json.dumps(tx))
    url = f"/cc/riverside/transaction/{tx['uuid']}"
    asked = client.get(url, headers={"cc-node": "trunk", "last-hash": before_hash})
    assert asked.status_code == 200 and asked.json()["data"]["uuid"] == tx["uuid"]
    # Only for that transaction: the old hash opens nothing else.
    other = client.get(
        f"/cc/riverside/transaction/{uuid.uuid4()}",
        headers={"cc-node": "trunk", "last-hash": before_hash},
    )
    assert other.status_code == 401
    unknown = client.get(f"/cc/riverside/transaction/{uuid.uuid4()}", headers=_headers("riverside"))
    assert unknown.status_code == 404


def test_while_a_payment_of_ours_waits_an_incoming_one_is_refused_as_busy(
    linked, client, alice, riverside, peer
):
    peer.down = True
    payment_send(
        timebank=riverside,
        payer=alice,
        address="trunk/henry",
        minutes=30,
        description="",
        acting=alice,
    )
    before = _rows()
    answer = _relay(client, _tx())
    assert answer.status_code == 409 and "waiting for an answer" in answer.json()["errors"][0]
    assert _rows() == before
