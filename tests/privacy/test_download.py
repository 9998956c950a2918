"""Download my data: alice gets one JSON file with everything about her, and nothing private
about anyone else (bob appears by his display name only)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.utils import timezone

from coproduce.community.models import Organisation
from coproduce.core.models import AuditEvent
from coproduce.core.notifications import notify
from coproduce.exchanges.services.feedback import feedback_give
from coproduce.exchanges.services.listings import listing_create
from coproduce.partners.models import Referral
from tests.exchanges.conftest import propose, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(riverside, alice, bob, dr_patel):
    bob.phone, bob.email = "07700 900123", "bob@example.org"
    bob.save()
    alice.phone, alice.about = "07700 900999", "I love gardens"
    alice.save()
    listing_create(
        kind="offer", timebank=riverside, acting=alice, title="Pruning roses", category="gardening"
    )
    listing_create(
        kind="request", timebank=riverside, acting=alice, title="A lift", category="transport"
    )
    helped = step(propose(riverside, alice, bob, title="Roses next door"), "confirmed")
    step(propose(riverside, bob, alice, minutes=30, title="Fix the tap"), "confirmed")
    feedback_give(exchange=helped, author=bob, about_person=alice, message="Wonderful roses")
    feedback_give(exchange=helped, author=alice, about_person=bob, message="Lovely to meet")
    notify(person=alice, kind="hello", message="Welcome to Riverside", timebank=riverside)
    Referral.objects.create(
        timebank=riverside,
        organisation=Organisation.objects.get(slug="riverside-surgery"),
        referred_by=dr_patel,
        person=alice,
        first_name="Alice",
        last_name="Ahmed",
        what_matters="Meeting people",
        support_notes="Lives alone; recent bereavement",
        consent_given_by="Alice Ahmed",
        consent_given_on=date(2026, 1, 5),
        consent_how="verbal",
        received_at=timezone.now(),
    )


def _download(client) -> tuple[dict, object]:
    response = client.post("/privacy/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="coproduce-my-data-')
    return json.loads(response.content), response


def test_alice_downloads_everything_about_her(alice, bob, history, login):
    data, _response = _download(login(alice))
    assert data["format"] == "coproduce-personal-data/1"
    assert data["profile"]["phone"] == "07700 900999"
    assert data["profile"]["about"] == "I love gardens"
    assert [m["time_bank"] for m in data["memberships"]] == ["Riverside Time Bank"]
    assert {(item["kind"], item["title"]) for item in data["listings"]} == {
        ("offer", "Pruning roses"),
        ("request", "A lift"),
    }
    titles = {e["title"]: e for e in data["exchanges"]}
    assert titles["Roses next door"]["givers"] == ["Alice Ahmed"]
    assert titles["Roses next door"]["receivers"] == ["Bob Brown"]
    assert titles["Roses next door"]["my_side"] == ["provider"]
    assert [t["message"] for t in data["thanks_received"]] == ["Wonderful roses"]
    assert data["thanks_received"][0]["from"] == "Bob Brown"
    assert [t["message"] for t in data["thanks_given"]] == ["Lovely to meet"]
    [account] = data["statement"]
    assert account["balance"] == 120 - 30
    assert sorted(e["amount"] for e in account["entries"]) == [-30, 120]
    assert "Welcome to Riverside" in [n["message"] for n in data["notifications"]]
    [referral] = data["referrals_about_me"]
    assert referral["organisation"] == "Riverside Surgery"
    assert referral["what_matters"] == "Meeting people"
    assert any(a["action"] == "exchange.thanked" for a in data["my_actions"])


def test_the_download_holds_no_one_elses_private_details(alice, bob, history, login):
    _data, response = _download(login(alice))
    text = response.content.decode()
    for private in ("07700 900123", "bob@example.org", '"bob"', "Lives alone", "dr_patel", "Patel"):
        assert private not in text, private


def test_the_download_is_audited_and_costs_a_fixed_number_of_queries(
    alice, history, login, django_assert_max_num_queries
):
    client = login(alice)
    # Measured 19 on SQLite: the session, the person and their memberships (middleware), one
    # read per section (the exchanges' participants and their people prefetched; organisations
    # only when one took part), the audit insert and its savepoint.
    with django_assert_max_num_queries(20):
        _download(client)
    event = AuditEvent.objects.get(action="person.data_downloaded")
    assert event.actor == alice and event.data == {}


def test_the_download_costs_the_same_with_more_history(
    riverside, alice, bob, history, login, django_assert_num_queries
):
    client = login(alice)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        _download(client)
    for n in range(5):
        step(propose(riverside, alice, bob, minutes=15, title=f"More help {n}"), "confirmed")
    with django_assert_num_queries(len(first.captured_queries)):
        _download(client)


def test_a_download_is_asked_for_with_a_button_not_a_link(alice, login):
    assert login(alice).get("/privacy/download/").status_code == 405
    assert not AuditEvent.objects.filter(action="person.data_downloaded").exists()


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.post("/privacy/download/")
    assert response.status_code == 302 and "/login/" in response["Location"]
