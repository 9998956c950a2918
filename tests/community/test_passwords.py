"""A member who has no password yet (referred or imported), or lost it before ever signing in,
gets a one-time link from the coordinator and chooses their own; the coordinator never chooses
it (tests/community/test_password_takeover.py). Members change their own."""

from __future__ import annotations

from django.conf import settings

from coproduce.community.models import PasswordLink
from coproduce.core.models import AuditEvent, Notification


def _link_for(client, person) -> str:
    response = client.post(f"/members/{person.public_id}/sign-in-link/")
    assert response.status_code == 200
    return response.context["url"].removeprefix(settings.SITE_URL)


def test_carol_gives_alice_a_link_and_alice_chooses_her_password(client, login, carol, alice):
    url = f"/members/{alice.public_id}/sign-in-link/"
    assert login(carol).get(url).status_code == 200
    path = _link_for(client, alice)
    assert AuditEvent.objects.filter(action="person.password_link_created").count() == 1
    assert Notification.objects.filter(person=alice, kind="password_link").exists()
    alice.refresh_from_db()
    assert alice.check_password("pw-alice")  # nothing changes until alice uses the link

    client.logout()
    data = {"new_password1": "river walk at dawn", "new_password2": "river walk at dawn"}
    assert client.post(path, data).status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("river walk at dawn")
    assert AuditEvent.objects.filter(action="person.password_link_used").count() == 1


def test_a_weak_or_mismatched_password_is_refused_and_nothing_changes(client, login, carol, alice):
    path = _link_for(login(carol), alice)
    client.logout()
    response = client.post(path, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assert b"too common" in response.content
    response = client.post(path, {"new_password1": "river walk a", "new_password2": "river walk b"})
    assert b"didn\xe2\x80\x99t match" in response.content or b"match" in response.content
    alice.refresh_from_db()
    assert alice.check_password("pw-alice")
    assert PasswordLink.objects.get().used_at is None


def test_only_alices_coordinator_can_make_her_link(client, login, alice, bob, harry):
    url = f"/members/{alice.public_id}/sign-in-link/"
    assert login(bob).post(url).status_code == 404
    assert login(harry).post(url).status_code == 404
    client.logout()
    assert client.post(url).status_code == 302  # to sign in
    assert not PasswordLink.objects.exists()
    alice.refresh_from_db()
    assert alice.check_password("pw-alice")


def test_alice_changes_her_own_password(login, alice):
    client = login(alice)
    response = client.post(
        "/password/",
        {
            "old_password": "pw-alice",
            "new_password1": "kettle on at four",
            "new_password2": "kettle on at four",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("kettle on at four")
