"""Matching through the API: my "don't suggest me for" list, the requests I could help with,
and for a coordinator who could help with a request (a member who asked gets a 404 there, as
the web sends them to their request's page without scores)."""

from __future__ import annotations

import pytest

from coproduce.exchanges.models import Exchange
from coproduce.matching.models import MatchingPreference
from tests.matching.conftest import ask, offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def garden_request(alice, riverside):
    return ask(alice, riverside, "Weeding my front garden", description="The beds need weeding")


@pytest.fixture
def bob_gardens(bob, riverside):
    return offer(bob, riverside, "Gardening and weeding")


def test_bob_chooses_what_not_to_be_suggested_for(api_as, bob):
    as_bob = api_as(bob)

    response = as_bob.call("put", "/matching/preferences", {"excluded_categories": ["transport"]})

    assert response.status_code == 200
    assert response.json() == {"excluded_categories": ["transport"]}
    assert as_bob.get("/matching/preferences").json() == {"excluded_categories": ["transport"]}


def test_an_unknown_kind_of_help_changes_nothing(api_as, bob):
    response = api_as(bob).call("put", "/matching/preferences", {"excluded_categories": ["magic"]})

    assert response.status_code == 422
    assert not MatchingPreference.objects.filter(person=bob).exists()


def test_bob_sees_alices_garden_request_among_those_he_could_help_with(
    api_as, bob, bob_gardens, garden_request
):
    items = api_as(bob).get("/matching/requests-for-me").json()["items"]

    assert [item["request"]["public_id"] for item in items] == [str(garden_request.public_id)]
    assert all(reason["signal"] != "fairness" for reason in items[0]["reasons"])


def test_carol_sees_who_could_help_with_alices_request_and_invites_bob(
    api_as, carol, bob, bob_gardens, garden_request
):
    as_carol = api_as(carol)
    path = f"/matching/requests/{garden_request.public_id}"

    items = as_carol.get(f"{path}/candidates").json()["items"]
    response = as_carol.post(f"{path}/invite/{bob.public_id}")

    assert items[0]["who"] == {
        "kind": "person",
        "public_id": str(bob.public_id),
        "name": bob.display_name,
    }
    assert response.status_code == 200
    assert Exchange.objects.filter(request=garden_request).count() == 1


@pytest.mark.parametrize("who", ["alice", "bob", "harry"])
def test_only_a_coordinator_of_the_bank_sees_the_candidates(
    request, api_as, who, bob_gardens, garden_request
):
    person = request.getfixturevalue(who)

    response = api_as(person).get(f"/matching/requests/{garden_request.public_id}/candidates")

    assert response.status_code == 404


def test_bob_cannot_invite_anyone_to_alices_request(api_as, bob, carol, garden_request):
    response = api_as(bob).post(
        f"/matching/requests/{garden_request.public_id}/invite/{carol.public_id}"
    )

    assert response.status_code == 404
    assert not Exchange.objects.filter(request=garden_request).exists()
