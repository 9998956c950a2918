"""A member who forgot their password (or was referred in without one) gets a new one from the
coordinator; members change their own."""

from __future__ import annotations

from coproduce.core.models import AuditEvent, Notification


def test_carol_sets_a_new_password_for_alice_who_is_told(login, carol, alice):
    client = login(carol)
    url = f"/members/{alice.public_id}/password/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"new_password1": "river walk at dawn", "new_password2": "river walk at dawn"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("river walk at dawn")
    assert AuditEvent.objects.filter(action="person.password_set_by_coordinator").count() == 1
    assert Notification.objects.filter(person=alice, kind="password_set").exists()


def test_a_weak_or_mismatched_password_is_refused_and_nothing_changes(login, carol, alice):
    client = login(carol)
    url = f"/members/{alice.public_id}/password/"
    response = client.post(url, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assert b"too common" in response.content
    response = client.post(url, {"new_password1": "river walk a", "new_password2": "river walk b"})
    assert b"didn\xe2\x80\x99t match" in response.content or b"match" in response.content
    alice.refresh_from_db()
    assert alice.check_password("pw-alice")


def test_only_alices_coordinator_can_set_her_password(client, login, alice, bob, harry):
    url = f"/members/{alice.public_id}/password/"
    data = {"new_password1": "river walk at dawn", "new_password2": "river walk at dawn"}
    assert login(bob).post(url, data).status_code == 404
    assert login(harry).post(url, data).status_code == 404
    client.logout()
    assert client.post(url, data).status_code == 302  # to sign in
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
