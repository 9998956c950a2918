"""The current person and time bank for a request (coproduce.core.requests)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from coproduce.core.errors import NotFound
from coproduce.core.requests import current_membership, current_person, current_timebank


def _request(user, timebank=None, membership=None):
    request = RequestFactory().get("/")
    request.user = user
    request.timebank = timebank
    request.membership = membership
    return request


def test_it_gives_the_signed_in_person_and_their_time_bank(riverside, alice):
    membership = alice.memberships.get(timebank=riverside)
    request = _request(alice, riverside, membership)
    assert current_person(request) == alice
    assert current_timebank(request) == riverside
    assert current_membership(request) == membership


def test_someone_in_no_time_bank_gets_one_404_that_says_so(alice):
    request = _request(alice)
    with pytest.raises(NotFound, match="You are not a member of a time bank yet"):
        current_timebank(request)
    assert current_membership(request) is None


def test_a_request_the_middleware_never_saw_counts_as_no_time_bank(alice):
    request = RequestFactory().get("/")
    request.user = alice
    with pytest.raises(NotFound):
        current_timebank(request)
