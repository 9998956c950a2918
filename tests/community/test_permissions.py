"""Who may open which page: coordinator pages exist only for the current time bank's
coordinators; a member (bob), another time bank's coordinator (harry) and an anonymous visitor
are told they do not exist (or, anonymous, asked to sign in)."""

from __future__ import annotations

import pytest

from coproduce.community.models import Membership, MembershipStatus, SafeguardingCheck
from coproduce.core.models import AuditEvent

COORDINATOR_PAGES = [
    "/members/",
    "/members/export.csv",
    "/members/applications/",
    "/members/{dora}/induct/",
    "/members/{alice}/checks/new/",
    "/members/{alice}/edit/",
]


def _urls(alice, dora):
    return [page.format(alice=alice.public_id, dora=dora.public_id) for page in COORDINATOR_PAGES]


def test_carol_opens_every_coordinator_page(login, carol, alice, dora):
    client = login(carol)
    for url in _urls(alice, dora):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["bob", "dora"])
def test_members_are_told_coordinator_pages_do_not_exist(request, login, alice, dora, who):
    client = login(request.getfixturevalue(who))
    for url in _urls(alice, dora):
        assert client.get(url).status_code == 404, url


def test_harry_gets_404_for_riversides_people_and_sees_only_hillside_in_his_lists(
    login, alice, dora, harry
):
    client = login(harry)
    for url in _urls(alice, dora)[3:]:
        assert client.get(url).status_code == 404, url
    # His own lists are Hillside's: none of Riverside's people are in them.
    for url in _urls(alice, dora)[:3]:
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response) if response.streaming else response.content
        assert b"Alice" not in content and b"Dora" not in content, url
        if url == "/members/":
            assert b"Harry" in content


def test_an_anonymous_visitor_is_asked_to_sign_in_for_every_private_page(client, alice, dora):
    for url in [*_urls(alice, dora), "/profile/", "/profile/edit/", f"/people/{alice.public_id}/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


@pytest.mark.parametrize("who", ["bob", "harry"])
def test_others_cannot_induct_record_checks_or_edit(request, login, alice, dora, who):
    client = login(request.getfixturevalue(who))
    responses = [
        client.post(
            f"/members/{dora.public_id}/induct/",
            {"decision": "welcome", "induct-inducted_on": "2024-01-01"},
        ),
        client.post(
            f"/members/{alice.public_id}/checks/new/",
            {"kind": "id_seen", "checked_on": "2024-01-01"},
        ),
        client.post(
            f"/members/{alice.public_id}/edit/",
            {"role": "coordinator", "status": "active", "min_balance": "-10"},
        ),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert Membership.objects.get(person=dora).status == MembershipStatus.APPLIED
    assert Membership.objects.get(person=alice).role == "member"
    assert not SafeguardingCheck.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="membership.").exists()


def test_a_coordinator_page_of_another_time_bank_is_not_found_for_its_people(login, harry, alice):
    # Harry is a coordinator, but of Hillside: Riverside's alice does not exist for him.
    response = login(harry).get(f"/members/{alice.public_id}/edit/")
    assert response.status_code == 404


def test_a_paused_coordinator_is_no_longer_one(login, carol, alice):
    Membership.objects.filter(person=carol).update(status=MembershipStatus.PAUSED)
    assert login(carol).get("/members/").status_code == 404


def test_alices_public_profile_is_visible_to_bob_but_not_to_harry(login, alice, bob, harry):
    assert login(bob).get(f"/people/{alice.public_id}/").status_code == 200
    assert login(harry).get(f"/people/{alice.public_id}/").status_code == 404


def test_an_applicant_cannot_see_members_profiles_yet(login, alice, dora):
    assert login(dora).get(f"/people/{alice.public_id}/").status_code == 404


def test_members_cannot_see_an_applicants_profile(login, bob, dora):
    assert login(bob).get(f"/people/{dora.public_id}/").status_code == 404


def test_an_unknown_person_is_not_found(login, bob):
    response = login(bob).get("/people/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_the_menu_shows_members_only_to_coordinators(login, carol, bob):
    assert b'href="/members/"' in login(carol).get("/").content
    assert b'href="/members/"' not in login(bob).get("/").content


def test_dr_patel_as_a_partner_professional_does_not_browse_members(login, alice, dr_patel):
    client = login(dr_patel)
    assert client.get(f"/people/{alice.public_id}/").status_code == 404
    assert client.get(f"/people/{dr_patel.public_id}/").status_code == 200  # himself


def test_someone_in_no_time_bank_can_still_keep_their_profile(login, db):
    from tests.conftest import _person

    eve = _person("eve", "Eve", "Evans")
    client = login(eve)
    assert client.get("/profile/").status_code == 200
    response = client.post(
        "/profile/edit/",
        {"gives": "Knitting", "contact_preference": "coordinator", "notify_by_email": "no"},
    )
    assert response.status_code == 302
    eve.refresh_from_db()
    assert eve.gives == "Knitting"
