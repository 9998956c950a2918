"""Partner organisations through the API: every member sees the list and each one; its admin
(olive, here) and the coordinators manage its staff (invite, who may refer, take off);
members, its professionals and other time banks' coordinators cannot."""

from __future__ import annotations

import pytest

from coproduce.community.models import Invitation, Organisation, OrganisationStaff
from tests.conftest import _join, _person

pytestmark = pytest.mark.django_db


@pytest.fixture
def surgery(dr_patel):
    return Organisation.objects.get(slug="riverside-surgery")


@pytest.fixture
def olive(riverside, surgery):
    person = _join(riverside, _person("olive", "Olive", "Owen"), role="professional")
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=surgery, person=person, role="admin"
    )
    return person


def _staff(surgery) -> list[tuple[str, str, bool]]:
    return sorted(
        OrganisationStaff.objects.filter(organisation=surgery).values_list(
            "person__username", "role", "may_refer"
        )
    )


def test_alice_sees_the_organisations_and_one_of_them(api_as, alice, surgery):
    as_alice = api_as(alice)

    listed = as_alice.get("/organisations").json()["items"]
    one = as_alice.get(f"/organisations/{surgery.public_id}").json()

    assert [o["name"] for o in listed] == ["Riverside Surgery"]
    assert one["name"] == "Riverside Surgery"
    assert one["may_manage"] is False


def test_olive_lists_her_staff_and_says_dr_patel_may_not_refer(api_as, olive, dr_patel, surgery):
    as_olive = api_as(olive)
    path = f"/organisations/{surgery.public_id}/staff"

    listed = as_olive.get(path).json()["items"]
    response = as_olive.call("put", f"{path}/{dr_patel.public_id}/may-refer", {"may_refer": False})

    assert [(s["person"]["username"], s["role"]) for s in listed] == [
        ("olive", "admin"),
        ("dr_patel", "professional"),
    ]
    assert response.status_code == 200, response.content
    assert ("dr_patel", "professional", False) in _staff(surgery)


def test_olive_invites_staff_but_not_an_admin(api_as, olive, surgery):
    path = f"/organisations/{surgery.public_id}/invitations"

    staff = api_as(olive).post(path, {"role": "organisation_staff", "name": "Nurse Nia"})
    admin = api_as(olive).post(path, {"role": "organisation_admin", "name": "Boss"})

    assert staff.status_code == 201, staff.content
    assert staff.json()["url"].startswith("http")
    assert admin.status_code == 403
    assert list(Invitation.objects.values_list("name", flat=True)) == ["Nurse Nia"]


def test_carol_takes_dr_patel_off_the_staff(api_as, carol, dr_patel, surgery):
    response = api_as(carol).call(
        "delete", f"/organisations/{surgery.public_id}/staff/{dr_patel.public_id}"
    )

    assert response.status_code == 204
    assert not OrganisationStaff.objects.filter(person=dr_patel).exists()


@pytest.mark.parametrize("who", ["alice", "dr_patel", "harry"])
def test_only_its_admins_and_coordinators_manage_its_staff(request, api_as, who, olive, surgery):
    person = request.getfixturevalue(who)
    base = f"/organisations/{surgery.public_id}"
    before = _staff(surgery)
    as_them = api_as(person)

    answers = [
        as_them.get(f"{base}/staff").status_code,
        as_them.post(f"{base}/invitations", {"name": "Someone"}).status_code,
        as_them.call("delete", f"{base}/staff/{olive.public_id}").status_code,
        as_them.call(
            "put", f"{base}/staff/{olive.public_id}/may-refer", {"may_refer": False}
        ).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    assert _staff(surgery) == before
    assert not Invitation.objects.exists()


def test_harry_does_not_see_riversides_organisations(api_as, harry, surgery):
    assert api_as(harry).get("/organisations").json()["items"] == []
    assert api_as(harry).get(f"/organisations/{surgery.public_id}").status_code == 404
