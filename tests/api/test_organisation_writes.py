"""Partner organisations changed through the API as on their pages: carol (a coordinator)
welcomes a new one and puts existing members on its staff; olive (the surgery's admin) and carol
keep its description and its staff invitations (list, send again, withdraw). Alice and bob
(members), dr_patel (a professional of the surgery, not of the council), harry (hillside's
coordinator) and olive outside her own organisation are told there is no such thing, and nothing
changes."""

from __future__ import annotations

import pytest

from coproduce.api.models import IdempotencyRecord
from coproduce.community.invitations import invitation_create
from coproduce.community.models import Invitation, Organisation, OrganisationStaff
from coproduce.core.models import AuditEvent
from coproduce.ledger.models import Account
from tests.conftest import _join, _person

pytestmark = pytest.mark.django_db

OUTSIDERS = ["alice", "bob", "dr_patel", "harry"]


@pytest.fixture
def surgery(dr_patel):
    return Organisation.objects.get(slug="riverside-surgery")


@pytest.fixture
def council(riverside, carol):
    from coproduce.partners.services.organisations import organisation_create

    return organisation_create(
        timebank=riverside, acting=carol, name="Riverside Council", kind="council"
    )


@pytest.fixture
def olive(riverside, surgery):
    person = _join(riverside, _person("olive", "Olive", "Owen"), role="professional")
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=surgery, person=person, role="admin"
    )
    return person


@pytest.fixture
def nia_invited(riverside, surgery, olive) -> Invitation:
    invitation, _token = invitation_create(
        timebank=riverside,
        kind="organisation_staff",
        acting=olive,
        name="Nurse Nia",
        organisation=surgery,
    )
    return invitation


def _organisations(timebank) -> list[tuple[str, str, str]]:
    return sorted(
        Organisation.objects.filter(timebank=timebank).values_list("name", "kind", "description")
    )


def _staff(organisation) -> list[tuple[str, str, bool]]:
    return sorted(
        OrganisationStaff.objects.filter(organisation=organisation).values_list(
            "person__username", "role", "may_refer"
        )
    )


def _invitations() -> list[tuple]:
    return sorted(Invitation.objects.values_list("name", "token_hash", "expires_at", "revoked_at"))


# --- a new organisation ---------------------------------------------------------------------


def test_carol_welcomes_a_new_partner_and_its_hour_account_opens(api_as, carol, riverside):
    response = api_as(carol).post(
        "/organisations",
        {"name": "Riverside Library", "kind": "other", "description": "Books and a warm room."},
    )

    assert response.status_code == 201, response.content
    made = response.json()
    assert made["name"] == "Riverside Library"
    assert made["description"] == "Books and a warm room."
    assert made["may_manage"] is True
    assert made["hours_given"]["minutes"] == 0
    library = Organisation.objects.get(public_id=made["public_id"])
    assert Account.objects.filter(organisation=library).exists()
    assert AuditEvent.objects.filter(
        action="organisation.created", actor=carol, target=f"organisation:{library.public_id}"
    ).exists()


def test_a_second_partner_of_the_same_name_is_refused_and_nothing_is_added(
    api_as, carol, riverside, surgery
):
    before = _organisations(riverside)

    response = api_as(carol).post("/organisations", {"name": "riverside surgery", "kind": "other"})

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert _organisations(riverside) == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "   ", "kind": "charity"}, 400),
        ({"name": "Food bank", "kind": "pirate_ship"}, 422),
        ({"kind": "charity"}, 422),
        ({"name": "Food\x00bank", "kind": "charity"}, 422),
        ({"name": "F" * 161, "kind": "charity"}, 422),
    ],
)
def test_a_new_organisation_with_bad_details_is_refused_and_nothing_is_added(
    api_as, carol, riverside, body, status
):
    before = (_organisations(riverside), Account.objects.count())

    response = api_as(carol).post("/organisations", body)

    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert (_organisations(riverside), Account.objects.count()) == before


@pytest.mark.parametrize("who", [*OUTSIDERS, "olive"])
def test_only_a_coordinator_welcomes_an_organisation_into_their_own_bank(
    request, api_as, who, riverside, hillside, surgery, olive
):
    as_them = api_as(request.getfixturevalue(who))
    before = (_organisations(riverside), AuditEvent.objects.count())

    response = as_them.post("/organisations", {"name": "Food bank", "kind": "charity"})

    assert _organisations(riverside) == before[0]
    if who == "harry":  # hillside's coordinator: into hillside, never riverside
        assert response.status_code == 201
        assert [o[0] for o in _organisations(hillside)] == ["Food bank"]
    else:
        assert response.status_code == 404
        assert AuditEvent.objects.count() == before[1]


def test_a_read_only_token_welcomes_nobody(api_as, carol, riverside):
    before = _organisations(riverside)

    response = api_as(carol, write=False).post(
        "/organisations", {"name": "Food bank", "kind": "charity"}
    )

    assert response.status_code == 403
    assert _organisations(riverside) == before


# --- its description ------------------------------------------------------------------------


def test_olive_rewrites_her_organisations_description_and_the_change_is_recorded(
    api_as, olive, surgery
):
    response = api_as(olive).call(
        "patch", f"/organisations/{surgery.public_id}", {"description": "Open 8 till 6."}
    )

    assert response.status_code == 200, response.content
    assert response.json()["description"] == "Open 8 till 6."
    surgery.refresh_from_db()
    assert surgery.description == "Open 8 till 6."
    event = AuditEvent.objects.get(action="organisation.updated", actor=olive)
    assert event.data["new"] == {"description": "Open 8 till 6."}


def test_carol_rewrites_any_partners_description(api_as, carol, council):
    response = api_as(carol).call(
        "patch", f"/organisations/{council.public_id}", {"description": "Bins and benches."}
    )

    assert response.status_code == 200
    council.refresh_from_db()
    assert council.description == "Bins and benches."


@pytest.mark.parametrize(
    ("who", "whose"),
    [*((who, "surgery") for who in OUTSIDERS), ("olive", "council")],
)
def test_nobody_else_changes_a_description(request, api_as, who, whose, olive, council):
    person = request.getfixturevalue(who)
    organisation = request.getfixturevalue(whose)
    before = _organisations(organisation.timebank)

    response = api_as(person).call(
        "patch", f"/organisations/{organisation.public_id}", {"description": "Taken over"}
    )

    assert response.status_code == 404
    assert _organisations(organisation.timebank) == before


def test_a_description_without_one_is_refused_and_nothing_changes(api_as, olive, surgery):
    before = _organisations(surgery.timebank)

    response = api_as(olive).call("patch", f"/organisations/{surgery.public_id}", {})

    assert response.status_code == 422
    assert _organisations(surgery.timebank) == before


# --- existing members onto its staff ----------------------------------------------------------


def test_carol_puts_bob_on_the_surgerys_staff(api_as, carol, bob, surgery):
    response = api_as(carol).post(
        f"/organisations/{surgery.public_id}/staff",
        {"member": "bob", "role": "professional", "may_refer": False},
    )

    assert response.status_code == 200, response.content
    assert response.json()["person"]["username"] == "bob"
    assert ("bob", "professional", False) in _staff(surgery)
    assert AuditEvent.objects.filter(action="organisation.staff_set", actor=carol).exists()


def test_carol_makes_dr_patel_the_surgerys_admin_by_his_public_id(api_as, carol, dr_patel, surgery):
    response = api_as(carol).post(
        f"/organisations/{surgery.public_id}/staff",
        {"member": str(dr_patel.public_id), "role": "admin"},
    )

    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert [s[:2] for s in _staff(surgery)] == [("dr_patel", "admin")]


@pytest.mark.parametrize(
    ("member", "code"),
    [("nobody", "unknown_member"), ("harry", "unknown_member"), ("ann", "not_member")],
)
def test_someone_who_is_not_an_active_member_here_is_refused(
    api_as, carol, harry, riverside, surgery, member, code
):
    _join(riverside, _person("ann", "Ann", "Applied"), status="applied")
    before = _staff(surgery)

    response = api_as(carol).post(
        f"/organisations/{surgery.public_id}/staff", {"member": member, "role": "professional"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert _staff(surgery) == before


@pytest.mark.parametrize("who", [*OUTSIDERS, "olive"])
def test_only_a_coordinator_adds_existing_members_to_its_staff(
    request, api_as, who, bob, olive, surgery
):
    person = request.getfixturevalue(who)
    before = _staff(surgery)

    response = api_as(person).post(
        f"/organisations/{surgery.public_id}/staff", {"member": "bob", "role": "admin"}
    )

    assert response.status_code == 404
    assert _staff(surgery) == before


# --- its staff invitations --------------------------------------------------------------------


def test_olive_sends_an_invitation_again_and_only_the_new_link_works(
    api_as, olive, surgery, nia_invited
):
    base = f"/organisations/{surgery.public_id}/invitations"
    as_olive = api_as(olive)

    listed = as_olive.get(base).json()["items"]
    response = as_olive.post(f"{base}/{nia_invited.public_id}/resend")

    assert [i["name"] for i in listed] == ["Nurse Nia"]
    assert "url" not in listed[0]
    assert response.status_code == 200, response.content
    assert response.json()["url"].startswith("http")
    fresh = Invitation.objects.get(pk=nia_invited.pk)
    assert fresh.token_hash != nia_invited.token_hash
    assert AuditEvent.objects.filter(action="invitation.resent", actor=olive).exists()


def test_a_staff_invitation_link_is_never_kept_even_when_olive_sends_a_retry_key(
    api_as, olive, surgery, nia_invited
):
    base = f"/organisations/{surgery.public_id}/invitations"

    response = api_as(olive).post(f"{base}/{nia_invited.public_id}/resend", key="again-1")

    assert response.status_code == 200, response.content
    link = response.json()["url"]
    kept = IdempotencyRecord.objects.values_list("response_body", flat=True)
    assert not any(link in body for body in kept)


def test_carol_withdraws_the_surgerys_invitation_and_it_leaves_the_list(
    api_as, carol, surgery, nia_invited
):
    base = f"/organisations/{surgery.public_id}/invitations"
    as_carol = api_as(carol)

    response = as_carol.post(f"{base}/{nia_invited.public_id}/revoke")

    assert response.status_code == 200, response.content
    assert Invitation.objects.get(pk=nia_invited.pk).revoked_by == carol
    assert as_carol.get(base).json()["items"] == []


def test_a_withdrawn_invitation_is_not_sent_again(api_as, olive, surgery, nia_invited):
    base = f"/organisations/{surgery.public_id}/invitations/{nia_invited.public_id}"
    api_as(olive).post(f"{base}/revoke")
    before = _invitations()

    again = api_as(olive).post(f"{base}/resend")
    twice = api_as(olive).post(f"{base}/revoke")

    assert (again.status_code, again.json()["code"]) == (409, "revoked")
    assert twice.status_code == 409
    assert _invitations() == before


def test_olive_neither_sees_nor_touches_an_invitation_to_be_its_admin(
    api_as, carol, olive, riverside, surgery, nia_invited
):
    admin, _token = invitation_create(
        timebank=riverside,
        kind="organisation_admin",
        acting=carol,
        name="New boss",
        organisation=surgery,
    )
    base = f"/organisations/{surgery.public_id}/invitations"
    before = _invitations()

    listed = api_as(olive).get(base).json()["items"]
    answers = [
        api_as(olive).post(f"{base}/{admin.public_id}/{step}") for step in ("resend", "revoke")
    ]

    assert [i["name"] for i in listed] == ["Nurse Nia"]
    assert [a.status_code for a in answers] == [404, 404]
    assert _invitations() == before
    assert {i["name"] for i in api_as(carol).get(base).json()["items"]} == {"Nurse Nia", "New boss"}


def test_an_invitation_is_only_found_through_its_own_organisation(
    api_as, carol, council, nia_invited
):
    base = f"/organisations/{council.public_id}/invitations/{nia_invited.public_id}"
    before = _invitations()

    answers = [api_as(carol).post(f"{base}/{step}").status_code for step in ("resend", "revoke")]

    assert answers == [404, 404]
    assert _invitations() == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_else_sees_or_touches_its_invitations(request, api_as, who, surgery, nia_invited):
    person = request.getfixturevalue(who)
    base = f"/organisations/{surgery.public_id}/invitations"
    before = _invitations()
    as_them = api_as(person)

    answers = [
        as_them.get(base).status_code,
        as_them.post(f"{base}/{nia_invited.public_id}/resend").status_code,
        as_them.post(f"{base}/{nia_invited.public_id}/revoke").status_code,
    ]

    assert answers == [404, 404, 404]
    assert _invitations() == before


def test_the_invitations_list_reads_the_same_few_queries_for_1_or_30(
    api_as, carol, riverside, surgery
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    as_carol = api_as(carol)
    path = f"/organisations/{surgery.public_id}/invitations"
    as_carol.get(path)  # the token's first use is recorded once

    def count_for(n: int) -> int:
        for i in range(n - Invitation.objects.count()):
            invitation_create(
                timebank=riverside,
                kind="organisation_staff",
                acting=carol,
                name=f"Nurse {i}",
                organisation=surgery,
            )
        with CaptureQueriesContext(connection) as queries:
            response = as_carol.get(path, limit=50)
        assert len(response.json()["items"]) == n
        return len(queries)

    one, thirty = count_for(1), count_for(30)

    assert one == thirty
    # The token (1), the organisation and the caller's standing in it, the page.
    assert thirty <= 6, thirty
