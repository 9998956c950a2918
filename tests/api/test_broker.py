"""A coordinator brokers help through the API: the broker queue (open requests nobody is arranged
for, the longest waiting first, each with the best person to ask, paged by cursor) and the time
bank's matching settings (changed only through the page's own checks, and recorded). Members,
professionals and other time banks' coordinators are told there is no such thing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.community.models import TimeBank
from coproduce.core.categories import Category
from coproduce.core.models import AuditEvent
from coproduce.matching.models import MatchingSettings
from coproduce.matching.selectors import settings_for
from tests.matching.conftest import ask, offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(riverside, alice, bob):
    """Bob gardens; alice has asked three times, the first ten days ago."""
    offer(bob, riverside, "Gardening and weeding")
    return [
        ask(alice, riverside, f"Weeding job {n}", days_ago=10 - n, description="Beds to weed")
        for n in range(3)
    ]


def test_carol_reads_the_queue_longest_waiting_first_with_bob_to_ask(api_as, carol, bob, waiting):
    as_carol = api_as(carol)

    first = as_carol.get("/matching/queue", limit=2).json()
    rest = as_carol.get("/matching/queue", limit=2, cursor=first["next_cursor"]).json()

    items = first["items"] + rest["items"]
    assert [i["request"]["public_id"] for i in items] == [str(r.public_id) for r in waiting]
    assert [i["waiting_days"] for i in items] == [10, 9, 8]
    assert rest["next_cursor"] is None
    best = items[0]["best"]
    assert best["who"] == {"kind": "person", "public_id": str(bob.public_id), "name": "Bob Brown"}
    assert best["already_invited"] is False
    assert best["scores"] and best["reasons"]


def test_a_request_with_an_exchange_arranged_leaves_the_queue(api_as, carol, bob, waiting):
    as_carol = api_as(carol)
    request = waiting[0]
    invited = as_carol.post(f"/matching/requests/{request.public_id}/invite/{bob.public_id}")
    assert invited.status_code == 200

    items = as_carol.get("/matching/queue").json()["items"]

    assert str(request.public_id) not in [i["request"]["public_id"] for i in items]


def test_the_queue_costs_the_same_for_a_page_of_2_and_of_50(
    api_as, carol, alice, riverside, waiting
):
    # The first page holds a request nobody offers to help with (a lift) and one bob fits.
    for n in range(6):
        ask(alice, riverside, f"A lift {n}", category=Category.TRANSPORT, days_ago=11 - 2 * n)
    api = api_as(carol)
    api.get("/matching/queue", limit=50)  # the index catches up; the token's last use
    counts = []
    for limit in (2, 50):
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/matching/queue", limit=limit).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts


def test_carol_reads_and_changes_the_weights_and_the_change_is_recorded(api_as, carol, riverside):
    as_carol = api_as(carol)
    before = as_carol.get("/matching/settings").json()

    response = as_carol.call(
        "patch",
        "/matching/settings",
        {"weight_place": 9, "checks_needed": {"care": "enhanced"}},
    )

    assert response.status_code == 200, response.content
    assert response.json() == {**before, "weight_place": 9, "checks_needed": {"care": "enhanced"}}
    assert settings_for(riverside).weight_place == 9
    assert TimeBank.objects.get(pk=riverside.pk).checks_needed == {"care": "enhanced"}
    event = AuditEvent.objects.get(action="matching.settings_changed", actor=carol)
    assert event.data["new"]["weight_place"] == 9


def test_fields_left_out_stay_as_they_are(api_as, carol, riverside):
    as_carol = api_as(carol)
    as_carol.call("patch", "/matching/settings", {"checks_needed": {"care": "enhanced"}})

    response = as_carol.call("patch", "/matching/settings", {"requester_sees_candidates": False})

    assert response.json()["checks_needed"] == {"care": "enhanced"}
    assert response.json()["weight_skill"] == 5
    assert settings_for(riverside).requester_sees_candidates is False


def test_the_time_banks_own_kinds_of_help_keep_their_checks(api_as, carol, riverside):
    TimeBank.objects.filter(pk=riverside.pk).update(checks_needed={"own:choir": "id_seen"})

    api_as(carol).call("patch", "/matching/settings", {"checks_needed": {}})

    assert TimeBank.objects.get(pk=riverside.pk).checks_needed == {"own:choir": "id_seen"}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"weight_skill": 11}, 400, "bad_weight"),
        ({"weight_skill": -1}, 400, "bad_weight"),
        (
            {
                "weight_skill": 0,
                "weight_place": 0,
                "weight_time": 0,
                "weight_fairness": 0,
                "weight_new_ties": 0,
            },
            400,
            "all_zero",
        ),
        ({"weight_skill": True}, 422, "invalid_request"),
        ({"weight_skill": "3"}, 422, "invalid_request"),
        ({"checks_needed": {"care": "palm_reading"}}, 422, "invalid_request"),
        ({"checks_needed": {"magic": "enhanced"}}, 422, "invalid_request"),
    ],
)
def test_a_wrong_value_is_refused_with_the_pages_rule_and_nothing_changes(
    api_as, carol, riverside, body, status, code
):
    settings_for(riverside)
    before = list(MatchingSettings.objects.values())
    checks = TimeBank.objects.get(pk=riverside.pk).checks_needed

    response = api_as(carol).call("patch", "/matching/settings", body)

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert list(MatchingSettings.objects.values()) == before
    assert TimeBank.objects.get(pk=riverside.pk).checks_needed == checks


def test_a_read_only_token_cannot_change_the_settings(api_as, carol, riverside):
    response = api_as(carol, write=False).call("patch", "/matching/settings", {"weight_time": 9})

    assert response.status_code == 403
    assert settings_for(riverside).weight_time == 2


@pytest.mark.parametrize("who", ["alice", "bob", "dr_patel", "harry"])
def test_no_one_else_sees_the_queue_or_changes_the_settings(
    request, api_as, riverside, waiting, who
):
    api = api_as(request.getfixturevalue(who))
    settings_for(riverside)
    before = list(MatchingSettings.objects.filter(timebank=riverside).values())

    queue = api.get("/matching/queue")
    read = api.get("/matching/settings")
    changed = api.call("patch", "/matching/settings", {"weight_place": 10})

    if who == "harry":  # his own time bank's, never riverside's
        assert queue.status_code == 200 and queue.json()["items"] == []
        assert read.status_code == changed.status_code == 200
    else:
        assert queue.status_code == read.status_code == changed.status_code == 404
    assert list(MatchingSettings.objects.filter(timebank=riverside).values()) == before
