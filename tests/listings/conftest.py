"""Listings of our story: what alice, bob and the others offer and ask for."""

from __future__ import annotations

import pytest


@pytest.fixture
def post():
    """`post(alice, "offer", "Help with gardening", category="gardening")` posts as that person."""
    from coproduce.exchanges.services.listings import listing_create

    def post_listing(person, kind, title, *, timebank=None, category="household", **fields):
        from coproduce.community.models import Membership

        timebank = timebank or Membership.objects.get(person=person).timebank
        return listing_create(
            kind=kind,
            timebank=timebank,
            acting=person,
            title=title,
            category=category,
            **fields,
        )

    return post_listing


@pytest.fixture
def applicant(riverside):
    """Someone who has applied to Riverside but not yet met the coordinator."""
    from tests.conftest import _join, _person

    return _join(riverside, _person("dan", "Dan", "Davies"), status="applied")
