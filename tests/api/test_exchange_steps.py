"""The rest of an exchange's life through the API: alice thanks bob once it is confirmed, bob
logs help already given, and carol resolves a problem and reverses an exchange (not alice)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coproduce.exchanges.models import Exchange, Feedback
from coproduce.exchanges.services.listings import listing_create
from tests.api.conftest import earn

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(api_as, riverside, alice, bob):
    """Bob helped alice for an hour (his offer); she confirmed."""
    earn(riverside, earner=alice, payer=bob, minutes=300)
    offer = listing_create(
        kind="offer", timebank=riverside, acting=bob, title="Lifts", category="transport"
    )
    as_alice, as_bob = api_as(alice), api_as(bob)
    made = as_alice.post("/exchanges", {"offer": str(offer.public_id), "minutes": 60}).json()
    path = f"/exchanges/{made['public_id']}"
    assert as_bob.post(f"{path}/agree").status_code == 200
    assert as_bob.post(f"{path}/done", {"minutes": 60}).status_code == 200
    return made["public_id"]


def test_alice_thanks_bob_once_it_is_confirmed(api_as, alice, bob, confirmed):
    as_alice = api_as(alice)
    as_alice.post(f"/exchanges/{confirmed}/confirm")

    response = as_alice.post(
        f"/exchanges/{confirmed}/feedback", {"about": str(bob.public_id), "message": "Thank you!"}
    )

    assert response.status_code == 201, response.content
    assert response.json()["about"]["name"] == "Bob Brown"
    assert Feedback.objects.filter(about_person=bob).count() == 1


def test_thanks_before_confirming_is_refused_and_nothing_is_kept(api_as, alice, bob, confirmed):
    response = api_as(alice).post(
        f"/exchanges/{confirmed}/feedback", {"about": str(bob.public_id), "message": "Thanks"}
    )

    assert response.status_code in (400, 409)
    assert Feedback.objects.count() == 0


def test_carol_logs_help_bob_already_gave_alice_and_bob_cannot(
    api_as, riverside, alice, bob, carol
):
    before = Exchange.objects.count()
    body = {
        "provider": "bob",
        "receiver": "alice",
        "title": "Fixed a shelf",
        "category": "household",
        "minutes": 30,
        "done_on": timezone.localdate().isoformat(),
    }

    refused = api_as(bob).post("/exchanges/log", body, key="log-0")
    response = api_as(carol).post(
        "/exchanges/log",
        {
            "provider": "bob",
            "receiver": "alice",
            "title": "Fixed a shelf",
            "category": "household",
            "minutes": 30,
            "done_on": timezone.localdate().isoformat(),
        },
        key="log-1",
    )

    assert refused.status_code == 403
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "confirmed"
    assert Exchange.objects.count() == before + 1


def test_carol_resolves_a_problem_and_alice_cannot(api_as, alice, carol, confirmed):
    api_as(alice).post(f"/exchanges/{confirmed}/dispute", {"reason": "It took less time."})
    body = {"outcome": "adjust", "note": "Agreed on 45 minutes.", "minutes": 45}

    refused = api_as(alice).post(f"/exchanges/{confirmed}/resolve", body, key="r-1")
    resolved = api_as(carol).post(f"/exchanges/{confirmed}/resolve", body, key="r-2")

    assert refused.status_code in (403, 404)
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["status"] == "confirmed"
    assert resolved.json()["actual"]["minutes"] == 45


def test_carol_reverses_a_confirmed_exchange(api_as, alice, carol, confirmed):
    api_as(alice).post(f"/exchanges/{confirmed}/confirm")

    response = api_as(carol).post(
        f"/exchanges/{confirmed}/reverse", {"reason": "Logged twice"}, key="rev-1"
    )

    assert response.status_code == 200, response.content
    assert response.json()["reversed"] is True
