"""A coordinator gives a member a way in through the API: ezra came in with carol's old
spreadsheet, with no password. Carol asks whether she may make him a link, makes one (in the
answer once, recorded as on the web, ezra told), and he chooses his own password with it. She may
not for anyone who has signed in or belongs elsewhere, and nobody else may at all."""

from __future__ import annotations

import pytest
from django.conf import settings

from coproduce.community.models import PasswordLink, Person
from coproduce.core.models import AuditEvent, Notification
from tests.conftest import _join, _person

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "river walk at dawn"


@pytest.fixture
def ezra(riverside):
    """Imported without a password; has never signed in."""
    person = _join(riverside, _person("ezra", "Ezra", "Eze"))
    person.set_unusable_password()
    person.save(update_fields=["password"])
    return person


def _state() -> tuple[int, int, int]:
    return (
        PasswordLink.objects.count(),
        AuditEvent.objects.filter(action="person.password_link_created").count(),
        Notification.objects.filter(kind="password_link").count(),
    )


def test_carol_makes_ezra_a_link_once_and_he_chooses_his_password(client, api_as, carol, ezra):
    as_carol = api_as(carol)
    path = f"/coordinator/members/{ezra.public_id}/sign-in-link"
    assert as_carol.get(path).json()["allowed"] is True

    made = as_carol.post(path)

    assert made.status_code == 201, made.content
    assert made["Cache-Control"] == "no-store"
    body = made.json()
    assert body["person"]["username"] == "ezra"
    assert body["url"].startswith(settings.SITE_URL + "/welcome/")
    created = AuditEvent.objects.get(action="person.password_link_created")
    assert created.actor == carol and created.on_behalf_of == ezra
    assert Notification.objects.filter(person=ezra, kind="password_link").exists()
    state = as_carol.get(path).json()
    assert state["live_link"]["created_by"]["username"] == "carol"
    assert body["url"] not in str(state) and "url" not in state["live_link"]
    # Nothing stored would let anyone read it back.
    token = body["url"].rstrip("/").rsplit("/", 1)[-1]
    assert not PasswordLink.objects.filter(token_hash=token).exists()

    welcome = body["url"].removeprefix(settings.SITE_URL)
    response = client.post(welcome, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    ezra.refresh_from_db()
    assert ezra.check_password(NEW_PASSWORD)


def test_a_second_link_stops_the_first(client, api_as, carol, ezra):
    as_carol = api_as(carol)
    path = f"/coordinator/members/{ezra.public_id}/sign-in-link"
    first = as_carol.post(path).json()["url"]

    second = as_carol.post(path, key="a-retry-makes-a-new-link").json()["url"]

    assert second != first
    assert client.get(first.removeprefix(settings.SITE_URL)).status_code == 404
    assert client.get(second.removeprefix(settings.SITE_URL)).status_code == 200


def test_no_link_for_someone_who_has_signed_in_and_nothing_is_made(api_as, carol, bob):
    from django.utils import timezone

    Person.objects.filter(pk=bob.pk).update(last_login=timezone.now())
    as_carol = api_as(carol)
    path = f"/coordinator/members/{bob.public_id}/sign-in-link"
    before = _state()

    state = as_carol.get(path).json()
    refused = as_carol.post(path)

    assert state["allowed"] is False and state["code"] == "signed_in" and state["reason"]
    assert refused.status_code == 403
    assert refused.json()["code"] == "handover_signed_in"
    assert _state() == before


def test_no_link_for_another_coordinator_or_a_professional(api_as, carol, dr_patel, riverside):
    other = _join(riverside, _person("cora", "Cora", "Cole"), role="coordinator")
    before = _state()

    for person in (other, dr_patel):
        refused = api_as(carol).post(f"/coordinator/members/{person.public_id}/sign-in-link")
        assert refused.status_code == 403, person

    assert _state() == before


def test_a_read_only_token_makes_no_link(api_as, carol, ezra):
    before = _state()

    refused = api_as(carol, write=False).post(f"/coordinator/members/{ezra.public_id}/sign-in-link")

    assert refused.status_code == 403
    assert refused.json()["code"] == "read_only_token"
    assert _state() == before


@pytest.mark.parametrize("who", ["alice", "bob", "dr_patel", "harry"])
def test_no_one_but_the_banks_coordinator_makes_or_sees_a_link(request, api_as, ezra, who):
    api = api_as(request.getfixturevalue(who))
    path = f"/coordinator/members/{ezra.public_id}/sign-in-link"
    before = _state()

    assert api.get(path).status_code == 404
    assert api.post(path).status_code == 404
    assert _state() == before
