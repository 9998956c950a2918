"""The weekly digest through a real SMTP server: both parts, absolute links, and a
List-Unsubscribe header whose one-click POST (RFC 8058, no sign-in, no CSRF token) turns the
digest off, and only the digest. Opening the link only asks."""

from __future__ import annotations

from django.test import Client

from coproduce.core.models import AuditEvent
from coproduce.exchanges.digest import weekly_digest_send
from coproduce.exchanges.models import Offer
from tests.exchanges.test_digest import listing
from tests.smtp_server import html_part, text_part


def test_the_digest_has_both_parts_and_a_one_click_unsubscribe(smtp_server, riverside, alice, bob):
    alice.email = "alice@example.org"
    alice.save()
    listing(Offer, riverside, bob, "Help with a garden", area="Northbank")
    weekly_digest_send()
    message = smtp_server.only()
    assert message["Subject"] == "[Riverside Time Bank] New this week: 1 offer and 0 requests"
    assert "Help with a garden (Gardening, Northbank, Bob)" in text_part(message)
    assert "<li>Help with a garden (Gardening, Northbank, Bob)</li>" in html_part(message)
    assert "https://timebank.example.org/profile/edit/" in text_part(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(message["List-Unsubscribe"]).strip()  # a long header may be folded
    assert header.startswith("<https://timebank.example.org/email/unsubscribe/")
    url = header.strip("<>")
    assert url in text_part(message) and url in html_part(message)
    path = url.removeprefix("https://timebank.example.org")

    mail_program = Client(enforce_csrf_checks=True)
    opened = mail_program.get(path)  # a link scanner, or the person opening it
    assert opened.status_code == 200 and b"Yes, stop them" in opened.content
    alice.refresh_from_db()
    assert alice.digest_by_email is True

    answer = mail_program.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    alice.refresh_from_db()
    assert alice.digest_by_email is False
    assert alice.notify_by_email is True  # only the digest is turned off
    assert AuditEvent.objects.filter(action="person.unsubscribed").count() == 1
    assert mail_program.post(path).status_code == 200  # again: nothing more changes
    assert AuditEvent.objects.filter(action="person.unsubscribed").count() == 1

    weekly_digest_send()
    assert len(smtp_server.messages) == 1  # no digest for alice any more


def test_a_forged_or_changed_unsubscribe_link_changes_nothing(client, alice):
    from coproduce.community.emails import unsubscribe_url

    path = unsubscribe_url(alice).removeprefix("http://127.0.0.1:8000")
    assert client.post(path[:-3] + "xyz/").status_code == 404
    alice.refresh_from_db()
    assert alice.digest_by_email is True
