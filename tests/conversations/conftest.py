"""Conversations' cast, on the shared people: bob offers to mow lawns and alice writes to him
about it; erin (a member) offers driving; carol coordinates Riverside and sees an exchange's
messages only when asked to resolve its dispute; bob, harry, dr_patel and root (a site
administrator) are the people who must not read what is not theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.community.models import Person
from coproduce.conversations.models import Conversation
from coproduce.conversations.services import conversation_start
from coproduce.core.categories import Category
from coproduce.exchanges.models import Offer
from tests.conftest import _join, _person


@pytest.fixture
def erin(riverside):
    return _join(riverside, _person("erin", "Erin", "Evans"))


@pytest.fixture
def root(db):
    return Person.objects.create_superuser(username="root", password="pw-root", email="r@x.org")


def offer(person, timebank, title="Mowing lawns", category=Category.GARDENING) -> Offer:
    return Offer.objects.create(
        timebank=timebank, person=person, title=title, category=category, created_at=timezone.now()
    )


@pytest.fixture
def lawns(bob, riverside) -> Offer:
    return offer(bob, riverside)


@pytest.fixture
def driving(erin, riverside) -> Offer:
    return offer(erin, riverside, "Lifts to the hospital", Category.TRANSPORT)


@pytest.fixture
def chat(riverside, alice, erin, driving) -> Conversation:
    """Alice's private conversation with erin about erin's lifts."""
    return conversation_start(
        timebank=riverside, acting=alice, listing=driving, body="Could you take me on Tuesday?"
    )


def url(name: str, *args) -> str:
    return reverse(f"conversations:{name}", args=args)


def page(conversation: Conversation) -> str:
    return url("conversation", conversation.public_id)
