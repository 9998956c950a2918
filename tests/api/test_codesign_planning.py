"""A project's phases and the people its managers add, through the API as on the project's
page: carol (coordinating Riverside) plans the council's park project and adds people; no one
else may, and what she gets wrong is refused with nothing written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coproduce.codesign.models import Phase, ProjectParticipant
from coproduce.codesign.services import progress_add, project_create
from coproduce.community.models import Membership, Organisation
from tests.api.codesign_story import NOT_MANAGERS, park_project, past_meeting, proposal_of, rows

pytestmark = pytest.mark.django_db

SPRING = {"name": "Listening", "starts_on": "2026-03-01", "ends_on": "2026-04-30"}


@pytest.fixture
def project(riverside, carol, alice):
    return park_project(riverside, carol, alice)


def test_carol_adds_a_phase_and_the_project_shows_it(api_as, carol, project):
    as_carol = api_as(carol)

    added = as_carol.post(f"/projects/{project.public_id}/phases", SPRING)

    assert added.status_code == 201, added.content
    assert added.json() == SPRING
    read = as_carol.get(f"/projects/{project.public_id}").json()
    assert read["phases"] == [SPRING]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**SPRING, "ends_on": "2026-02-01"}, 400, "dates"),
        ({**SPRING, "name": "   "}, 400, "required"),
        ({**SPRING, "name": "x" * 121}, 422, "invalid_request"),
        ({"name": "Listening", "starts_on": "2026-03-01"}, 422, "invalid_request"),
        ({**SPRING, "starts_on": "the first of March"}, 422, "invalid_request"),
    ],
    ids=["ends-before-it-starts", "blank-name", "name-too-long", "no-end", "not-a-date"],
)
def test_a_phase_carol_gets_wrong_is_refused_with_nothing_added(
    api_as, carol, project, body, status, code
):
    as_carol = api_as(carol)
    before = rows()

    response = as_carol.post(f"/projects/{project.public_id}/phases", body)

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert rows() == before


@pytest.mark.parametrize(("who", "status"), NOT_MANAGERS)
def test_only_the_projects_managers_plan_phases(request, api_as, project, who, status):
    client = api_as(request.getfixturevalue(who))
    before = rows()

    response = client.post(f"/projects/{project.public_id}/phases", SPRING)

    assert response.status_code == status, response.content
    assert rows() == before


def test_the_surgerys_own_staff_plan_the_surgerys_project(api_as, riverside, carol, dr_patel):
    surgery = Organisation.objects.get(slug="riverside-surgery")
    waiting_room = project_create(
        acting=carol, timebank=riverside, organisation=surgery, title="Waiting room", question="?"
    )

    response = api_as(dr_patel).post(f"/projects/{waiting_room.public_id}/phases", SPRING)

    assert response.status_code == 201, response.content
    assert Phase.objects.get().project == waiting_room


def test_carol_adds_bob_by_username_and_dr_patel_by_public_id(
    api_as, carol, bob, dr_patel, project
):
    as_carol = api_as(carol)
    path = f"/projects/{project.public_id}/participants"

    by_name = as_carol.post(path, {"person": " Bob "})
    by_id = as_carol.post(path, {"person": str(dr_patel.public_id), "role": "facilitator"})

    assert by_name.status_code == 201, by_name.content
    assert by_name.json() == {
        "person": {"public_id": str(bob.public_id), "username": "bob", "display_name": "Bob Brown"},
        "role": "member",
    }
    assert by_id.status_code == 201, by_id.content
    assert by_id.json()["role"] == "facilitator"
    people = as_carol.get(f"/projects/{project.public_id}").json()["participants"]
    assert [p["person"]["username"] for p in people] == ["carol", "alice", "bob", "dr_patel"]


def test_adding_someone_already_taking_part_is_a_conflict(api_as, carol, project):
    as_carol = api_as(carol)
    before = rows()

    response = as_carol.post(f"/projects/{project.public_id}/participants", {"person": "alice"})

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "already"
    assert rows() == before


@pytest.mark.parametrize(
    ("person", "status", "code"),
    [
        ("harry", 400, "unknown_member"),
        ("nobody", 400, "unknown_member"),
        ("bob", 400, "not_member"),
        ("", 422, "invalid_request"),
        ("bob\x00", 422, "invalid_request"),
    ],
    ids=["another-time-bank", "no-such-username", "paused", "blank", "control-character"],
)
def test_only_an_active_member_of_the_time_bank_can_be_added(
    api_as, carol, bob, harry, project, person, status, code
):
    Membership.objects.filter(person=bob).update(status="paused")
    as_carol = api_as(carol)
    before = rows()

    response = as_carol.post(f"/projects/{project.public_id}/participants", {"person": person})

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert rows() == before


def test_a_role_the_project_does_not_have_is_refused(api_as, carol, project):
    as_carol = api_as(carol)
    before = rows()

    response = as_carol.post(
        f"/projects/{project.public_id}/participants", {"person": "bob", "role": "chair"}
    )

    assert response.status_code == 422, response.content
    assert rows() == before


@pytest.mark.parametrize(("who", "status"), NOT_MANAGERS)
def test_only_the_projects_managers_add_people_and_others_learn_nothing_of_who_is_a_member(
    request, api_as, project, who, status
):
    client = api_as(request.getfixturevalue(who))
    before = rows()

    real = client.post(f"/projects/{project.public_id}/participants", {"person": "bob"})
    made_up = client.post(f"/projects/{project.public_id}/participants", {"person": "nobody"})

    assert (real.status_code, made_up.status_code) == (status, status)
    assert real.json() == made_up.json()
    assert rows() == before
    assert not ProjectParticipant.objects.filter(person__username="bob").exists()


def test_every_step_needs_a_token_that_may_write(api_as, riverside, carol, alice, project):
    as_reader = api_as(carol, write=False)
    meeting = past_meeting(project, carol)
    accepted = proposal_of(project, alice, moves=("under_consideration", "accepted"))
    milestone = progress_add(
        acting=carol,
        proposal=accepted,
        text="Order benches",
        is_milestone=True,
        milestone_on=timezone.localdate(),
    )
    steps = [
        ("post", f"/projects/{project.public_id}/phases", SPRING),
        ("post", f"/projects/{project.public_id}/participants", {"person": "bob"}),
        ("put", f"/meetings/{meeting.public_id}/minutes", {"text": "We met."}),
        ("post", f"/proposals/{accepted.public_id}/progress", {"text": "Benches ordered"}),
        ("post", f"/progress/{milestone.public_id}/done", None),
        ("post", f"/proposals/{accepted.public_id}/dissent", {"text": "Too many benches."}),
        (
            "post",
            f"/proposals/{proposal_of(project, alice).public_id}/status",
            {"status": "under_consideration"},
        ),
    ]
    before = rows()

    answers = [as_reader.call(method, path, body).status_code for method, path, body in steps]

    assert answers == [403] * len(steps)
    assert rows() == before
    meeting.refresh_from_db()
    assert meeting.minutes_text == ""
