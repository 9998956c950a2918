"""Bob writes to alice about her offer through the API; they read and answer; carol cannot read
it; alice blocks and unblocks bob; bob reports a message; they write about their exchange."""

from __future__ import annotations

import pytest

from coproduce.community.blocks import is_blocked_between
from coproduce.conversations.models import Message, MessageReport
from coproduce.exchanges.services.listings import listing_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(riverside, alice):
    return listing_create(
        kind="offer",
        timebank=riverside,
        acting=alice,
        title="Help in the garden",
        category="gardening",
    )


@pytest.fixture
def conversation(api_as, bob, offer):
    response = api_as(bob).post(
        "/conversations", {"offer": str(offer.public_id), "body": "Could you help on Saturday?"}
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_bob_starts_a_conversation_about_alices_offer(api_as, alice, conversation):
    assert conversation["about"] == "offer"
    assert conversation["subject"] == "Help in the garden"
    assert [p["username"] for p in conversation["people"]] == ["alice"]

    mine = api_as(alice).get("/conversations").json()

    assert [c["public_id"] for c in mine["items"]] == [conversation["public_id"]]
    assert mine["items"][0]["unread"] == 1


def test_alice_reads_it_which_marks_it_read_and_answers(api_as, alice, bob, conversation):
    as_alice = api_as(alice)
    path = f"/conversations/{conversation['public_id']}/messages"

    thread = as_alice.get(path).json()
    answer = as_alice.post(path, {"body": "Yes, at ten."})

    assert [m["body"] for m in thread["items"]] == ["Could you help on Saturday?"]
    assert thread["items"][0]["mine"] is False
    assert thread["conversation"]["unread"] == 1
    assert as_alice.get("/conversations").json()["items"][0]["unread"] == 0
    assert answer.status_code == 201
    assert answer.json()["mine"] is True
    bobs = api_as(bob).get(path).json()
    assert [m["body"] for m in bobs["items"]] == ["Could you help on Saturday?", "Yes, at ten."]


def test_carol_cannot_read_or_write_in_alice_and_bobs_conversation(api_as, carol, conversation):
    as_carol = api_as(carol)
    path = f"/conversations/{conversation['public_id']}/messages"
    before = Message.objects.count()

    assert as_carol.get(path).status_code == 404
    assert as_carol.post(path, {"body": "Hello"}).status_code == 404
    assert as_carol.get("/conversations").json()["items"] == []
    assert Message.objects.count() == before


def test_harry_from_hillside_sees_nothing(api_as, harry, conversation):
    response = api_as(harry).get(f"/conversations/{conversation['public_id']}/messages")

    assert response.status_code == 404


def test_an_empty_message_is_refused_and_nothing_is_sent(api_as, alice, conversation):
    before = Message.objects.count()

    response = api_as(alice).post(
        f"/conversations/{conversation['public_id']}/messages", {"body": ""}
    )

    assert response.status_code == 422
    assert Message.objects.count() == before


def test_alice_blocks_bob_and_he_can_no_longer_write_then_she_unblocks_him(
    api_as, alice, bob, conversation
):
    as_alice, as_bob = api_as(alice), api_as(bob)
    path = f"/conversations/{conversation['public_id']}/messages"

    blocked = as_alice.post(f"/people/{bob.public_id}/block")
    refused = as_bob.post(path, {"body": "Hello?"})

    assert blocked.status_code == 200
    assert is_blocked_between(alice, bob)
    assert [p["username"] for p in as_alice.get("/blocks").json()["items"]] == ["bob"]
    assert refused.status_code in (400, 403)
    assert as_alice.post(f"/people/{bob.public_id}/unblock").status_code == 200
    assert not is_blocked_between(alice, bob)
    assert as_alice.post(f"/people/{bob.public_id}/unblock").status_code == 404


def test_alice_cannot_block_someone_she_has_never_talked_to(api_as, alice, carol):
    response = api_as(alice).post(f"/people/{carol.public_id}/block")

    assert response.status_code == 404
    assert not is_blocked_between(alice, carol)


def test_alice_reports_bobs_message_to_the_coordinators(api_as, alice, conversation):
    as_alice = api_as(alice)
    thread = as_alice.get(f"/conversations/{conversation['public_id']}/messages").json()
    message = thread["items"][0]["public_id"]

    response = as_alice.post(
        f"/conversations/{conversation['public_id']}/messages/{message}/report",
        {"reason": "Not kind"},
    )

    assert response.status_code == 201, response.content
    assert MessageReport.objects.filter(message__public_id=message).count() == 1


def test_the_people_of_an_exchange_write_in_its_thread(api_as, alice, bob, offer):
    made = api_as(bob).post("/exchanges", {"offer": str(offer.public_id), "minutes": 60}).json()

    sent = api_as(alice).post(f"/exchanges/{made['public_id']}/messages", {"body": "See you!"})

    assert sent.status_code == 201, sent.content
    mine = api_as(bob).get("/conversations").json()["items"]
    assert [(c["about"], c["about_id"]) for c in mine] == [("exchange", made["public_id"])]


def test_conversations_page_by_cursor_latest_first(api_as, riverside, alice, bob):
    as_bob = api_as(bob)
    for n in range(3):
        offer = listing_create(
            kind="offer", timebank=riverside, acting=alice, title=f"Job {n}", category="gardening"
        )
        as_bob.post("/conversations", {"offer": str(offer.public_id), "body": "Hello"})
    as_alice = api_as(alice)

    first = as_alice.get("/conversations", limit=2).json()
    second = as_alice.get("/conversations", limit=2, cursor=first["next_cursor"]).json()

    assert [c["subject"] for c in first["items"] + second["items"]] == ["Job 2", "Job 1", "Job 0"]
    assert second["next_cursor"] is None
