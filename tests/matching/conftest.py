"""Matching's cast, on the shared people: alice asks for help with her garden; bob, her
neighbour, and dan, across town, both offer gardening; erin offers to drive; carol coordinates
Riverside; harry coordinates Hillside and must never see Riverside's candidates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.core.categories import Category
from coproduce.exchanges.models import Offer, Request
from tests.conftest import _join, _person


def offer(person, timebank, title, category=Category.GARDENING, **extra) -> Offer:
    return Offer.objects.create(
        timebank=timebank,
        person=person,
        title=title,
        category=category,
        created_at=timezone.now(),
        **extra,
    )


def ask(person, timebank, title, category=Category.GARDENING, days_ago=0, **extra) -> Request:
    return Request.objects.create(
        timebank=timebank,
        person=person,
        title=title,
        category=category,
        created_at=timezone.now() - timedelta(days=days_ago),
        **extra,
    )


@pytest.fixture
def dan(riverside):
    return _join(riverside, _person("dan", "Dan", "Davies"), area="Southside")


@pytest.fixture
def erin(riverside):
    return _join(riverside, _person("erin", "Erin", "Evans"), area="Northbank")


@pytest.fixture
def garden_request(alice, riverside) -> Request:
    return ask(alice, riverside, "Weeding my front garden", description="The beds need weeding")
