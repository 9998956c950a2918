"""Confirming an address after joining, and changing it with a confirmation from the new
address, through a real SMTP server. The links work without signing in, change nothing when
only opened, and work once; coordinators see whether an applicant's address is confirmed."""

from __future__ import annotations

import re

from coproduce.core.models import AuditEvent
from tests.community.test_join import DORA
from tests.smtp_server import html_part, text_part

SITE = "https://timebank.example.org"


def _link(message, kind: str) -> str:
    match = re.search(rf"{re.escape(SITE)}(/email/{kind}/\S+/)", text_part(message))
    assert match, text_part(message)
    assert f'href="{SITE}/email/{kind}/' in html_part(message)
    return match.group(1)


def test_dora_confirms_her_address_after_applying_and_carol_sees_it(
    client, login, smtp_server, riverside, carol, django_capture_on_commit_callbacks
):
    from coproduce.community.models import Person

    with django_capture_on_commit_callbacks(execute=True):
        thanks = client.post("/join/riverside/", DORA, follow=True)
    assert b"We have sent an email to dora@example.org" in thanks.content
    (message,) = [m for m in smtp_server.messages if m["To"] == "dora@example.org"]
    assert message["Subject"] == "Please confirm your email address"
    link = _link(message, "verify")
    dora = Person.objects.get(username="dora")
    assert dora.email_verified_at is None
    applications = login(carol).get("/members/applications/").content.decode()
    assert "not confirmed yet" in applications

    client.logout()
    assert b"dora@example.org" in client.get(link).content  # opening it only asks
    dora.refresh_from_db()
    assert dora.email_verified_at is None
    assert client.post(link).status_code == 200
    dora.refresh_from_db()
    assert dora.email_verified_at is not None
    assert AuditEvent.objects.filter(action="person.email_verified").count() == 1
    applications = login(carol).get("/members/applications/").content.decode()
    assert "(confirmed)" in applications


def test_alice_changes_her_address_only_when_the_new_one_confirms_and_the_old_is_told(
    client, login, smtp_server, alice, django_capture_on_commit_callbacks
):
    alice.email = "old@example.org"
    alice.save()
    form = {
        "gives": "Gardening",
        "contact_preference": "email",
        "email": "new@example.org",
        "notify_by_email": "yes",
    }
    signed_in = login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/profile/edit/", form, follow=True)
    assert b"We have emailed a link to new@example.org" in response.content
    alice.refresh_from_db()
    assert alice.email == "old@example.org"  # not yet
    message = smtp_server.only()
    assert message["To"] == "new@example.org"
    link = _link(message, "change")

    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 200
    alice.refresh_from_db()
    assert alice.email == "new@example.org" and alice.email_verified_at is not None
    notice = smtp_server.messages[-1]
    assert notice["To"] == "old@example.org"
    assert "new@example.org" in text_part(notice)
    assert client.post(link).status_code == 404  # spent
    actions = list(
        AuditEvent.objects.filter(action__startswith="person.email")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["person.email_change_requested", "person.email_changed"]
    # The audit log names no address.
    assert not AuditEvent.objects.filter(data__icontains="example.org").exists()


def test_a_forged_confirmation_link_changes_nothing(client, alice):
    alice.email = "old@example.org"
    alice.save()
    assert client.post("/email/change/abc:def/").status_code == 404
    assert client.post("/email/verify/abc:def/").status_code == 404
    alice.refresh_from_db()
    assert alice.email == "old@example.org" and alice.email_verified_at is None


def test_alice_asks_for_the_confirmation_link_again_from_her_profile(
    login, smtp_server, alice, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.org"
    alice.save()
    client = login(alice)
    assert b"Email me the link to confirm it" in client.get("/profile/").content
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/profile/email/verify/").status_code == 302
    assert smtp_server.only()["To"] == "alice@example.org"
