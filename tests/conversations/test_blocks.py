"""Blocking: once either of two people blocked the other, they cannot message, propose an
exchange to or be suggested to each other; only the one who blocked can lift it."""

from __future__ import annotations

import pytest

from coproduce.community.blocks import block_create, block_remove, is_blocked_between
from coproduce.community.models import Block
from coproduce.conversations.models import Message
from coproduce.core.errors import ApplicationError
from coproduce.exchanges.models import Exchange
from coproduce.matching.selectors import candidates_for_request
from coproduce.matching.suggestions import requests_for_person
from tests.exchanges.conftest import propose
from tests.matching.conftest import ask
from tests.matching.conftest import offer as matching_offer

from .conftest import page, url

pytestmark = pytest.mark.django_db


def test_erin_blocks_alice_from_their_conversation(login, chat, alice, erin, driving):
    response = login(erin).post(url("block", alice.public_id))
    assert response.status_code == 302
    assert is_blocked_between(alice, erin) and is_blocked_between(erin, alice)
    before = Message.objects.count()
    response = login(alice).post(page(chat), {"message-body": "Hello?"})
    assert response.status_code == 400
    assert "You cannot send messages to this person." in response.content.decode()
    response = login(erin).post(page(chat), {"message-body": "Hello?"})
    assert response.status_code == 400
    assert Message.objects.count() == before
    # Alice may not start afresh from erin's offer either, nor turn the chat into a proposal.
    assert "Propose an exchange" not in login(alice).get(page(chat)).content.decode()
    html = login(erin).get(url("list")).content.decode()
    assert "Unblock Alice Ahmed" in html


def test_nobody_blocks_a_stranger_or_lifts_someone_elses_block(login, chat, alice, erin, bob):
    assert login(bob).post(url("block", alice.public_id)).status_code == 404
    assert not Block.objects.exists()
    block_create(blocker=erin, blocked=alice)
    assert login(alice).post(url("unblock", erin.public_id)).status_code == 404
    assert Block.objects.count() == 1
    assert login(erin).post(url("unblock", alice.public_id)).status_code == 302
    assert not Block.objects.exists()


def test_blocked_people_cannot_propose_to_each_other(riverside, alice, bob):
    block_create(blocker=bob, blocked=alice)
    with pytest.raises(ApplicationError) as refused:
        propose(riverside, alice, bob)
    assert refused.value.code == "blocked"
    with pytest.raises(ApplicationError):
        propose(riverside, bob, alice, acting=bob)
    assert not Exchange.objects.exists()
    block_remove(blocker=bob, blocked=alice)
    assert propose(riverside, alice, bob).pk


def test_blocked_people_are_not_suggested_to_each_other(riverside, alice, bob):
    matching_offer(bob, riverside, "Gardening weeding lawn hedges")
    garden = ask(alice, riverside, "Weeding my front garden")
    assert "bob" in [c.person.username for c in candidates_for_request(garden) if c.person]
    assert [s.request for s in requests_for_person(bob)] == [garden]
    block_create(blocker=alice, blocked=bob)
    assert "bob" not in [c.person.username for c in candidates_for_request(garden) if c.person]
    assert requests_for_person(bob) == []


def test_nobody_blocks_themselves(alice):
    with pytest.raises(ApplicationError):
        block_create(blocker=alice, blocked=alice)
