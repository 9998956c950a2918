"""Contact details once agreed, and messages in erasure and the data download."""

from __future__ import annotations

import json

import pytest

from coproduce.community.models import Membership, Visibility
from coproduce.conversations.models import Message, MessageReport
from coproduce.conversations.services import message_send
from coproduce.privacy.download import person_data
from coproduce.privacy.erasure import person_erase
from tests.exchanges.conftest import propose, step

from .conftest import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable(alice, bob):
    alice.phone, alice.email = "07700 900001", "alice@example.org"
    bob.phone, bob.email = "07700 900002", "bob@example.org"
    alice.save()
    bob.save()


def test_each_side_sees_the_others_allowed_details_once_agreed(
    login, riverside, alice, bob, reachable
):
    exchange = propose(riverside, alice, bob)
    exchange_page = f"/exchanges/{exchange.public_id}/"
    assert "07700 900001" not in login(bob).get(exchange_page).content.decode()
    assert "07700 900002" not in login(alice).get(exchange_page).content.decode()
    Membership.objects.filter(person=bob).update(email_visible_to=Visibility.NOBODY)
    step(exchange, "agreed")
    html = login(alice).get(exchange_page).content.decode()
    assert "How to reach each other" in html
    assert "07700 900002" in html and "bob@example.org" not in html
    html = login(bob).get(exchange_page).content.decode()
    assert "07700 900001" in html and "alice@example.org" in html


def test_a_member_who_shares_nothing_is_reached_by_messages(
    login, riverside, alice, bob, reachable
):
    Membership.objects.filter(person=bob).update(
        phone_visible_to=Visibility.NOBODY, email_visible_to=Visibility.NOBODY
    )
    exchange = step(propose(riverside, alice, bob), "agreed")
    html = login(alice).get(f"/exchanges/{exchange.public_id}/").content.decode()
    assert "07700 900002" not in html and "chosen not to share" in html


def test_erasure_blanks_the_words_of_the_persons_messages(login, riverside, chat, alice, erin):
    message_send(conversation=chat, acting=erin, body="Yes, at nine.")
    MessageReport.objects.create(
        timebank=riverside,
        message=Message.objects.get(author=erin),
        reported_by=alice,
        reason="Just testing",
    )
    person_erase(person=alice, password="pw-alice")
    mine = Message.objects.get(author=alice)
    assert mine.body == "" and mine.erased_at is not None
    assert Message.objects.get(author=erin).body == "Yes, at nine."
    assert MessageReport.objects.get().reason == ""
    html = login(erin).get(page(chat)).content.decode()
    assert "removed when its author left" in html and "Tuesday" not in html


def test_the_data_download_holds_my_messages_and_not_theirs(chat, alice, erin):
    message_send(conversation=chat, acting=erin, body="Yes, at nine.")
    data = json.loads(json.dumps(person_data(person=alice)))
    assert [m["message"] for m in data["messages"]] == ["Could you take me on Tuesday?"]
    assert "Yes, at nine." not in json.dumps(data)
