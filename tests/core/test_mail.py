"""Email through a real SMTP server on loopback (`smtp_server`, aiosmtpd): what arrives has a
plain-text and an HTML part, is written in the recipient's language, links absolutely to the
site, and says where to change email settings. A mail server that is down never breaks the
action: the email is recorded as failed and `mail_retry` sends it, once, when the server is
back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from coproduce.core.mail import MAX_ATTEMPTS, mail_send
from coproduce.core.models import EmailStatus, OutgoingEmail
from coproduce.core.notifications import notify
from tests.smtp_server import html_part, text_part


@pytest.fixture
def alice_by_email(alice):
    alice.email = "alice@example.org"
    alice.save()
    return alice


def test_a_notification_arrives_with_text_and_html_parts_and_absolute_links(
    smtp_server, riverside, alice_by_email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            person=alice_by_email,
            kind="gift_received",
            message="Carol gave you 1:00 hours as a gift.",
            url="/account/",
            timebank=riverside,
        )
    message = smtp_server.only()
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == "[Riverside Time Bank] Carol gave you 1:00 hours as a gift."
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = text_part(message), html_part(message)
    assert "Carol gave you 1:00 hours as a gift." in text
    assert "https://timebank.example.org/account/" in text
    assert '<a href="https://timebank.example.org/account/">' in html
    # Every notification says where to turn such emails off.
    assert "https://timebank.example.org/profile/edit/" in text
    assert '<a href="https://timebank.example.org/profile/edit/">' in html
    assert "Riverside Time Bank" in html
    row = OutgoingEmail.objects.get()
    assert (row.status, row.attempts, row.kind) == ("sent", 1, "notification:gift_received")


def test_the_email_is_written_in_the_recipients_language(
    smtp_server, settings, riverside, alice_by_email, django_capture_on_commit_callbacks
):
    settings.LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
    alice_by_email.language = "cy"
    alice_by_email.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(person=alice_by_email, kind="x", message="Croeso", timebank=riverside)
    message = smtp_server.only()
    assert message["Content-Language"] == "cy"
    assert '<html lang="cy">' in html_part(message)


def test_a_language_the_site_does_not_offer_falls_back_to_the_sites(
    smtp_server, riverside, alice_by_email, django_capture_on_commit_callbacks
):
    alice_by_email.language = "xx"
    alice_by_email.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(person=alice_by_email, kind="x", message="Hello", timebank=riverside)
    assert smtp_server.only()["Content-Language"] == "en-gb"


def test_a_rolled_back_action_records_and_sends_nothing(
    smtp_server, riverside, alice_by_email, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(person=alice_by_email, kind="x", message="Never", timebank=riverside)
        raise RuntimeError
    assert OutgoingEmail.objects.count() == 0
    assert smtp_server.messages == []


def test_with_the_server_down_the_email_is_recorded_as_failed_and_retried_once(
    smtp_server, riverside, alice_by_email, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        notify(person=alice_by_email, kind="x", message="Your exchange", timebank=riverside)
    row = OutgoingEmail.objects.get()
    assert (row.status, row.attempts) == (EmailStatus.FAILED, 1)
    assert "Connection" in row.last_error or "refused" in row.last_error
    smtp_server.start()
    assert call_command("mail_retry").startswith("sent 1 email(s), 0 failed again")
    assert call_command("mail_retry").startswith("sent 0 email(s)")
    assert len(smtp_server.messages) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (EmailStatus.SENT, 2, "")


def test_retrying_stops_after_the_attempt_limit_and_after_three_days(
    smtp_server, riverside, alice_by_email
):
    given_up = mail_send(to="a@example.org", subject="A", template="core/email/notification")
    too_old = mail_send(to="b@example.org", subject="B", template="core/email/notification")
    assert given_up is not None and too_old is not None
    OutgoingEmail.objects.filter(pk=given_up.pk).update(status="failed", attempts=MAX_ATTEMPTS)
    OutgoingEmail.objects.filter(pk=too_old.pk).update(
        status="failed", attempts=1, created_at=timezone.now() - timedelta(days=4)
    )
    summary = call_command("mail_retry")
    assert summary == (
        "sent 0 email(s), 0 failed again; 2 given up (after 5 attempts, or too old to send)"
    )
    assert smtp_server.messages == []


def test_a_message_being_sent_is_never_claimed_again(smtp_server, riverside, alice_by_email):
    from coproduce.core.mail import mail_deliver

    row = mail_send(to="a@example.org", subject="A", template="core/email/notification")
    assert row is not None
    OutgoingEmail.objects.filter(pk=row.pk).update(status=EmailStatus.SENDING, attempts=1)
    assert mail_deliver([row.pk]) == (0, 0)
    assert smtp_server.messages == []


def test_held_emails_are_neither_recorded_nor_sent(
    smtp_server, riverside, alice_by_email, django_capture_on_commit_callbacks
):
    from coproduce.core.mail import emails_held

    with emails_held(), django_capture_on_commit_callbacks(execute=True):
        notify(person=alice_by_email, kind="x", message="Demo", timebank=riverside)
    assert OutgoingEmail.objects.count() == 0
    assert smtp_server.messages == []
