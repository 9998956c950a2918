"""The signed-in person is read by our own backend with its SQL kept (community.authentication):
the person it reads is the one Django's backend read, a wrong password is still checked once,
and sessions that name Django's backend stay signed in (issue 17)."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from coproduce.community.authentication import PERSON_BACKEND, PersonBackend
from coproduce.community.models import Person

pytestmark = pytest.mark.django_db

DJANGOS_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def _columns(person: Person) -> dict[str, object]:
    return {f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields}


@pytest.fixture
def hashings(monkeypatch):
    """How many times a password was hashed: to check it ("verify", which hashes it inside) or
    to make one up ("encode")."""
    calls: list[str] = []
    verify, encode = MD5PasswordHasher.verify, MD5PasswordHasher.encode

    def counted_verify(self, password, encoded):
        calls.append("verify")
        calls.append("inside")
        try:
            return verify(self, password, encoded)
        finally:
            calls.remove("inside")

    def counted_encode(self, password, salt):
        if "inside" not in calls:
            calls.append("encode")
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "verify", counted_verify)
    monkeypatch.setattr(MD5PasswordHasher, "encode", counted_encode)
    return calls


def test_signing_in_names_our_backend_and_later_requests_read_alice(client, alice):
    assert _sign_in(client, "alice", "pw-alice").status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == PERSON_BACKEND
    assert client.get("/healthz").wsgi_request.user == alice


def test_a_session_that_names_djangos_backend_stays_signed_in(client, alice):
    client.force_login(alice, backend=DJANGOS_BACKEND)
    user = client.get("/healthz").wsgi_request.user
    assert user.is_authenticated and user == alice
    assert client.get("/offers/").status_code == 200


def test_a_wrong_password_is_hashed_once(client, alice, hashings):
    assert _sign_in(client, "alice", "not her password").status_code == 200
    assert hashings == ["verify"]
    assert BACKEND_SESSION_KEY not in client.session


def test_an_unknown_username_costs_one_hashing_as_a_wrong_password_does(client, alice, hashings):
    assert _sign_in(client, "nobody", "a guess").status_code == 200
    assert hashings == ["encode"]


def test_an_inactive_person_is_not_read_and_their_session_ends(client, alice):
    client.force_login(alice)
    Person.objects.filter(pk=alice.pk).update(is_active=False)
    assert PersonBackend().get_user(alice.pk) is None
    assert ModelBackend().get_user(alice.pk) is None  # as Django's backend says
    assert client.get("/healthz").wsgi_request.user.is_anonymous


def test_someone_who_is_not_there_is_not_read(alice):
    assert PersonBackend().get_user(alice.pk + 1000) is None


def test_the_person_read_is_the_one_djangos_backend_reads(alice, django_assert_num_queries):
    Person.objects.filter(pk=alice.pk).update(availability=["mon_am"], language="cy")
    expected = ModelBackend().get_user(alice.pk)
    with django_assert_num_queries(1):
        person = PersonBackend().get_user(alice.pk)
    assert person is not None and expected is not None
    assert _columns(person) == _columns(expected)
    assert person.availability == ["mon_am"]  # the JSON decoded, as the ORM decodes it
    assert person.last_login == expected.last_login and person.date_joined == expected.date_joined
    assert person.get_deferred_fields() == set()
    assert not person._state.adding and person._state.db == expected._state.db
    assert person.is_authenticated
    assert person.get_session_auth_hash() == expected.get_session_auth_hash()


def test_a_password_change_signs_alices_other_sessions_out(alice):
    laptop, phone = Client(), Client()
    assert _sign_in(laptop, "alice", "pw-alice").status_code == 302
    assert _sign_in(phone, "alice", "pw-alice").status_code == 302
    change = {
        "old_password": "pw-alice",
        "new_password1": "kettle on at four",
        "new_password2": "kettle on at four",
    }
    assert laptop.post("/password/", change).status_code == 302
    assert laptop.get("/healthz").wsgi_request.user == alice  # the one she changed it on
    assert phone.get("/healthz").wsgi_request.user.is_anonymous


def test_signing_out_ends_the_session(client, alice):
    _sign_in(client, "alice", "pw-alice")
    assert client.post("/logout/").status_code == 302
    assert client.get("/healthz").wsgi_request.user.is_anonymous
