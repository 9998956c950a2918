"""Members write to each other: from an offer, back and forth, with one notice per conversation
while it is unread, unread counts in the menu, and the limits on what a message may be."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from coproduce.conversations.models import Conversation, ConversationMember, Message
from coproduce.conversations.selectors import MESSAGE_NOTICE
from coproduce.conversations.services import (
    MESSAGES_PER_PERSON,
    conversation_start,
    message_send,
)
from coproduce.core.errors import ApplicationError
from coproduce.core.models import Notification
from coproduce.core.throttle import throttle_record

from .conftest import offer, page, url

pytestmark = pytest.mark.django_db
# Pinned: the conversations list and a conversation page, signed in (session, person, the
# menu's counts included), the same for one conversation or message as for ten.
LIST_QUERIES = 7
PAGE_QUERIES = 10


def notices(person) -> list[Notification]:
    return list(Notification.objects.filter(person=person, kind=MESSAGE_NOTICE))


def test_alice_writes_to_bob_from_his_offer_and_he_answers(login, riverside, alice, bob, lawns):
    client = login(alice)
    listing_page = client.get(f"/offers/{lawns.public_id}/").content.decode()
    assert url("offer", lawns.public_id) in listing_page and "Send a message" in listing_page
    assert b"Send a message to Bob" in client.get(url("offer", lawns.public_id)).content
    response = client.post(url("offer", lawns.public_id), {"message-body": "Is Saturday fine?"})
    conversation = Conversation.objects.get()
    assert response["Location"] == page(conversation)
    assert conversation.offer == lawns and conversation.started_by == alice
    assert {m.person for m in conversation.members.all()} == {alice, bob}
    # Writing again from the offer goes to the same conversation.
    assert client.get(url("offer", lawns.public_id))["Location"] == page(conversation)

    bob_client = login(bob)
    html = bob_client.get("/").content.decode()
    assert 'aria-label="Messages: 1 unread">Messages (1)</a>' in html
    html = bob_client.get(page(conversation)).content.decode()
    assert "Is Saturday fine?" in html and "Propose an exchange" not in html
    response = bob_client.post(page(conversation), {"message-body": "Saturday at ten."})
    assert response.status_code == 302
    # Alice, who wrote to bob about his offer, may turn it into a proposal.
    html = login(alice).get(page(conversation)).content.decode()
    assert "Saturday at ten." in html
    assert f"/exchanges/new/?offer={lawns.public_id}" in html


def test_one_notice_per_conversation_while_it_is_unread(
    riverside, alice, bob, lawns, login, django_capture_on_commit_callbacks
):
    bob.email = "bob@example.org"
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_start(
            timebank=riverside, acting=alice, listing=lawns, body="Hello"
        )
        message_send(conversation=conversation, acting=alice, body="Are you there?")
        message_send(conversation=conversation, acting=alice, body="Saturday?")
    assert len(notices(bob)) == 1 and notices(alice) == []
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["bob@example.org"]
    assert "Alice Ahmed sent you a message about “Mowing lawns”" in email.body
    assert (
        f"http://testserver{page(conversation)}" in email.body or page(conversation) in email.body
    )
    assert "Saturday?" not in email.body  # the words stay in the app
    # Reading it marks the notice read; the next message tells bob again.
    login(bob).get(page(conversation))
    assert notices(bob)[0].read_at is not None
    message_send(conversation=conversation, acting=alice, body="Thanks!")
    assert len(notices(bob)) == 2


def test_the_list_shows_unread_counts_per_conversation(login, riverside, alice, bob, lawns, chat):
    conversation_start(timebank=riverside, acting=alice, listing=lawns, body="One")
    lawn_chat = Conversation.objects.get(offer=lawns)
    message_send(conversation=lawn_chat, acting=alice, body="Two")
    html = login(bob).get(url("list")).content.decode()
    assert "Offer: Mowing lawns" in html and "2 new messages" in html
    assert "Lifts to the hospital" not in html  # alice and erin's conversation
    html = login(alice).get(url("list")).content.decode()
    assert "Mowing lawns" in html and "Lifts to the hospital" in html
    assert "new message" not in html  # her own messages are never unread to her


def test_notices_and_messages_are_counted_apart(login, riverside, alice, bob, lawns):
    Notification.objects.create(person=bob, kind="exchange.agreed", message="Agreed")
    conversation_start(timebank=riverside, acting=alice, listing=lawns, body="Hello")
    html = login(bob).get("/notifications/").content.decode()
    assert "Agreed" in html and "sent you a message" not in html
    assert 'aria-label="Notices: 1 unread">Notices (1)</a>' in html
    assert 'aria-label="Messages: 1 unread">Messages (1)</a>' in html


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 2001, "at most 2000 characters"),
        ("Hello\x1bthere", "invisible control character"),
    ],
)
def test_a_bad_message_is_refused_and_nothing_is_written(login, alice, lawns, body, problem):
    before = Message.objects.count(), Conversation.objects.count()
    response = login(alice).post(url("offer", lawns.public_id), {"message-body": body})
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert (Message.objects.count(), Conversation.objects.count()) == before


def test_messages_are_escaped_and_only_web_links_are_clickable(login, riverside, alice, bob, lawns):
    body = (
        "<script>alert(1)</script> <b>bold</b> see https://example.org/a?b=1&c=2. "
        'or javascript:alert(1) or <a href="http://evil">x</a>\nline two'
    )
    conversation = conversation_start(timebank=riverside, acting=alice, listing=lawns, body=body)
    html = login(bob).get(page(conversation)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer ugc">'
        "https://example.org/a?b=1&amp;c=2</a>." in html
    )
    assert 'href="javascript' not in html
    assert '<a href="http://evil">' not in html
    assert "<br>line two" in html


def test_a_flood_is_refused_after_thirty_messages_in_ten_minutes(riverside, alice, bob, lawns):
    conversation = conversation_start(timebank=riverside, acting=alice, listing=lawns, body="1")
    for _ in range(MESSAGES_PER_PERSON.attempts - 1):
        throttle_record(MESSAGES_PER_PERSON, str(alice.pk))
    before = Message.objects.count()
    with pytest.raises(ApplicationError) as refused:
        message_send(conversation=conversation, acting=alice, body="one more")
    assert refused.value.code == "too_many"
    assert Message.objects.count() == before
    assert MESSAGES_PER_PERSON.window == timedelta(minutes=10)


def test_nobody_writes_to_their_own_or_a_closed_listing(login, riverside, alice, bob, lawns):
    own = offer(alice, riverside, "My own lawn")
    assert login(alice).get(url("offer", own.public_id)).status_code == 404
    lawns.status = "closed"
    lawns.save()
    with pytest.raises(ApplicationError):
        conversation_start(timebank=riverside, acting=alice, listing=lawns, body="Hi")
    assert not ConversationMember.objects.exists()


def test_the_conversation_pages_read_the_same_number_of_queries_for_one_or_ten(
    login, riverside, alice, bob, django_assert_num_queries
):
    client = login(alice)
    first = conversation_start(
        timebank=riverside, acting=alice, listing=offer(bob, riverside, "Lawn 0"), body="Hi"
    )
    client.get(page(first))
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url("list"))
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(page(first))
    for n in range(1, 10):
        conversation_start(
            timebank=riverside, acting=alice, listing=offer(bob, riverside, f"Lawn {n}"), body="Hi"
        )
        message_send(conversation=first, acting=alice, body=f"Message {n}")
    client.get(page(first))
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url("list"))
    assert response.content.decode().count("Offer: Lawn") == 10
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(page(first))
    assert response.content.decode().count("Message ") == 9
