"""A proposal's status and the dissent beside a decision, through the API as on the proposal's
page: carol moves alice's proposal on with a public response; a decision needs one, a proposal
moves only forward, and only the project's managers move it. Those taking part may put their
disagreement with the decision on the record, once; it shows beside the decision."""

from __future__ import annotations

import pytest

from coproduce.codesign.models import Dissent, ProposalStatus
from coproduce.core.models import Notification
from tests.api.codesign_story import NOT_MANAGERS, park_project, proposal_of, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(riverside, carol, alice):
    return park_project(riverside, carol, alice)


@pytest.fixture
def proposal(project, alice):
    return proposal_of(project, alice)


def test_carol_considers_then_accepts_alices_proposal_with_a_public_response(
    api_as, carol, alice, proposal
):
    as_carol = api_as(carol)
    path = f"/proposals/{proposal.public_id}/status"

    considered = as_carol.post(path, {"status": "under_consideration"})
    accepted = as_carol.post(path, {"status": "accepted", "response": "Four benches in May."})

    assert considered.status_code == 200, considered.content
    assert accepted.status_code == 200, accepted.content
    answer = accepted.json()
    assert answer["status"] == "accepted"
    assert [(c["from_status"], c["to_status"]) for c in answer["changes"]] == [
        ("open", "under_consideration"),
        ("under_consideration", "accepted"),
    ]
    assert answer["changes"][-1]["response"] == "Four benches in May."
    assert Notification.objects.filter(person=alice, kind="codesign.proposal_status").count() == 2
    project_read = as_carol.get(f"/projects/{proposal.project.public_id}").json()
    assert project_read["proposals"][0]["response"] == "Four benches in May."


def test_a_decision_without_a_public_response_is_refused(api_as, carol, project, alice):
    considered = proposal_of(project, alice, moves=("under_consideration",))
    as_carol = api_as(carol)
    before = rows()

    response = as_carol.post(f"/proposals/{considered.public_id}/status", {"status": "accepted"})

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "required"
    assert rows() == before
    considered.refresh_from_db()
    assert considered.status == ProposalStatus.UNDER_CONSIDERATION


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"status": "accepted", "response": "Yes"}, 409, "bad_transition"),
        ({"status": "open"}, 409, "bad_transition"),
        ({"status": "shelved"}, 422, "invalid_request"),
        ({"response": "Yes"}, 422, "invalid_request"),
        ({"status": "under_consideration", "response": "x" * 5001}, 422, "invalid_request"),
    ],
    ids=["skipping-consideration", "to-where-it-is", "unknown-status", "no-status", "too-long"],
)
def test_a_move_the_proposal_cannot_make_is_refused(api_as, carol, proposal, body, status, code):
    as_carol = api_as(carol)
    before = rows()

    response = as_carol.post(f"/proposals/{proposal.public_id}/status", body)

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert rows() == before
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


@pytest.mark.parametrize(("who", "status"), NOT_MANAGERS)
def test_only_the_projects_managers_change_a_proposals_status(
    request, api_as, proposal, who, status
):
    client = api_as(request.getfixturevalue(who))
    before = rows()

    response = client.post(
        f"/proposals/{proposal.public_id}/status", {"status": "under_consideration"}
    )

    assert response.status_code == status, response.content
    assert rows() == before


@pytest.fixture
def decided(riverside, carol):
    """The council's own idea, not taken up: in this project only carol takes part so far."""
    project = park_project(riverside, carol)
    return proposal_of(project, carol, moves=("under_consideration", "not_taken_up"))


def test_alice_joins_records_her_dissent_and_it_shows_beside_the_decision(api_as, alice, decided):
    as_alice = api_as(alice)
    as_alice.post(f"/projects/{decided.project.public_id}/join")

    recorded = as_alice.post(f"/proposals/{decided.public_id}/dissent", {"text": "Benches help."})

    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["decision"] == "not_taken_up"
    assert recorded.json()["person"] == "Alice Ahmed"
    changes = as_alice.get(f"/proposals/{decided.public_id}").json()["changes"]
    assert [d["text"] for d in changes[-1]["dissents"]] == ["Benches help."]
    assert changes[0]["dissents"] == []


def test_dissent_is_recorded_once_per_decision(api_as, carol, decided):
    as_carol = api_as(carol)
    as_carol.post(f"/proposals/{decided.public_id}/dissent", {"text": "I was outvoted."})
    before = rows()

    again = as_carol.post(f"/proposals/{decided.public_id}/dissent", {"text": "Really."})

    assert again.status_code == 409, again.content
    assert again.json()["code"] == "already"
    assert rows() == before


def test_dissent_before_any_decision_is_refused(api_as, alice, proposal):
    as_alice = api_as(alice)
    before = rows()

    response = as_alice.post(f"/proposals/{proposal.public_id}/dissent", {"text": "No."})

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "no_decision"
    assert rows() == before


@pytest.mark.parametrize(
    ("body", "status"),
    [({"text": " "}, 400), ({"text": ""}, 422), ({"text": "x" * 3001}, 422), ({}, 422)],
    ids=["blank", "empty", "too-long", "missing"],
)
def test_a_dissent_without_words_is_refused(api_as, carol, decided, body, status):
    as_carol = api_as(carol)
    before = rows()

    response = as_carol.post(f"/proposals/{decided.public_id}/dissent", body)

    assert response.status_code == status, response.content
    assert rows() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 403), ("bob", 403), ("dr_patel", 403), ("harry", 404)],
    ids=["alice-not-taking-part", "bob", "dr_patel", "harry"],
)
def test_only_those_taking_part_record_dissent(request, api_as, decided, who, status):
    client = api_as(request.getfixturevalue(who))
    before = rows()

    response = client.post(f"/proposals/{decided.public_id}/dissent", {"text": "No."})

    assert response.status_code == status, response.content
    assert rows() == before
    assert not Dissent.objects.exists()
