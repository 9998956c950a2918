"""A new site administrator's one-time link (`coproduce admin create`): rosa opens it, chooses
her password, and is taken straight on to set up two-step sign-in, which site administrators
must use. The link works once, for seven days, only while she is a site administrator, and a
newer link stops it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from coproduce.community.models import PasswordLink, Person
from coproduce.community.site_admins import site_admin_create, site_admin_link_create
from coproduce.core.models import AuditEvent

PASSWORD = "lantern over the weir"


@pytest.fixture
def rosa_link(db) -> tuple[Person, str]:
    rosa, _link, token = site_admin_create(email="rosa@example.org", name="Rosa Root")
    return rosa, f"/welcome/{token}/"


def _choose(client, path: str):
    return client.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})


def test_rosa_chooses_her_password_and_is_taken_on_to_two_step_sign_in(client, rosa_link):
    rosa, path = rosa_link
    page = client.get(path)
    assert page.status_code == 200
    assert b"rosa@example.org" in page.content  # her username
    response = _choose(client, path)
    assert response.status_code == 302
    assert response["Location"] == "/two-step/set-up/"
    assert client.session["_auth_user_id"] == str(rosa.pk)
    rosa.refresh_from_db()
    assert rosa.check_password(PASSWORD)
    used = AuditEvent.objects.get(action="person.password_link_used")
    assert used.actor == rosa and used.data["purpose"] == "admin_setup"
    # Until her second step is set up, every page sends her back to set it up.
    assert client.get("/site/")["Location"] == "/two-step/set-up/"
    assert client.get("/two-step/set-up/").status_code == 200


def test_the_link_works_once(client, rosa_link):
    rosa, path = rosa_link
    _choose(client, path)
    client.logout()
    rosa.refresh_from_db()
    password = rosa.password
    again = client.post(path, {"new_password1": "another one 123", "new_password2": "x"})
    assert again.status_code == 404
    assert client.get(path).status_code == 404
    rosa.refresh_from_db()
    assert rosa.password == password


def test_an_expired_link_does_not_work(client, rosa_link):
    rosa, path = rosa_link
    PasswordLink.objects.filter(person=rosa).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(path).status_code == 404
    assert _choose(client, path).status_code == 404
    rosa.refresh_from_db()
    assert not rosa.has_usable_password()


def test_the_link_lasts_seven_days(rosa_link):
    rosa, _path = rosa_link
    link = PasswordLink.objects.get(person=rosa)
    assert timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= timedelta(days=7)


def test_the_link_stops_when_she_is_no_longer_a_site_administrator(client, rosa_link):
    rosa, path = rosa_link
    Person.objects.filter(pk=rosa.pk).update(is_staff=False, is_superuser=False)
    assert client.get(path).status_code == 404
    assert _choose(client, path).status_code == 404


def test_a_newer_link_stops_the_older_one(client, rosa_link):
    _rosa, old_path = rosa_link
    _person, _link, token = site_admin_link_create(email="ROSA@example.org")
    assert client.get(old_path).status_code == 404
    assert client.get(f"/welcome/{token}/").status_code == 200


def test_the_printed_link_is_absolute(rosa_link):
    from coproduce.community.site_admins import password_link_url

    assert password_link_url("abcd").startswith(settings.SITE_URL + "/welcome/")
