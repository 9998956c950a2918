"""A gift never fails because of the mail server (issue #12): with the SMTP server down, the gift
page still answers with its redirect, the gift is committed, bob's email is recorded as failed,
and `mail_retry` sends it once the server is back."""

from __future__ import annotations

from django.core.management import call_command

from coproduce.core.models import EmailStatus, OutgoingEmail
from coproduce.ledger.models import Transfer, TransferKind
from tests.members.conftest import account_of
from tests.members.test_gifts import _gift_form
from tests.smtp_server import text_part


def test_with_the_mail_server_down_a_gift_goes_through_and_its_email_follows_later(
    smtp_server, login, pay, alice, bob, carol, django_capture_on_commit_callbacks
):
    pay(carol, alice, 180, memo="Gardening")
    bob.email = "bob@example.org"
    bob.save()
    client = login(alice)
    data = _gift_form(client) | {
        "recipient": "member",
        "person": str(bob.public_id),
        "minutes": "1:30",
        "note": "For the soup",
    }
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/gift/", data)
    assert response.status_code == 302
    assert Transfer.objects.filter(kind=TransferKind.GIFT).count() == 1
    assert account_of(bob).balance == 90
    email = OutgoingEmail.objects.get(to_address="bob@example.org")
    assert email.status == EmailStatus.FAILED and email.attempts == 1

    smtp_server.start()
    call_command("mail_retry")
    call_command("mail_retry")
    message = smtp_server.only()
    assert message["To"] == "bob@example.org"
    assert "Alice Ahmed gave you 1:30 hours" in text_part(message)
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
