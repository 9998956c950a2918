"""A coordinator never chooses anyone's password (issue 10, found case 1, critical).

A person has one login across every time bank. When a coordinator could set the password of
anyone in their members list, carol could take over harry, Hillside's coordinator, the moment he
applied to Riverside: sign in as him, switch to Hillside and download its members list. So no
coordinator may set, reset or hand over the password of anyone with another membership (any
status, any bank), any role beyond member, a place on an organisation's staff, site
administration, or who has ever signed in; and the page where a coordinator typed a password is
gone. Each refusal is shown to change nothing: the password, the links and the audit log.

These tests use only what existed before the fix at the top of the module, so on the old code
they fail on the takeover itself (the old page answered 302 and changed the password).
"""

from __future__ import annotations

import pytest

from coproduce.community import services
from coproduce.community.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationStaff,
    Person,
)
from coproduce.core.errors import PermissionDenied
from coproduce.core.models import AuditEvent

NEW_PASSWORD = "river walk at dawn"


def _password_state(person: Person) -> tuple[str, int]:
    """What a takeover would change: the password hash, and audit rows of a password being set
    or a link being made or used."""
    person.refresh_from_db()
    audits = AuditEvent.objects.filter(
        action__in=[
            "person.password_set_by_coordinator",
            "person.password_link_created",
            "person.password_link_used",
        ]
    ).count()
    return person.password, audits


def _carol_tries_to_take_over(login, carol, person: Person) -> None:
    """Carol tries every way in: the old page where she typed a password, and the link."""
    client = login(carol)
    before = _password_state(person)
    old = client.post(
        f"/members/{person.public_id}/password/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert _password_state(person) == before, "carol chose their password"
    assert old.status_code == 404
    page = client.get(f"/members/{person.public_id}/sign-in-link/")
    assert page.status_code == 200
    assert b"Make a one-time link" not in page.content
    made = client.post(f"/members/{person.public_id}/sign-in-link/")
    assert made.status_code == 403
    assert b"/welcome/" not in made.content
    membership = Membership.objects.get(person=person, timebank__slug="riverside")
    with pytest.raises(PermissionDenied):
        services.password_link_create(membership=membership, acting=carol)
    assert not person.password_links.exists()


def test_a_coordinator_cannot_take_over_another_banks_coordinator_who_applied_to_join(
    client, login, riverside, carol, harry
):
    # Harry, Hillside's coordinator, applies to Riverside from the join page.
    applied = login(harry).post(
        "/join/riverside/",
        {"first_name": "Harry", "email": "harry@example.org", "contact_preference": "email"},
    )
    assert applied.status_code == 302
    assert Membership.objects.get(person=harry, timebank=riverside).status == "applied"
    before = _password_state(harry)

    _carol_tries_to_take_over(login, carol, harry)

    assert _password_state(harry) == before
    client.logout()
    assert client.login(username="harry", password="pw-harry")
    client.logout()
    # So carol cannot sign in as harry, switch to Hillside and download its members.
    assert not client.login(username="harry", password=NEW_PASSWORD)
    assert client.get("/members/export.csv").status_code == 302  # to sign in


def test_the_coordinators_page_explains_why_there_is_no_link_for_harry(
    login, carol, harry_applies_to_riverside
):
    harry = harry_applies_to_riverside
    client = login(carol)
    page = client.get(f"/members/{harry.public_id}/sign-in-link/")
    assert b"other roles or memberships on this site" in page.content
    assert b"hillside" not in page.content.lower()  # never says where
    edit = client.get(f"/members/{harry.public_id}/edit/")
    assert b"other roles or memberships on this site" in edit.content
    assert b"sign-in-link" not in edit.content


def test_a_coordinator_cannot_set_the_password_of_a_fellow_coordinator(login, carol, dave):
    before = _password_state(dave)
    _carol_tries_to_take_over(login, carol, dave)
    assert _password_state(dave) == before


def test_a_coordinator_cannot_set_the_password_of_a_professional(login, carol, dr_patel):
    before = _password_state(dr_patel)
    _carol_tries_to_take_over(login, carol, dr_patel)
    assert _password_state(dr_patel) == before


def test_a_coordinator_cannot_set_the_password_of_someone_who_has_signed_in(
    client, login, carol, alice
):
    assert client.login(username="alice", password="pw-alice")  # sets last_login
    before = _password_state(alice)
    _carol_tries_to_take_over(login, carol, alice)
    assert _password_state(alice) == before


@pytest.mark.parametrize("status", [MembershipStatus.APPLIED, MembershipStatus.LEFT])
def test_a_coordinator_cannot_set_the_password_of_someone_known_to_another_bank(
    login, riverside, hillside, carol, ezra, status
):
    # ezra has never signed in, but he once applied to (or left) Hillside: Hillside answers for
    # his login too, so only he chooses its password.
    Membership.objects.create(timebank=hillside, person=ezra, status=status)
    before = _password_state(ezra)
    _carol_tries_to_take_over(login, carol, ezra)
    assert _password_state(ezra) == before


def test_a_coordinator_cannot_set_the_password_of_an_organisations_staff(
    login, riverside, carol, ezra
):
    surgery = Organisation.objects.create(
        timebank=riverside, slug="surgery", name="Riverside Surgery", kind="gp_practice"
    )
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=surgery, person=ezra, role="admin"
    )
    before = _password_state(ezra)
    _carol_tries_to_take_over(login, carol, ezra)
    assert _password_state(ezra) == before


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_a_coordinator_cannot_set_the_password_of_a_site_administrator(login, carol, ezra, flag):
    setattr(ezra, flag, True)
    ezra.save(update_fields=[flag])
    before = _password_state(ezra)
    _carol_tries_to_take_over(login, carol, ezra)
    assert _password_state(ezra) == before


def test_the_old_page_where_a_coordinator_typed_a_password_is_gone(login, carol, ezra):
    before = _password_state(ezra)
    response = login(carol).post(
        f"/members/{ezra.public_id}/password/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    assert _password_state(ezra) == before
    assert not hasattr(services, "member_password_set")
