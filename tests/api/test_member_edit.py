"""A coordinator changes one member and reads their statement through the API, as on
/members/<id>/edit/ and /account/members/<id>/; members and other time banks' coordinators
are told there is no such member."""

from __future__ import annotations

import pytest

from coproduce.community.models import Membership
from coproduce.ledger.models import Account
from tests.api.conftest import earn

pytestmark = pytest.mark.django_db


def _state(person, timebank):
    membership = Membership.objects.get(person=person, timebank=timebank)
    limits = list(Account.objects.filter(person=person).values_list("min_balance", "max_balance"))
    return membership.role, membership.status, limits


def test_carol_pauses_bob_and_lowers_his_floor_with_a_reason(api_as, carol, bob, riverside):
    response = api_as(carol).call(
        "patch",
        f"/coordinator/members/{bob.public_id}",
        {"status": "paused", "min_balance": -900, "reason": "Agreed at his induction"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paused"
    assert response.json()["min_balance"] == -900
    assert Membership.objects.get(person=bob, timebank=riverside).status == "paused"


def test_changing_the_limits_without_a_reason_changes_nothing(api_as, carol, bob, riverside):
    before = _state(bob, riverside)

    response = api_as(carol).call(
        "patch", f"/coordinator/members/{bob.public_id}", {"status": "paused", "min_balance": -900}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    assert _state(bob, riverside) == before


def test_a_member_cannot_be_sent_back_to_applied(api_as, carol, bob, riverside):
    before = _state(bob, riverside)

    response = api_as(carol).call(
        "patch", f"/coordinator/members/{bob.public_id}", {"status": "applied"}
    )

    assert response.status_code == 400
    assert _state(bob, riverside) == before


@pytest.mark.parametrize("who", ["alice", "dr_patel", "harry"])
def test_only_the_banks_coordinator_edits_a_member_or_reads_their_statement(
    request, api_as, who, bob, riverside
):
    person = request.getfixturevalue(who)
    before = _state(bob, riverside)
    as_them = api_as(person)

    answers = [
        as_them.get(f"/coordinator/members/{bob.public_id}").status_code,
        as_them.call(
            "patch", f"/coordinator/members/{bob.public_id}", {"status": "left"}
        ).status_code,
        as_them.get(f"/coordinator/members/{bob.public_id}/statement").status_code,
    ]

    assert answers == [404, 404, 404]
    assert _state(bob, riverside) == before


def test_carol_pages_through_bobs_statement(api_as, carol, alice, bob, riverside):
    for minutes in (30, 60, 90):
        earn(riverside, earner=bob, payer=alice, minutes=minutes)

    first = api_as(carol).get(f"/coordinator/members/{bob.public_id}/statement", limit=2).json()
    rest = (
        api_as(carol)
        .get(
            f"/coordinator/members/{bob.public_id}/statement", limit=2, cursor=first["next_cursor"]
        )
        .json()
    )

    assert len(first["items"]) == 2
    assert rest["next_cursor"] is None
    assert first["balance"]["minutes"] == 180
