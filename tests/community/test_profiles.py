"""Profiles: my private view and how I edit it; the public view other members see, which starts
from what a person can give and never shows their contact details or access needs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.community.models import Membership, SafeguardingCheck
from coproduce.community.services import profile_update
from coproduce.core.errors import ApplicationError
from coproduce.core.models import AuditEvent
from coproduce.ledger.models import Account


@pytest.fixture
def alice_profile(alice):
    alice.gives = "Gardening and dog walking"
    alice.needs = "Help with forms"
    alice.about = "Retired nurse"
    alice.availability = ["mon_am", "mon_eve", "sat_pm"]
    alice.languages = "English, Urdu"
    alice.accessibility_needs = "Hard of hearing: please face me"
    alice.phone = "07700 900001"
    alice.email = "alice@example.org"
    alice.save()
    return alice


def _check(person, carol, kind, *, expires_in_days, reference="DBS-123456"):
    today = timezone.localdate()
    return SafeguardingCheck.objects.create(
        timebank_id=Membership.objects.get(person=person).timebank_id,
        person=person,
        kind=kind,
        checked_on=today - timedelta(days=400),
        expires_on=today + timedelta(days=expires_in_days) if expires_in_days is not None else None,
        reference=reference,
        notes="seen at the office",
        recorded_by=carol,
    )


def test_my_profile_shows_everything_including_my_private_details(login, alice_profile, carol):
    _check(alice_profile, carol, "enhanced", expires_in_days=30)
    content = login(alice_profile).get("/profile/").content.decode()
    for text in ["Gardening and dog walking", "Help with forms", "Hard of hearing", "07700 900001"]:
        assert text in content
    assert "Monday</strong>: morning, evening" in content
    assert "Enhanced check" in content and "valid until" in content


def test_bob_sees_alices_gives_first_but_never_her_private_details(
    login, alice_profile, bob, carol
):
    content = login(bob).get(f"/people/{alice_profile.public_id}/").content.decode()
    assert content.index("Gardening and dog walking") < content.index("Help with forms")
    assert "Saturday</strong>: afternoon" in content
    assert "Northbank" in content and "Urdu" in content
    for private in ["Hard of hearing", "07700 900001", "alice@example.org", "For coordinators"]:
        assert private not in content


def test_carol_sees_alices_contact_details_on_her_profile(login, alice_profile, carol):
    _check(alice_profile, carol, "enhanced", expires_in_days=30)
    content = login(carol).get(f"/people/{alice_profile.public_id}/").content.decode()
    for text in ["07700 900001", "alice@example.org", "Hard of hearing", "DBS-123456"]:
        assert text in content


def test_current_checks_show_as_badges_without_their_reference(login, alice, bob, carol):
    check = _check(alice, carol, "enhanced", expires_in_days=30)
    _check(alice, carol, "id_seen", expires_in_days=None)
    _check(alice, carol, "reference", expires_in_days=-1)
    content = login(bob).get(f"/people/{alice.public_id}/").content.decode()
    until = check.expires_on.strftime("%-d %B %Y")
    assert f"Enhanced check (until {until})" in content
    assert "ID seen" in content
    assert "Reference checked" not in content  # expired yesterday
    assert "DBS-123456" not in content and "seen at the office" not in content


def test_a_check_from_another_time_bank_gives_no_badge(login, alice, bob, carol, hillside, harry):
    SafeguardingCheck.objects.create(
        timebank=hillside,
        person=alice,
        kind="id_seen",
        checked_on=timezone.localdate(),
        recorded_by=harry,
    )
    assert b"ID seen" not in login(bob).get(f"/people/{alice.public_id}/").content


def test_public_thanks_show_but_private_thanks_do_not(login, alice, bob, riverside):
    from coproduce.exchanges.models import Exchange, Feedback

    exchange = Exchange.objects.create(
        timebank=riverside,
        title="Gardening",
        category="gardening",
        expected_minutes=60,
        proposed_by=bob,
        created_at=timezone.now(),
    )
    Feedback.objects.create(
        timebank=riverside,
        exchange=exchange,
        author=bob,
        about_person=alice,
        message="Alice transformed my garden",
    )
    other = Exchange.objects.create(
        timebank=riverside,
        title="Chat",
        category="companionship",
        expected_minutes=60,
        proposed_by=bob,
        created_at=timezone.now(),
    )
    Feedback.objects.create(
        timebank=riverside,
        exchange=other,
        author=bob,
        about_person=alice,
        message="Just between us",
        private=True,
    )
    content = login(bob).get(f"/people/{alice.public_id}/").content.decode()
    assert "Alice transformed my garden" in content
    assert "Just between us" not in content


def test_the_public_profile_uses_a_bounded_number_of_queries(
    login, alice, bob, carol, django_assert_num_queries
):
    for kind in ["enhanced", "id_seen", "reference"]:
        _check(alice, carol, kind, expires_in_days=10)
    client = login(bob)
    # Eight: the look-up of an agreed exchange between them that decides whether bob sees
    # alice's phone and email (contact_visible_to, issue 10) is one; bob's membership and the
    # time bank are no longer read again after the middleware read them (issue 17).
    with django_assert_num_queries(8):
        assert client.get(f"/people/{alice.public_id}/").status_code == 200


def test_alice_edits_her_profile_and_it_is_audited(login, alice):
    client = login(alice)
    form = client.get("/profile/edit/").content.decode()
    # What I can give comes first.
    assert form.index('name="gives"') < form.index('name="needs"')
    assert "<legend>Monday</legend>" in form
    response = client.post(
        "/profile/edit/",
        {
            "gives": "Reading aloud",
            "needs": "A lift to the market",
            "about": "",
            "availability": ["tue_am", "sun_eve"],
            "area": "Old Town",
            "languages": "English",
            "accessibility_needs": "Step-free access",
            "contact_preference": "text",
            "phone": "07700 900001",
            "email": "",
            "notify_by_email": "no",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.gives == "Reading aloud"
    assert alice.availability == ["tue_am", "sun_eve"]
    assert alice.accessibility_needs == "Step-free access"
    assert alice.notify_by_email is False
    assert Membership.objects.get(person=alice).area == "Old Town"
    event = AuditEvent.objects.get(action="person.profile_updated")
    assert "accessibility_needs" in event.data["changed"]
    assert "accessibility_needs" not in event.data["values"]  # private: named, not copied
    assert event.data["area"] == {"old": "Northbank", "new": "Old Town"}
    assert b"Your profile is saved" in client.get("/profile/").content


def test_an_unknown_availability_slot_is_refused(login, alice):
    response = login(alice).post(
        "/profile/edit/",
        {
            "gives": "x",
            "availability": ["someday"],
            "contact_preference": "coordinator",
            "notify_by_email": "no",
        },
    )
    assert response.status_code == 200
    assert b'aria-invalid="true"' in response.content or b"errorlist" in response.content
    alice.refresh_from_db()
    assert alice.gives == ""


def test_asking_for_emails_needs_an_email_address(login, alice):
    response = login(alice).post(
        "/profile/edit/",
        {"gives": "x", "contact_preference": "coordinator", "notify_by_email": "yes"},
    )
    assert b"To be emailed, please give an email address." in response.content
    assert b'id="id_email_error"' in response.content


def test_the_service_refuses_fields_that_are_not_on_the_profile(alice):
    with pytest.raises(ApplicationError):
        profile_update(person=alice, membership=None, is_superuser=True)


def test_editing_a_profile_opens_no_account_and_touches_no_other_time_bank(login, alice, hillside):
    Membership.objects.create(timebank=hillside, person=alice, area="Hilltop")
    accounts = Account.objects.count()
    client = login(alice)
    session = client.session
    session["timebank_slug"] = "riverside"
    session.save()
    client.post(
        "/profile/edit/",
        {
            "gives": "x",
            "area": "Old Town",
            "contact_preference": "coordinator",
            "notify_by_email": "no",
        },
    )
    assert Membership.objects.get(person=alice, timebank=hillside).area == "Hilltop"
    assert Membership.objects.get(person=alice, timebank__slug="riverside").area == "Old Town"
    assert Account.objects.count() == accounts
