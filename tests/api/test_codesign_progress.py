"""Progress on an accepted proposal and its milestones, through the API as on the proposal's
page: carol reports what has happened, sets a dated milestone and later marks it done; the
proposal and the project ("you said, we did") show them. Progress before a proposal is
accepted, a milestone without a date, marking an update that is no milestone or one already
done, or anyone but the project's managers: refused, with nothing written."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.codesign.models import ProgressUpdate
from coproduce.codesign.services import dissent_record, progress_add
from tests.api.codesign_story import NOT_MANAGERS, park_project, proposal_of, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(riverside, carol, alice):
    return park_project(riverside, carol, alice)


@pytest.fixture
def accepted(project, alice):
    return proposal_of(project, alice, moves=("under_consideration", "accepted"))


@pytest.fixture
def milestone(carol, accepted):
    return progress_add(
        acting=carol,
        proposal=accepted,
        text="Benches installed",
        is_milestone=True,
        milestone_on=timezone.localdate(),
    )


def test_carol_reports_progress_sets_a_milestone_and_marks_it_done(api_as, carol, accepted):
    as_carol = api_as(carol)
    path = f"/proposals/{accepted.public_id}/progress"

    update = as_carol.post(path, {"text": "Benches ordered", "milestone_on": "2026-05-01"})
    milestone = as_carol.post(
        path, {"text": "Benches installed", "is_milestone": True, "milestone_on": "2026-05-01"}
    )
    done = as_carol.post(f"/progress/{milestone.json()['public_id']}/done")

    assert update.status_code == 201, update.content
    assert update.json()["is_milestone"] is False
    assert update.json()["milestone_on"] is None  # a date matters to a milestone only
    assert milestone.status_code == 201, milestone.content
    assert milestone.json()["done_at"] is None
    assert done.status_code == 200, done.content
    assert done.json()["done_at"] is not None
    read = as_carol.get(f"/proposals/{accepted.public_id}").json()
    assert [(p["text"], p["done_at"] is not None) for p in read["progress"]] == [
        ("Benches ordered", False),
        ("Benches installed", True),
    ]
    said_we_did = as_carol.get(f"/projects/{accepted.project.public_id}").json()["proposals"]
    assert [p["text"] for p in said_we_did[0]["progress"]] == [
        "Benches ordered",
        "Benches installed",
    ]


def test_progress_on_a_proposal_not_accepted_is_refused(api_as, carol, project, alice):
    considered = proposal_of(project, alice, moves=("under_consideration",))
    as_carol = api_as(carol)
    before = rows()

    response = as_carol.post(f"/proposals/{considered.public_id}/progress", {"text": "Soon"})

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "not_accepted"
    assert rows() == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": "Installed", "is_milestone": True}, 400, "milestone_date"),
        ({"text": "  "}, 400, "required"),
        ({"text": "Installed", "is_milestone": "perhaps"}, 422, "invalid_request"),
        (
            {"text": "Installed", "is_milestone": True, "milestone_on": "May"},
            422,
            "invalid_request",
        ),
        ({"text": "x" * 3001}, 422, "invalid_request"),
    ],
    ids=["milestone-without-a-date", "blank", "not-a-yes-or-no", "not-a-date", "too-long"],
)
def test_progress_carol_gets_wrong_is_refused(api_as, carol, accepted, body, status, code):
    as_carol = api_as(carol)
    before = rows()

    response = as_carol.post(f"/proposals/{accepted.public_id}/progress", body)

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert rows() == before


def test_a_milestone_is_marked_done_once(api_as, carol, milestone):
    as_carol = api_as(carol)
    as_carol.post(f"/progress/{milestone.public_id}/done")
    milestone.refresh_from_db()
    before = rows(), milestone.done_at

    again = as_carol.post(f"/progress/{milestone.public_id}/done")

    assert again.status_code == 409, again.content
    assert again.json()["code"] == "already_done"
    milestone.refresh_from_db()
    assert (rows(), milestone.done_at) == before


def test_only_a_milestone_can_be_marked_done(api_as, carol, accepted):
    update = progress_add(acting=carol, proposal=accepted, text="Benches ordered")
    as_carol = api_as(carol)
    before = rows()

    response = as_carol.post(f"/progress/{update.public_id}/done")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "not_milestone"
    assert rows() == before
    update.refresh_from_db()
    assert update.done_at is None


@pytest.mark.parametrize(("who", "status"), NOT_MANAGERS)
def test_only_the_projects_managers_report_progress_or_mark_milestones(
    request, api_as, accepted, milestone, who, status
):
    client = api_as(request.getfixturevalue(who))
    before = rows()

    reported = client.post(f"/proposals/{accepted.public_id}/progress", {"text": "Done it"})
    marked = client.post(f"/progress/{milestone.public_id}/done")

    assert (reported.status_code, marked.status_code) == (status, status)
    assert rows() == before
    assert not ProgressUpdate.objects.filter(done_at__isnull=False).exists()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_reads_ask_the_same_number_of_queries_however_much_progress_there_is(
    api_as, carol, alice, project, accepted, milestone
):
    as_carol = api_as(carol)
    project_path, proposal_path = (
        f"/projects/{project.public_id}",
        f"/proposals/{accepted.public_id}",
    )
    as_carol.get(project_path)  # a token records when it was used, at most once a minute
    first = _queries(as_carol, project_path), _queries(as_carol, proposal_path)
    for n in range(3):
        more = proposal_of(project, alice, moves=("under_consideration", "accepted"))
        progress_add(acting=carol, proposal=more, text=f"Step {n}")
        progress_add(acting=carol, proposal=accepted, text=f"Step {n}")
        dissent_record(acting=alice, proposal=more, text="Not enough.")

    assert (_queries(as_carol, project_path), _queries(as_carol, proposal_path)) == first
