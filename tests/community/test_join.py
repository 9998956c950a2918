"""Joining: a newcomer applies with a short form, is signed in, and waits for the coordinator;
someone already signed in applies to a second time bank without a new password."""

from __future__ import annotations

import pytest
from django.core import mail

from coproduce.community.models import Membership, MembershipStatus, Person
from coproduce.community.services import membership_apply
from coproduce.core.errors import ApplicationError, Conflict
from coproduce.core.models import AuditEvent, Notification

DORA = {
    "first_name": "Dora",
    "last_name": "Davies",
    "username": "dora",
    "password": "apple crumble on sunday",
    "email": "dora@example.org",
    "phone": "",
    "area": "Southbank",
    "gives": "Baking",
    "needs": "Lifts to the surgery",
    "contact_preference": "email",
    "note": "I use a walking frame",
}


def test_the_join_list_shows_every_time_bank_to_apply_to(client, riverside, hillside):
    response = client.get("/join/")
    assert response.status_code == 200
    assert b"Riverside Time Bank" in response.content
    assert b'href="/join/hillside/"' in response.content


def test_the_join_list_says_which_time_banks_i_belong_to(login, alice, hillside):
    content = login(alice).get("/join/").content.decode()
    assert "/join/riverside/" not in content
    assert "/join/hillside/" in content


def test_dora_applies_and_is_signed_in_as_an_applicant(client, riverside, carol):
    response = client.post("/join/riverside/", DORA)
    assert response.status_code == 302
    assert response["Location"] == "/join/riverside/thanks/"

    dora = Person.objects.get(username="dora")
    assert dora.check_password("apple crumble on sunday")
    assert (dora.gives, dora.needs, dora.email) == ("Baking", "Lifts to the surgery", DORA["email"])
    membership = Membership.objects.get(person=dora, timebank=riverside)
    assert membership.status == MembershipStatus.APPLIED
    assert not membership.can_trade
    assert membership.area == "Southbank"
    assert membership.application_note == "I use a walking frame"

    thanks = client.get(response["Location"])
    assert b"will be in touch" in thanks.content
    home = client.get("/")
    assert b"Thank you for applying" in home.content


def test_every_active_coordinator_is_told_of_a_new_application(
    client, riverside, carol, django_capture_on_commit_callbacks
):
    carol.email = "carol@example.org"
    carol.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/join/riverside/", DORA)
    note = Notification.objects.get(person=carol)
    assert note.kind == "application_received"
    assert "Dora Davies has applied" in note.message
    # Carol is told; Dora gets the link that confirms her address (tests/core/test_mail_smtp.py).
    assert sorted(m.to for m in mail.outbox) == [["carol@example.org"], ["dora@example.org"]]
    assert AuditEvent.objects.filter(action="membership.applied").count() == 1


def test_a_taken_username_is_refused_on_the_form(client, riverside, alice):
    response = client.post("/join/riverside/", {**DORA, "username": "Alice"})
    assert response.status_code == 200
    assert b"That username is taken" in response.content
    assert b'aria-invalid="true"' in response.content
    assert b'aria-describedby="id_username_helptext id_username_error"' in response.content
    assert not Person.objects.filter(first_name="Dora").exists()


def test_a_weak_password_is_refused(client, riverside):
    response = client.post("/join/riverside/", {**DORA, "password": "123"})
    assert response.status_code == 200
    assert b"too short" in response.content
    assert not Person.objects.filter(username="dora").exists()


def test_an_email_or_a_phone_is_needed(client, riverside):
    response = client.post(
        "/join/riverside/", {**DORA, "email": "", "contact_preference": "coordinator"}
    )
    assert response.status_code == 200
    assert b"email address or a phone number" in response.content
    assert not Person.objects.filter(username="dora").exists()


def test_a_phone_preference_needs_a_phone_number(client, riverside):
    response = client.post("/join/riverside/", {**DORA, "contact_preference": "phone"})
    assert b"please give a number" in response.content


def test_dora_can_apply_by_phone_through_the_coordinator(client, riverside):
    response = client.post(
        "/join/riverside/",
        {**DORA, "email": "", "phone": "07700 900123", "contact_preference": "coordinator"},
    )
    assert response.status_code == 302
    dora = Person.objects.get(username="dora")
    assert dora.contact_preference == "coordinator"


def test_an_unknown_time_bank_is_not_found(client, riverside):
    assert client.get("/join/nowhere/").status_code == 404


def test_alice_applies_to_a_second_time_bank_without_a_password(login, alice, hillside, harry):
    client = login(alice)
    form = client.get("/join/hillside/")
    assert b'name="password"' not in form.content
    response = client.post(
        "/join/hillside/",
        {
            "first_name": "Alice",
            "last_name": "Ahmed",
            "email": "alice@example.org",
            "contact_preference": "email",
            "gives": "",
            "needs": "",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(person=alice, timebank=hillside)
    assert membership.status == MembershipStatus.APPLIED
    assert Notification.objects.filter(person=harry, kind="application_received").exists()
    # Alice keeps working in Riverside until she switches.
    assert b"Riverside Time Bank" in client.get("/").content


def test_a_member_is_told_they_already_belong(login, alice, riverside):
    response = login(alice).get("/join/riverside/")
    assert b"already a member" in response.content


def test_applying_twice_is_refused(riverside, carol, alice):
    with pytest.raises(Conflict):
        membership_apply(
            timebank=riverside, person=alice, first_name="Alice", email="a@example.org"
        )


def test_someone_who_left_may_apply_again(riverside, carol, alice):
    Membership.objects.filter(person=alice).update(status=MembershipStatus.LEFT, role="coordinator")
    membership = membership_apply(
        timebank=riverside, person=alice, first_name="Alice", email="a@example.org"
    )
    assert (membership.status, membership.role) == (MembershipStatus.APPLIED, "member")


def test_the_service_refuses_a_contact_preference_it_cannot_use(riverside):
    with pytest.raises(ApplicationError, match="phone number"):
        membership_apply(
            timebank=riverside,
            person=None,
            first_name="Dora",
            username="dora",
            password="apple crumble on sunday",
            email="dora@example.org",
            contact_preference="text",
        )
    assert not Person.objects.filter(username="dora").exists()


def test_the_thank_you_page_is_only_for_applicants(login, bob, hillside):
    assert login(bob).get("/join/hillside/thanks/").status_code == 404
