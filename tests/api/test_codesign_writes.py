"""Co-design writes through the API, as on /projects/: carol starts a project, alice joins and
proposes, bob comments once he takes part, carol arranges a meeting; members cannot start a
project or arrange a meeting, and no one proposes without joining."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.codesign.models import Comment, Meeting, Project, Proposal
from coproduce.community.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def surgery(dr_patel):
    return Organisation.objects.get(slug="riverside-surgery")


@pytest.fixture
def project(api_as, carol, surgery):
    response = api_as(carol).post(
        "/projects",
        {
            "organisation": str(surgery.public_id),
            "title": "Our waiting room",
            "question": "How should the waiting room work?",
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_carol_starts_a_project_and_alice_joins_and_proposes(api_as, alice, bob, project):
    path = f"/projects/{project['public_id']}"

    joined = api_as(alice).post(f"{path}/join")
    proposed = api_as(alice).post(f"{path}/proposals", {"title": "Chairs", "text": "More chairs."})

    assert project["taking_part"] is True
    assert joined.status_code == 200, joined.content
    assert proposed.status_code == 201, proposed.content
    assert Proposal.objects.get().title == "Chairs"


def test_bob_comments_only_once_he_takes_part(api_as, alice, bob, project):
    path = f"/projects/{project['public_id']}"
    api_as(alice).post(f"{path}/join")
    proposal = api_as(alice).post(f"{path}/proposals", {"title": "Chairs", "text": "More."}).json()
    comments = f"/proposals/{proposal['public_id']}/comments"

    refused = api_as(bob).post(comments, {"text": "Yes!"})
    assert refused.status_code == 403
    assert not Comment.objects.exists()

    api_as(bob).post(f"{path}/join")
    response = api_as(bob).post(comments, {"text": "Yes!"})
    assert response.status_code == 201, response.content
    assert Comment.objects.get().text == "Yes!"


def test_carol_arranges_a_meeting_but_alice_cannot(api_as, alice, carol, project):
    path = f"/projects/{project['public_id']}/meetings"
    body = {
        "starts_at": (timezone.now() + timedelta(days=7)).isoformat(),
        "minutes": 90,
        "place": "The surgery",
    }
    api_as(alice).post(f"/projects/{project['public_id']}/join")

    refused = api_as(alice).post(path, body)
    assert refused.status_code == 404
    assert not Meeting.objects.exists()

    response = api_as(carol).post(path, body)
    assert response.status_code == 201, response.content
    assert response.json()["planned"]["minutes"] == 90


@pytest.mark.parametrize("who", ["alice", "dr_patel", "harry"])
def test_only_a_coordinator_or_the_organisations_admin_starts_a_project(
    request, api_as, who, surgery
):
    person = request.getfixturevalue(who)

    response = api_as(person).post(
        "/projects",
        {"organisation": str(surgery.public_id), "title": "Mine", "question": "Why?"},
    )

    assert response.status_code == 404
    assert not Project.objects.exists()


def test_harry_cannot_join_or_propose_in_riverside(api_as, harry, project):
    path = f"/projects/{project['public_id']}"

    assert api_as(harry).post(f"{path}/join").status_code == 404
    assert api_as(harry).post(f"{path}/proposals", {"title": "X", "text": "Y"}).status_code == 404
    assert not Proposal.objects.exists()


def test_a_proposal_longer_than_the_page_allows_is_refused_by_its_schema(api_as, alice, project):
    path = f"/projects/{project['public_id']}"
    api_as(alice).post(f"{path}/join")

    response = api_as(alice).post(f"{path}/proposals", {"title": "Long", "text": "x" * 5001})

    assert response.status_code == 422
    assert "text" in response.content.decode()
    assert not Proposal.objects.exists()
