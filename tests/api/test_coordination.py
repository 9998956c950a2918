"""Carol coordinates Riverside through the API: the dashboard's figures, applications welcomed
or declined, the members list, hours granted from the chest and the insights report as JSON.
Alice, a member, and harry, hillside's coordinator, get none of it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coproduce.community.models import Membership
from coproduce.core.models import AuditEvent
from coproduce.ledger.models import Transfer
from tests.api.conftest import earn
from tests.conftest import _join, _person

pytestmark = pytest.mark.django_db

COORDINATOR_READS = [
    "/coordinator/dashboard",
    "/coordinator/applications",
    "/coordinator/members",
    "/reports/coordinator",
    "/reports/funder",
]


@pytest.fixture
def dora(riverside):
    """Dora has applied to join Riverside."""
    return _join(riverside, _person("dora", "Dora", "Evans"), status="applied")


def test_carol_sees_the_dashboards_figures(api_as, carol, dora):
    sections = api_as(carol).get("/coordinator/dashboard").json()["sections"]

    by_key = {s["key"]: s["total"] for s in sections}
    assert by_key["applications"] == 1


@pytest.mark.parametrize("path", COORDINATOR_READS)
@pytest.mark.parametrize("who", ["alice", "harry"])
def test_a_member_and_another_banks_coordinator_get_nothing(api_as, request, dora, path, who):
    response = api_as(request.getfixturevalue(who)).get(path)

    if who == "harry":
        # Harry coordinates hillside: his token speaks for hillside, where no one of
        # riverside is seen.
        assert response.status_code == 200
        assert "dora" not in str(response.json())
        assert "riverside" not in str(response.json()).lower()
    else:
        assert response.status_code == 404


def test_carol_welcomes_dora(api_as, carol, dora):
    as_carol = api_as(carol)
    waiting = as_carol.get("/coordinator/applications").json()["items"]

    response = as_carol.post(
        f"/coordinator/applications/{dora.public_id}/induct",
        {"inducted_on": timezone.localdate().isoformat()},
    )

    assert [m["person"]["username"] for m in waiting] == ["dora"]
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    assert Membership.objects.get(person=dora).status == "active"


def test_carol_declines_dora_with_a_reason(api_as, carol, dora):
    response = api_as(carol).post(
        f"/coordinator/applications/{dora.public_id}/decline", {"reason": "Outside our area"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "left"  # as the web records a declined application
    assert Membership.objects.get(person=dora).status == "left"


def test_alice_cannot_welcome_anyone(api_as, alice, dora):
    response = api_as(alice).post(
        f"/coordinator/applications/{dora.public_id}/induct",
        {"inducted_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 404
    assert Membership.objects.get(person=dora).status == "applied"


def test_carol_lists_members_with_their_balances_by_cursor(api_as, riverside, carol, alice, bob):
    earn(riverside, earner=alice, payer=bob, minutes=90)
    as_carol = api_as(carol)

    first = as_carol.get("/coordinator/members", limit=2).json()
    rest = as_carol.get("/coordinator/members", limit=2, cursor=first["next_cursor"]).json()

    people = [m["person"]["username"] for m in first["items"] + rest["items"]]
    assert people == sorted(people)
    assert people == ["alice", "bob", "carol"]
    assert rest["next_cursor"] is None
    balances = {m["person"]["username"]: m["balance"] for m in first["items"] + rest["items"]}
    assert balances["alice"]["minutes"] == 90


def test_carol_grants_hours_from_the_chest_once(api_as, riverside, carol, alice, bob):
    earn(riverside, earner=alice, payer=bob, minutes=600)
    api_as(alice).post("/gifts", {"to": "chest", "minutes": 120}, key="gift-1")
    as_carol = api_as(carol)
    before = Transfer.objects.count()

    first = as_carol.post(
        "/coordinator/grants", {"member": "bob", "minutes": 60, "reason": "Welcome"}, key="g-1"
    )
    again = as_carol.post(
        "/coordinator/grants", {"member": "bob", "minutes": 60, "reason": "Welcome"}, key="g-1"
    )

    assert first.status_code == 201, first.content
    assert again.json() == first.json()
    assert Transfer.objects.count() == before + 1


def test_alice_cannot_grant(api_as, alice, bob):
    before = Transfer.objects.count()

    response = api_as(alice).post(
        "/coordinator/grants", {"member": "bob", "minutes": 60, "reason": "x"}, key="g-2"
    )

    assert response.status_code == 404
    assert Transfer.objects.count() == before


def test_carol_reads_the_report_as_json_and_the_named_one_is_recorded(api_as, carol, alice):
    as_carol = api_as(carol)

    coordinator = as_carol.get("/reports/coordinator")
    funder = as_carol.get("/reports/funder")

    assert coordinator.status_code == 200, coordinator.content
    assert coordinator.json()["timebank"] == "riverside"
    assert funder.status_code == 200
    assert AuditEvent.objects.filter(action="insights.export").count() == 1


def test_a_report_period_the_page_refuses_is_a_400(api_as, carol):
    response = api_as(carol).get("/reports/funder", date_from="2026-05-01", date_to="2026-01-01")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_report"
