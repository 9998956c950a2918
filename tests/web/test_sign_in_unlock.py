"""When guesses from everywhere have paused signing in as alice, she asks for a link by email;
the browser that opens it may sign in as alice while everyone else stays paused. The link is
spent by the sign-in it lets through, expires after an hour, and the form that sends it says the
same whether or not the username exists or has an email address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from coproduce.core.models import Attempt, AuditEvent
from coproduce.core.throttle import SIGN_IN_PER_UNLOCK, SIGN_IN_PER_USERNAME, throttle_record
from coproduce.web.sign_in import UNLOCK_COOKIE, UNLOCK_SALT

pytestmark = pytest.mark.django_db

HOME, MALLORYS = "10.0.0.7", "10.0.0.9"


def sign_in(client, username: str, password: str, address: str = HOME):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def guessed_everywhere(username: str) -> None:
    """A hundred wrong passwords for `username` from a hundred addresses."""
    for _ in range(SIGN_IN_PER_USERNAME.attempts):
        throttle_record(SIGN_IN_PER_USERNAME, username)


def ask_for_link(client, capture, username: str, address: str = HOME):
    with capture(execute=True):
        return client.post("/login/unlock/", {"username": username}, REMOTE_ADDR=address)


def link_in(message) -> str:
    return re.search(r"https?://\S+(/login/unlock/\S+/)", message.body).group(1)


@pytest.fixture
def alice_with_email(alice):
    alice.email = "alice@example.org"
    alice.save(update_fields=["email"])
    return alice


def test_the_unlock_link_lets_alice_in_while_her_username_is_paused_for_everyone(
    client, alice_with_email, django_capture_on_commit_callbacks
):
    guessed_everywhere("alice")
    assert sign_in(client, "alice", "pw-alice").status_code == 429

    ask_for_link(client, django_capture_on_commit_callbacks, "alice")
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    opened = client.get(link_in(mail.outbox[0]))
    assert opened.status_code == 200
    assert UNLOCK_COOKIE in opened.cookies

    response = sign_in(client, "alice", "pw-alice")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice_with_email.pk)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"person.unlock_link_sent", "person.sign_in_unlocked"} <= actions


def test_the_link_only_unlocks_the_browser_that_opened_it(
    client, alice_with_email, django_capture_on_commit_callbacks
):
    guessed_everywhere("alice")
    ask_for_link(client, django_capture_on_commit_callbacks, "alice")
    client.get(link_in(mail.outbox[0]))
    mallory = Client()
    assert sign_in(mallory, "alice", "pw-alice", address=MALLORYS).status_code == 429


def test_the_link_unlocks_only_its_own_username(
    client, alice_with_email, bob, django_capture_on_commit_callbacks
):
    guessed_everywhere("alice")
    guessed_everywhere("bob")
    ask_for_link(client, django_capture_on_commit_callbacks, "alice")
    client.get(link_in(mail.outbox[0]))
    assert sign_in(client, "bob", "pw-bob").status_code == 429


def test_the_link_is_spent_by_the_sign_in_it_lets_through(
    client, alice_with_email, django_capture_on_commit_callbacks
):
    guessed_everywhere("alice")
    ask_for_link(client, django_capture_on_commit_callbacks, "alice")
    link = link_in(mail.outbox[0])
    client.get(link)
    assert sign_in(client, "alice", "pw-alice").status_code == 302
    assert UNLOCK_COOKIE not in client.cookies or not client.cookies[UNLOCK_COOKIE].value

    again = Client()
    assert again.get(link).status_code == 400
    assert sign_in(again, "alice", "pw-alice").status_code == 429


def test_an_old_cookie_kept_by_the_browser_is_refused_once_spent(
    client, alice_with_email, django_capture_on_commit_callbacks
):
    guessed_everywhere("alice")
    ask_for_link(client, django_capture_on_commit_callbacks, "alice")
    client.get(link_in(mail.outbox[0]))
    kept = client.cookies[UNLOCK_COOKIE].value
    assert sign_in(client, "alice", "pw-alice").status_code == 302

    other = Client()
    other.cookies[UNLOCK_COOKIE] = kept
    assert sign_in(other, "alice", "pw-alice").status_code == 429


def test_the_link_expires_after_an_hour(
    client, alice_with_email, django_capture_on_commit_callbacks, monkeypatch
):
    guessed_everywhere("alice")
    ask_for_link(client, django_capture_on_commit_callbacks, "alice")
    link = link_in(mail.outbox[0])
    later = timezone.now().timestamp() + 61 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.get(link).status_code == 400
    assert sign_in(client, "alice", "pw-alice").status_code == 429


def test_a_forged_or_altered_link_does_nothing(client, alice_with_email):
    guessed_everywhere("alice")
    forged = signing.dumps({"u": "alice", "n": "x"}, key="not-our-secret-key" * 3, salt=UNLOCK_SALT)
    assert client.get(f"/login/unlock/{forged}/").status_code == 400
    assert client.get("/login/unlock/nonsense/").status_code == 400
    assert sign_in(client, "alice", "pw-alice").status_code == 429


def test_the_unlock_form_answers_the_same_for_an_unknown_username_or_one_without_email(
    client, alice_with_email, bob, django_capture_on_commit_callbacks
):
    answers = []
    for username in ("alice", "nobody-here", "bob"):
        response = ask_for_link(client, django_capture_on_commit_callbacks, username)
        token = response.context["csrf_token"]
        page = response.content.decode().replace(str(token), "")
        answers.append((response.status_code, page))
    assert answers[0] == answers[1] == answers[2]
    assert len(mail.outbox) == 1  # alice only: nobody-here does not exist, bob has no email


def test_asking_over_and_over_does_not_fill_alices_inbox(
    client, alice_with_email, django_capture_on_commit_callbacks
):
    for _ in range(6):
        response = ask_for_link(client, django_capture_on_commit_callbacks, "alice")
        assert response.status_code == 200
    assert len(mail.outbox) == 3


def test_wrong_passwords_with_the_link_are_still_limited(
    client, alice_with_email, django_capture_on_commit_callbacks
):
    guessed_everywhere("alice")
    ask_for_link(client, django_capture_on_commit_callbacks, "alice")
    client.get(link_in(mail.outbox[0]))
    for _ in range(SIGN_IN_PER_UNLOCK.attempts):
        assert sign_in(client, "alice", "guess").status_code == 200
    assert sign_in(client, "alice", "pw-alice").status_code == 429


def test_the_link_and_the_paused_page_store_no_username_or_address_in_the_clear(
    client, alice_with_email, django_capture_on_commit_callbacks
):
    guessed_everywhere("alice")
    sign_in(client, "alice", "guess")
    ask_for_link(client, django_capture_on_commit_callbacks, "alice")
    stored = " ".join(Attempt.objects.values_list("key", flat=True))
    assert "alice" not in stored and HOME not in stored


def test_the_paused_page_offers_the_link(client, alice):
    guessed_everywhere("alice")
    page = sign_in(client, "alice", "pw-alice").content.decode()
    assert "Can&#x27;t sign in? Email me a link" in page or "Can't sign in? Email me a link" in page
    assert 'action="/login/unlock/"' in page


def test_pruned_attempts_do_not_bring_a_spent_link_back_within_its_hour(
    client, alice_with_email, django_capture_on_commit_callbacks
):
    guessed_everywhere("alice")
    ask_for_link(client, django_capture_on_commit_callbacks, "alice")
    link = link_in(mail.outbox[0])
    client.get(link)
    sign_in(client, "alice", "pw-alice")
    # Another wrong password elsewhere prunes day-old rows, never the spent mark from just now.
    Attempt.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()
    assert Client().get(link).status_code == 400
