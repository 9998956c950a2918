"""Forgot your password? Through a real SMTP server: the page answers the same whether or not
the address is registered, the link sets a password and signs in, works once, is audited, and
asking is limited per address. Two-step sign-in is never skipped by it."""

from __future__ import annotations

import re

import pytest

from coproduce.core.models import AuditEvent, OutgoingEmail
from tests.smtp_server import html_part, text_part

SITE = "https://timebank.example.org"


@pytest.fixture
def alice_by_email(alice):
    alice.email = "alice@example.org"
    alice.save()
    return alice


def _ask(client, email: str, capture) -> str:
    with capture(execute=True):
        response = client.post("/password/forgot/", {"email": email})
    assert response.status_code == 200
    # The page is the same but for the CSRF token every page carries (masked afresh each time).
    page = re.sub(r"X-CSRFToken\": \"[^\"]+", "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def _link(message) -> str:
    match = re.search(rf"{re.escape(SITE)}(/password/reset/\S+/)", text_part(message))
    assert match, text_part(message)
    return match.group(1)


def test_the_sign_in_page_links_to_it(client, db):
    assert b'href="/password/forgot/"' in client.get("/login/").content


def test_alice_resets_her_password_from_the_email_and_is_signed_in(
    client, smtp_server, alice_by_email, django_capture_on_commit_callbacks
):
    _ask(client, "ALICE@example.org", django_capture_on_commit_callbacks)
    message = smtp_server.only()
    assert message["To"] == "alice@example.org"
    assert "alice" in text_part(message) and f'href="{SITE}/password/reset/' in html_part(message)
    link = _link(message)
    assert b"Choose a new password" in client.get(link).content
    new = "a much better password 42"
    response = client.post(link, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == alice_by_email.pk
    alice_by_email.refresh_from_db()
    assert alice_by_email.check_password(new)
    assert AuditEvent.objects.filter(action="person.password_reset_sent").count() == 1
    assert AuditEvent.objects.filter(action="person.password_reset").count() == 1
    # The link works once.
    client.logout()
    assert client.get(link).status_code == 404
    assert (
        client.post(
            link, {"new_password1": "x y z 1 2 3 q", "new_password2": "x y z 1 2 3 q"}
        ).status_code
        == 404
    )
    alice_by_email.refresh_from_db()
    assert alice_by_email.check_password(new)


def test_an_unknown_address_gets_the_same_page_and_nothing_is_sent(
    client, smtp_server, alice_by_email, django_capture_on_commit_callbacks
):
    known = _ask(client, "alice@example.org", django_capture_on_commit_callbacks)
    unknown = _ask(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert known == unknown
    assert [m["To"] for m in smtp_server.messages] == ["alice@example.org"]
    assert OutgoingEmail.objects.count() == 1


def test_asking_too_often_for_one_address_sends_nothing_more_and_says_the_same(
    client, smtp_server, alice_by_email, django_capture_on_commit_callbacks
):
    pages = {
        _ask(client, "alice@example.org", django_capture_on_commit_callbacks) for _ in range(5)
    }
    assert len(pages) == 1
    assert len(smtp_server.messages) == 3  # core.throttle.PASSWORD_RESET_PER_EMAIL


def test_an_account_without_a_password_of_its_own_gets_no_reset_email(
    client, smtp_server, alice_by_email, django_capture_on_commit_callbacks
):
    alice_by_email.set_unusable_password()
    alice_by_email.save()
    _ask(client, "alice@example.org", django_capture_on_commit_callbacks)
    assert smtp_server.messages == []


def test_a_reset_never_skips_two_step_sign_in(
    client, smtp_server, alice_by_email, django_capture_on_commit_callbacks
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=alice_by_email, name="phone", confirmed=True)
    _ask(client, "alice@example.org", django_capture_on_commit_callbacks)
    link = _link(smtp_server.only())
    new = "a much better password 42"
    response = client.post(link, {"new_password1": new, "new_password2": new})
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_a_made_up_link_changes_nothing(client, alice_by_email):
    assert client.get("/password/reset/MQ/abc-def/").status_code == 404
    assert client.post("/password/reset/zz/abc-def/", {"new_password1": "q"}).status_code == 404


def test_a_bad_address_is_a_form_error_not_a_500(client, db):
    response = client.post("/password/forgot/", {"email": "not an address"})
    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content


@pytest.mark.django_db(transaction=True)
def test_in_production_the_reset_email_is_delivered_by_a_thread_after_the_answer(
    client, settings, smtp_server
):
    import time

    from tests.conftest import _person

    settings.COPRODUCE_MAIL_IN_BACKGROUND = True
    zoe = _person("zoe", "Zoe", "Zhang")
    zoe.email = "zoe@example.org"
    zoe.save()
    assert client.post("/password/forgot/", {"email": "zoe@example.org"}).status_code == 200
    for _ in range(100):
        if smtp_server.messages:
            break
        time.sleep(0.05)
    assert smtp_server.only()["To"] == "zoe@example.org"
    for _ in range(100):  # the thread records the result just after the server has it
        if OutgoingEmail.objects.get().status == "sent":
            break
        time.sleep(0.05)
    assert OutgoingEmail.objects.get().status == "sent"
