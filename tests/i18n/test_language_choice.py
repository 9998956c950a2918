"""Which language a page speaks, and the switcher on every page (issue 16).

The order: the person's own choice, then this browser's choice, then the time bank's default,
then the browser's Accept-Language, then English (web/language.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from coproduce.community.models import Person

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def _page_language(response) -> str:
    text = response.content.decode()
    return text.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_visitor_chooses_welsh_and_the_next_page_is_welsh(client, riverside):
    page = client.get("/login/")
    assert _page_language(page) == "en-gb"
    assert 'value="cy"' in page.content.decode()  # every page offers the switcher

    answer = client.post("/language/", {"language": "cy", "next": "/login/"})
    assert answer.status_code == 302 and answer["Location"] == "/login/"
    assert client.cookies[COOKIE].value == "cy"
    page = client.get("/login/")
    assert _page_language(page) == "cy"
    assert "Mewngofnodi" in page.content.decode()  # "Sign in"


def test_alices_choice_is_kept_on_her_profile_and_follows_her_to_another_browser(
    client, alice, login
):
    login(alice).post("/language/", {"language": "es", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "es"

    client.cookies.clear()  # another browser, no cookie
    client.force_login(alice)
    assert _page_language(client.get("/")) == "es"


def test_a_members_page_follows_their_time_bank_unless_they_chose(client, riverside, bob, login):
    riverside.language = "ca"
    riverside.save()
    assert _page_language(login(bob).get("/")) == "ca"
    bob.language = "cy"
    bob.save()
    assert _page_language(client.get("/")) == "cy"


def test_a_visitor_sees_the_only_time_banks_language_before_the_browsers(client, riverside):
    riverside.language = "cy"
    riverside.save()
    assert _page_language(client.get("/login/", HTTP_ACCEPT_LANGUAGE="es")) == "cy"


def test_with_several_time_banks_a_visitor_gets_the_browsers_language(client, riverside, hillside):
    assert _page_language(client.get("/login/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")) == "es"
    assert _page_language(client.get("/login/", HTTP_ACCEPT_LANGUAGE="de")) == "en-gb"


def test_a_language_we_do_not_have_is_refused_and_changes_nothing(client, alice, login):
    answer = login(alice).post("/language/", {"language": "xx", "next": "/"})
    assert answer.status_code == 400
    assert "Choose one of the languages offered." in answer.content.decode()
    alice.refresh_from_db()
    assert alice.language == ""
    assert COOKIE not in answer.cookies


def test_the_switcher_never_sends_anyone_to_another_site(client, riverside):
    answer = client.post("/language/", {"language": "es", "next": "https://evil.example/"})
    assert answer["Location"] == "/"


def test_the_profile_page_sets_or_clears_a_persons_own_language(client, alice, login):
    form = {"gives": "Gardening", "contact_preference": "coordinator", "notify_by_email": "no"}
    login(alice)
    answer = client.post("/profile/edit/", {**form, "language": "cy"})
    assert answer.status_code == 302
    assert Person.objects.get(pk=alice.pk).language == "cy"
    client.post("/profile/edit/", {**form, "language": ""})
    assert Person.objects.get(pk=alice.pk).language == ""
    answer = client.post("/profile/edit/", {**form, "language": "xx"})
    assert answer.status_code == 200  # the form says what is wrong
    assert Person.objects.get(pk=alice.pk).language == ""


def test_dates_are_written_in_the_pages_language():
    template = Template('{{ day|date:"j F Y" }}')
    with translation.override("cy"):
        assert template.render(Context({"day": date(2026, 12, 6)})) == "6 Rhagfyr 2026"
    with translation.override("es"):
        assert template.render(Context({"day": date(2026, 12, 6)})) == "6 diciembre 2026"
