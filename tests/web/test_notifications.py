"""Alice's messages: newest first, the new ones marked, counted in the menu and on the home page,
and marked read when she says so. Nobody else's messages, ever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.core.models import Notification
from coproduce.core.notifications import notify


@pytest.fixture
def alices_messages(riverside, alice):
    older = notify(
        person=alice,
        kind="exchange_agreed",
        message="Bob agreed to garden on Monday.",
        url="/exchanges/",
        timebank=riverside,
    )
    Notification.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    notify(
        person=alice,
        kind="gift_received",
        message="Carol gave you 1:00 hours as a gift.",
        url="/account/",
        timebank=riverside,
    )
    notify(person=alice, kind="welcome", message="Welcome to Riverside.", timebank=riverside)


def test_alice_sees_her_messages_newest_first_with_the_new_ones_marked(
    login, alices_messages, alice
):
    html = login(alice).get("/notifications/").content.decode()
    assert (
        html.index("Welcome to Riverside.")
        < html.index("Carol gave you")
        < html.index("Bob agreed")
    )
    assert html.count('<strong class="tag">New</strong>') == 3
    assert '<a href="/account/">Carol gave you 1:00 hours as a gift.</a>' in html
    assert "You have 3 new notices." in html


def test_the_menu_and_home_page_count_unread_messages(login, alices_messages, alice):
    html = login(alice).get("/").content.decode()
    assert 'aria-label="Notices: 3 unread">Notices (3)</a>' in html
    assert "You have 3 new notices" in html


def test_without_unread_messages_the_menu_shows_no_count(login, alice):
    html = login(alice).get("/").content.decode()
    assert ">Notices</a>" in html
    assert "new notice" not in html


def test_alice_marks_all_her_messages_read(login, alices_messages, alice, bob, riverside):
    notify(person=bob, kind="welcome", message="Welcome, Bob.", timebank=riverside)
    client = login(alice)
    response = client.post("/notifications/read/", follow=True)
    assert b"3 notices marked as read." in response.content
    assert not Notification.objects.filter(person=alice, read_at__isnull=True).exists()
    assert Notification.objects.get(person=bob).read_at is None
    assert b'class="tag">New<' not in client.get("/notifications/").content


def test_marking_read_needs_a_post(login, alices_messages, alice):
    assert login(alice).get("/notifications/read/").status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 3


def test_bob_never_sees_alices_messages(login, alices_messages, bob):
    html = login(bob).get("/notifications/").content.decode()
    assert "Carol gave you" not in html
    assert "No messages yet." in html


def test_harry_never_sees_riverside_messages(login, alices_messages, harry):
    assert b"Carol gave you" not in login(harry).get("/notifications/").content


def test_a_message_from_another_time_bank_waits_for_that_time_bank(
    login, alice, hillside, riverside
):
    from coproduce.community.models import Membership

    Membership.objects.create(timebank=hillside, person=alice, status="active")
    notify(person=alice, kind="welcome", message="Welcome to Hillside.", timebank=hillside)
    client = login(alice)
    client.post("/switch/", {"timebank": "riverside"})
    assert b"Welcome to Hillside." not in client.get("/notifications/").content
    client.post("/switch/", {"timebank": "hillside"})
    assert b"Welcome to Hillside." in client.get("/notifications/").content


def test_a_link_that_leaves_the_site_is_not_drawn(login, riverside, alice):
    notify(
        person=alice, kind="x", message="Odd link", url="javascript:alert(1)", timebank=riverside
    )
    notify(person=alice, kind="x", message="Away", url="https://evil.example/", timebank=riverside)
    html = login(alice).get("/notifications/").content.decode()
    assert "javascript:" not in html
    assert "evil.example" not in html


def test_messages_are_paginated(login, riverside, alice):
    for i in range(25):
        notify(person=alice, kind="x", message=f"Message {i}", timebank=riverside)
    client = login(alice)
    assert client.get("/notifications/").content.decode().count("<article") == 20
    assert client.get("/notifications/", {"page": 2}).content.decode().count("<article") == 5


@pytest.mark.parametrize("count", [3, 30])
def test_the_messages_page_uses_a_bounded_number_of_queries(
    login, riverside, alice, count, django_assert_max_num_queries
):
    for i in range(count):
        notify(person=alice, kind="x", message=f"Message {i}", url="/account/", timebank=riverside)
    client = login(alice)
    with django_assert_max_num_queries(6):
        assert client.get("/notifications/").status_code == 200


@pytest.mark.parametrize("path", ["/notifications/"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, db, path):
    assert client.get(path)["Location"].startswith("/login/")
    assert client.post("/notifications/read/")["Location"].startswith("/login/")


def test_held_emails_keep_the_message_but_send_nothing(
    riverside, alice, django_capture_on_commit_callbacks, mailoutbox
):
    from coproduce.core.notifications import emails_held

    alice.email, alice.notify_by_email = "alice@example.org", True
    alice.save()
    with emails_held(), django_capture_on_commit_callbacks(execute=True):
        notify(person=alice, kind="test", message="Your exchange is confirmed", timebank=riverside)
    assert Notification.objects.filter(person=alice, kind="test").count() == 1
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        notify(person=alice, kind="test", message="Your exchange is confirmed", timebank=riverside)
    assert len(mailoutbox) == 1
