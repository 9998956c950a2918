"""Wrong passwords are limited, so nobody can guess a member's password by trying: after ten
for one username from one address in 15 minutes, signing in as them from there is paused without
the password even being checked; alice's own mistakes are forgotten once she signs in. A
stranger's guesses from elsewhere do not pause alice (issue #10, case 6): only a hundred from
everywhere do, and then her unlock link lets her in (test_sign_in_unlock.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce.core.models import Attempt
from coproduce.core.throttle import SIGN_IN_PER_ADDRESS, SIGN_IN_PER_PAIR, SIGN_IN_PER_USERNAME

pytestmark = pytest.mark.django_db


def sign_in(client, username: str, password: str, address: str = "192.0.2.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_ten_wrong_passwords_from_one_address_pause_alice_there_even_with_the_right_one(
    client, alice
):
    for _ in range(SIGN_IN_PER_PAIR.attempts):
        assert sign_in(client, "alice", "not her password").status_code == 200
    paused = sign_in(client, "alice", "pw-alice")
    assert paused.status_code == 429
    assert "too many wrong passwords" in paused.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_pause_counts_every_spelling_of_the_username(client, alice):
    for i in range(SIGN_IN_PER_PAIR.attempts):
        sign_in(client, "ALICE" if i % 2 else " alice", "guess")
    assert sign_in(client, "Alice", "pw-alice").status_code == 429


def test_the_pause_ends_after_fifteen_minutes(client, alice):
    for _ in range(SIGN_IN_PER_PAIR.attempts):
        sign_in(client, "alice", "guess")
    Attempt.objects.update(at=timezone.now() - timedelta(minutes=16))
    response = sign_in(client, "alice", "pw-alice")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_few_mistakes_then_the_right_password_signs_alice_in_and_clears_them(client, alice):
    for _ in range(SIGN_IN_PER_PAIR.attempts - 1):
        sign_in(client, "alice", "guess")
    assert sign_in(client, "alice", "pw-alice").status_code == 302
    assert not Attempt.objects.filter(scope=SIGN_IN_PER_PAIR.scope).exists()
    # The count across every address is not reset by the owner: a guesser spreading tries over
    # many addresses would otherwise get a fresh hundred each time alice signs in.
    assert Attempt.objects.filter(scope=SIGN_IN_PER_USERNAME.scope).count() == 9


def test_bobs_wrong_passwords_do_not_pause_alice(client, alice, bob):
    for _ in range(SIGN_IN_PER_PAIR.attempts):
        sign_in(client, "bob", "guess")
    assert sign_in(client, "alice", "pw-alice").status_code == 302


def test_one_address_trying_many_usernames_is_paused(client, alice):
    for i in range(SIGN_IN_PER_ADDRESS.attempts):
        sign_in(client, f"someone{i}", "guess", address="198.51.100.7")
    assert sign_in(client, "alice", "pw-alice", address="198.51.100.7").status_code == 429
    assert sign_in(client, "alice", "pw-alice", address="198.51.100.8").status_code == 302


def test_neither_username_nor_address_is_stored_in_the_clear(client, alice):
    sign_in(client, "alice", "guess", address="203.0.113.9")
    stored = " ".join(Attempt.objects.values_list("key", flat=True))
    assert "alice" not in stored and "203.0.113.9" not in stored


def test_behind_an_unconfigured_local_proxy_one_persons_guesses_do_not_pause_everyone(
    client, alice
):
    for i in range(SIGN_IN_PER_ADDRESS.attempts + 5):
        sign_in(client, f"someone{i}", "guess", address="127.0.0.1")
    assert sign_in(client, "alice", "pw-alice", address="127.0.0.1").status_code == 302


def test_behind_a_configured_proxy_the_address_is_the_one_the_proxy_saw(client, alice, settings):
    settings.PROXY_HOPS = 1

    def through_proxy(username, password, seen):
        # The client forged the first entry; nginx appended the address it really saw.
        return client.post(
            "/login/",
            {"username": username, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.9.9.9, {seen}",
        )

    for i in range(SIGN_IN_PER_ADDRESS.attempts):
        through_proxy(f"someone{i}", "guess", seen="198.51.100.7")
    assert through_proxy("alice", "pw-alice", seen="198.51.100.7").status_code == 429
    assert through_proxy("alice", "pw-alice", seen="198.51.100.8").status_code == 302


def test_mallorys_ten_guesses_from_her_address_do_not_stop_alice_signing_in_from_hers(
    client, alice
):
    for _ in range(SIGN_IN_PER_PAIR.attempts):
        sign_in(client, "alice", "guess", address="10.0.0.9")
    assert sign_in(client, "alice", "pw-alice", address="10.0.0.9").status_code == 429
    response = sign_in(client, "alice", "pw-alice", address="10.0.0.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_hundred_guesses_from_many_addresses_pause_alice_everywhere(client, alice):
    for i in range(SIGN_IN_PER_USERNAME.attempts):
        sign_in(client, "alice", "guess", address=f"10.1.{i // 200}.{i % 200 + 1}")
    paused = sign_in(client, "alice", "pw-alice", address="10.0.0.7")
    assert paused.status_code == 429
    assert "Email me a link" in paused.content.decode()
    assert "_auth_user_id" not in client.session


def test_ninety_nine_guesses_from_many_addresses_do_not_pause_alice(client, alice):
    for i in range(SIGN_IN_PER_USERNAME.attempts - 1):
        sign_in(client, "alice", "guess", address=f"10.1.{i // 200}.{i % 200 + 1}")
    assert sign_in(client, "alice", "pw-alice", address="10.0.0.7").status_code == 302


def test_the_limits_keep_their_documented_sizes():
    assert (SIGN_IN_PER_PAIR.attempts, SIGN_IN_PER_PAIR.minutes) == (10, 15)
    assert (SIGN_IN_PER_ADDRESS.attempts, SIGN_IN_PER_ADDRESS.minutes) == (50, 15)
    assert (SIGN_IN_PER_USERNAME.attempts, SIGN_IN_PER_USERNAME.minutes) == (100, 15)
