"""The one-time link with which a member chooses their own password (issue 10): a coordinator
never chooses it (tests/community/test_password_takeover.py says for whom there is no link).

The story: ezra came in with carol's old spreadsheet, with no password and no email. Carol makes
him a link and prints the letter; ezra opens it, chooses his password and is signed in. The link
works once, for seven days, only the newest one works, and it cannot be guessed or read back.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from coproduce.community import selectors, tokens
from coproduce.community.models import (
    Membership,
    MembershipStatus,
    PasswordLink,
    Person,
)
from coproduce.core.models import AuditEvent, Notification

NEW_PASSWORD = "river walk at dawn"
STRANGER = "203.0.113.7"  # an address the limits count (loopback ones are not limited)


def _state(person: Person) -> tuple[str, int, int]:
    """The password hash, the person's links, and audit rows of links made or used."""
    person.refresh_from_db()
    audits = AuditEvent.objects.filter(
        action__in=["person.password_link_created", "person.password_link_used"]
    ).count()
    return person.password, PasswordLink.objects.filter(person=person).count(), audits


def _make_link(login, carol, person: Person) -> str:
    """Carol makes a link for `person` and reads it off the letter; returns its path."""
    response = login(carol).post(f"/members/{person.public_id}/sign-in-link/")
    assert response.status_code == 200
    url = response.context["url"]
    assert url.startswith(settings.SITE_URL + "/welcome/")
    return url.removeprefix(settings.SITE_URL)


# --- The one-time link ------------------------------------------------------------------------


def test_carol_hands_ezra_a_link_and_he_chooses_his_own_password(client, login, carol, ezra):
    assert not ezra.has_usable_password()
    page = login(carol).get(f"/members/{ezra.public_id}/edit/")
    assert f"/members/{ezra.public_id}/sign-in-link/".encode() in page.content

    letter = login(carol).post(f"/members/{ezra.public_id}/sign-in-link/")
    assert letter.status_code == 200
    assert b"Dear Ezra" in letter.content
    assert b"ezra</strong>" in letter.content  # his username, to sign in with later
    assert b"<script>" not in letter.content and b"onclick" not in letter.content
    assert b"web/print.js" in letter.content
    assert letter["Cache-Control"].startswith("max-age=0")
    path = letter.context["url"].removeprefix(settings.SITE_URL)
    created = AuditEvent.objects.get(action="person.password_link_created")
    assert created.actor == carol and created.on_behalf_of == ezra
    assert Notification.objects.filter(person=ezra, kind="password_link").exists()

    client.logout()
    form = client.get(path)
    assert form.status_code == 200
    assert b"ezra" in form.content
    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ezra.pk)  # signed in

    ezra.refresh_from_db()
    assert ezra.check_password(NEW_PASSWORD)
    assert ezra.last_login is not None
    used = AuditEvent.objects.get(action="person.password_link_used")
    assert used.actor == ezra
    assert PasswordLink.objects.get().used_at is not None


def test_a_link_works_only_once(client, login, carol, ezra):
    path = _make_link(login, carol, ezra)
    client.logout()
    client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()
    before = _state(ezra)

    again = client.post(
        path, {"new_password1": "someone else's", "new_password2": "someone else's"}
    )

    assert again.status_code == 404
    assert b"This link does not work" in again.content
    assert b"Ezra" not in again.content and b"ezra" not in again.content
    assert _state(ezra) == before
    assert client.get(path).status_code == 404


def test_an_expired_link_changes_nothing(client, login, carol, ezra):
    path = _make_link(login, carol, ezra)
    PasswordLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    before = _state(ezra)

    assert client.get(path).status_code == 404
    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 404
    assert b"Ezra" not in response.content
    assert _state(ezra) == before
    assert "_auth_user_id" not in client.session


def test_a_new_link_stops_the_older_one(client, login, carol, ezra):
    first = _make_link(login, carol, ezra)
    page = login(carol).get(f"/members/{ezra.public_id}/sign-in-link/")
    assert b"has not been used yet" in page.content
    second = _make_link(login, carol, ezra)
    client.logout()

    assert (
        client.post(
            first, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        ).status_code
        == 404
    )
    ezra.refresh_from_db()
    assert not ezra.has_usable_password()
    assert PasswordLink.objects.filter(revoked_at__isnull=False).count() == 1
    assert (
        AuditEvent.objects.filter(action="person.password_link_created")
        .last()
        .data["revoked_older"]
        == 1
    )

    response = client.post(second, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302


def test_a_link_stops_working_when_ezra_becomes_more_than_a_member(
    client, login, carol, ezra, hillside
):
    # Made while he was only Riverside's member; since then he has applied to Hillside.
    path = _make_link(login, carol, ezra)
    Membership.objects.create(timebank=hillside, person=ezra, status=MembershipStatus.APPLIED)
    client.logout()
    before = _state(ezra)

    assert client.get(path).status_code == 404
    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 404
    assert _state(ezra) == before


def test_a_weak_password_is_refused_and_the_link_still_works(client, login, carol, ezra):
    path = _make_link(login, carol, ezra)
    client.logout()
    weak = client.post(path, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200
    assert b"too common" in weak.content
    mismatched = client.post(
        path, {"new_password1": "river walk a", "new_password2": "river walk b"}
    )
    assert mismatched.status_code == 200
    ezra.refresh_from_db()
    assert not ezra.has_usable_password()
    assert PasswordLink.objects.get().used_at is None

    good = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert good.status_code == 302


def test_a_link_typed_from_the_letter_in_capitals_without_dashes_works(client, login, carol, ezra):
    path = _make_link(login, carol, ezra)
    token = path.removeprefix("/welcome/").removesuffix("/")
    client.logout()
    typed = f"/welcome/{token.replace('-', '').upper()}/"
    response = client.post(typed, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    ezra.refresh_from_db()
    assert ezra.check_password(NEW_PASSWORD)


def test_a_link_cannot_be_guessed_or_read_back_from_the_database(login, carol, ezra):
    assert tokens.BITS >= 128
    made = {tokens.token_new() for _ in range(200)}
    assert len(made) == 200
    assert all(tokens.token_normalised(token) is not None for token in made)

    path = _make_link(login, carol, ezra)
    token = path.removeprefix("/welcome/").removesuffix("/")
    raw = tokens.token_normalised(token)
    assert raw is not None and len(raw) == tokens.LENGTH
    row = PasswordLink.objects.values().get()
    stored = " ".join(str(value) for value in row.values())
    assert token not in stored and raw not in stored
    assert row["token_hash"] == tokens.token_hash(token)
    audits = " ".join(str(event.data) for event in AuditEvent.objects.all())
    assert raw not in audits and token not in audits


@pytest.mark.parametrize("token", ["abcd", "x" * 500, "2345-6789-abcd-efgh-jkmn-pqrs-tuvw"])
def test_an_unknown_link_says_only_that_it_does_not_work(client, ezra, token):
    response = client.get(f"/welcome/{token}/")
    assert response.status_code == 404
    assert b"This link does not work" in response.content
    assert b"ezra" not in response.content.lower()


def test_guessing_links_from_one_address_is_paused(client, login, carol, ezra):
    path = _make_link(login, carol, ezra)
    client.logout()
    for _ in range(20):
        guess = f"/welcome/{tokens.token_new()}/"
        assert client.get(guess, REMOTE_ADDR=STRANGER).status_code == 404
    paused = client.post(
        path,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=STRANGER,
    )
    assert paused.status_code == 429
    ezra.refresh_from_db()
    assert not ezra.has_usable_password()
    # Another address (ezra at home) is not stopped by the guesser.
    assert client.get(path, REMOTE_ADDR="198.51.100.2").status_code == 200


def test_only_ezras_coordinator_can_make_his_link(client, login, ezra, bob, harry):
    url = f"/members/{ezra.public_id}/sign-in-link/"
    assert login(bob).post(url).status_code == 404
    assert login(harry).post(url).status_code == 404
    client.logout()
    assert client.post(url).status_code == 302  # to sign in
    assert not PasswordLink.objects.exists()


def test_the_rule_says_why_there_is_no_link(
    client, riverside, carol, ezra, dave, dr_patel, harry_applies_to_riverside
):
    def why(person: Person) -> str:
        return selectors.password_handover_allowed(person=person, timebank=riverside).code

    assert selectors.password_handover_allowed(person=ezra, timebank=riverside)
    assert why(dave) == "role"
    assert why(dr_patel) == "role"
    assert why(harry_applies_to_riverside) == "elsewhere"
    Membership.objects.filter(person=ezra).update(status=MembershipStatus.LEFT)
    assert why(ezra) == "left"
    assert client.login(username="carol", password="pw-carol")
    carol.refresh_from_db()
    assert why(carol) == "signed_in"
