"""Alice reads and changes her profile through the API; bob sees her public profile, without
her contact details; harry from hillside does not find her."""

from __future__ import annotations

import pytest

from coproduce.community.models import Membership, Person

pytestmark = pytest.mark.django_db


def test_alice_changes_only_what_she_sends(api_as, alice):
    Person.objects.filter(pk=alice.pk).update(email="alice@example.org")
    as_alice = api_as(alice)

    response = as_alice.call(
        "patch", "/profile", {"gives": "Gardening", "area": "Northbank", "digest_by_email": False}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["gives"], body["area"], body["digest_by_email"]) == (
        "Gardening",
        "Northbank",
        False,
    )
    alice.refresh_from_db()
    assert (alice.gives, alice.digest_by_email) == ("Gardening", False)
    assert Membership.objects.get(person=alice).area == "Northbank"
    assert as_alice.get("/profile").json()["gives"] == "Gardening"


def test_alice_chooses_welsh_and_an_unknown_language_is_refused(api_as, alice):
    as_alice = api_as(alice)

    chosen = as_alice.call("patch", "/profile", {"language": "cy"})
    refused = as_alice.call("patch", "/profile", {"language": "klingon"})

    assert chosen.status_code == 200
    assert chosen.json()["language"] == "cy"
    assert refused.status_code == 400
    assert refused.json()["code"] == "bad_language"
    assert Person.objects.get(pk=alice.pk).language == "cy"


def test_a_bad_availability_slot_is_refused_and_nothing_changes(api_as, alice):
    response = api_as(alice).call(
        "patch", "/profile", {"gives": "Cooking", "availability": ["someday"]}
    )

    assert response.status_code == 400
    assert Person.objects.get(pk=alice.pk).gives == ""


def test_the_contact_rule_of_the_profile_page_holds(api_as, alice):
    response = api_as(alice).call("patch", "/profile", {"contact_preference": "email", "email": ""})

    assert response.status_code == 400
    assert response.json()["code"] == "no_email"


def test_a_read_only_token_cannot_change_the_profile(api_as, alice):
    response = api_as(alice, write=False).call("patch", "/profile", {"gives": "Cooking"})

    assert response.status_code == 403
    assert Person.objects.get(pk=alice.pk).gives == ""


def test_bob_sees_alices_public_profile_without_her_contact_details(api_as, alice, bob):
    alice.phone = "07700 900456"
    alice.save()

    body = api_as(bob).get(f"/people/{alice.public_id}").json()

    assert body["username"] == "alice"
    assert "phone" not in body and "email" not in body
    assert "07700" not in str(body)


def test_harry_does_not_find_alice(api_as, alice, harry):
    assert api_as(harry).get(f"/people/{alice.public_id}").status_code == 404
