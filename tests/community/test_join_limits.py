"""Applications to join are limited per address, so a script cannot bury carol in applications;
a family applying together from one house is never stopped."""

from __future__ import annotations

import pytest
from django.test import Client

from coproduce.community.models import Membership
from coproduce.core.throttle import JOIN_PER_ADDRESS
from tests.community.test_join import DORA

pytestmark = pytest.mark.django_db


def apply(n: int, address: str = "192.0.2.1"):
    client = Client()  # each applicant on their own browser
    answers = {**DORA, "username": f"dora{n}", "email": f"dora{n}@example.org"}
    return client.post("/join/riverside/", answers, REMOTE_ADDR=address)


def test_a_family_applies_together_from_one_house(riverside):
    for n in range(4):
        assert apply(n).status_code == 302
    assert Membership.objects.filter(person__username__startswith="dora").count() == 4


def test_the_eleventh_application_in_an_hour_from_one_address_is_refused_and_writes_nothing(
    riverside,
):
    for n in range(JOIN_PER_ADDRESS.attempts):
        assert apply(n).status_code == 302
    refused = apply(99)
    assert refused.status_code == 429
    assert "Many applications have come from this connection" in refused.content.decode()
    assert 'value="Dora"' in refused.content.decode()  # the answers are kept on the page
    assert not Membership.objects.filter(person__username="dora99").exists()
    assert apply(100, address="192.0.2.2").status_code == 302
