"""Easy read (issue 16): a person turns it on from their profile page and it stays on, on every
page, until they turn it off: bigger text (a class on <html>), shorter sentences on the core
pages, and a picture beside each kind of help that screen readers skip (the name is beside it).
Visitors and everyone who has not chosen it get the usual pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.community.models import Person
from coproduce.core.categories import CATEGORY_ICONS, Category
from coproduce.exchanges.models import Offer

TOGGLE = reverse("community:easy_read")


@pytest.fixture
def lifts(riverside, bob):
    return Offer.objects.create(
        timebank=riverside, person=bob, title="Lifts to the surgery", category="transport",
        description="I drive into town on most weekday mornings, so I can take someone to the "
        "surgery or the chemist and bring them home again afterwards.",
        created_at=timezone.now(),
    )  # fmt: skip


def test_easy_read_is_off_until_a_person_turns_it_on(login, alice):
    page = login(alice).get("/")
    assert 'class="easy-read"' not in page.content.decode()
    assert Person.objects.get(pk=alice.pk).easy_read is False


def test_alice_turns_easy_read_on_and_it_is_remembered(login, alice, client):
    login(alice)
    profile = client.get(reverse("community:profile_me")).content.decode()
    assert "Turn easy read on" in profile

    response = client.post(TOGGLE, {"easy_read": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("community:profile_me")
    page = response.content.decode()
    assert "Easy read is on." in page and "Turn easy read off" in page
    assert Person.objects.get(pk=alice.pk).easy_read is True

    # Signed out and in again (another device): still on.
    client.logout()
    client.force_login(Person.objects.get(pk=alice.pk))
    assert (
        '<html lang="en-gb" data-theme="light" class="easy-read">'
        in client.get("/").content.decode()
    )

    client.post(TOGGLE, {"easy_read": "off"})
    assert Person.objects.get(pk=alice.pk).easy_read is False
    assert 'class="easy-read"' not in client.get("/").content.decode()


@pytest.mark.parametrize("sent", [{}, {"easy_read": "maybe"}, {"easy_read": ""}])
def test_a_bad_choice_is_explained_and_changes_nothing(login, alice, client, sent):
    login(alice)
    response = client.post(TOGGLE, sent, follow=True)
    assert "Choose whether easy read is on or off." in response.content.decode()
    assert Person.objects.get(pk=alice.pk).easy_read is False


def test_the_switch_answers_only_a_post_from_someone_signed_in(client, alice):
    assert client.post(TOGGLE, {"easy_read": "on"})["Location"].startswith(reverse("web:login"))
    assert Person.objects.get(pk=alice.pk).easy_read is False
    client.force_login(alice)
    assert client.get(TOGGLE).status_code == 405


def _easy(person) -> Person:
    person.easy_read = True
    person.save(update_fields=["easy_read"])
    return person


def test_the_core_pages_say_it_in_shorter_sentences(login, alice, lifts):
    client = login(alice)
    usual_home = client.get("/").content.decode()
    usual_offers = client.get(reverse("exchanges:offers")).content.decode()
    assert "One hour of help earns one time credit." not in usual_home

    client.force_login(_easy(alice))
    home = client.get("/").content.decode()
    offers = client.get(reverse("exchanges:offers")).content.decode()
    requests = client.get(reverse("exchanges:requests")).content.decode()
    offer = client.get(reverse("exchanges:offer", args=[lifts.public_id])).content.decode()
    statement = client.get(reverse("account:statement")).content.decode()
    assert "One hour of help earns one time credit." in home
    assert "People offer help here. Choose one. Then ask for it." in offers
    assert "People offer help here." not in usual_offers
    assert "People ask for help here. Choose one. Then offer to help." in requests
    assert "Want this help? Press “Propose an exchange”." in offer
    assert "You get hours when you help. You use hours when you get help." in statement
    # A listing's description is cut shorter in the list.
    assert "bring them home again" in usual_offers
    assert "bring them home again" not in offers


def test_each_kind_of_help_has_its_picture_hidden_from_screen_readers(login, alice, lifts):
    client = login(alice)
    assert "<svg" not in client.get(reverse("exchanges:offers")).content.decode()
    client.force_login(_easy(alice))
    offers = client.get(reverse("exchanges:offers")).content.decode()
    assert (
        '<span class="tag"><svg class="icon" aria-hidden="true" focusable="false" width="24" '
        'height="24"><use href="/static/vendor/lucide-static-icons.svg#car"></use></svg>'
        "Transport</span>"
    ) in offers


def test_every_kind_of_help_has_a_picture_in_the_sprite():
    from pathlib import Path

    import coproduce.web

    sprite = (
        Path(coproduce.web.__file__).parent / "static" / "vendor" / "lucide-static-icons.svg"
    ).read_text()
    assert set(CATEGORY_ICONS) == set(Category)
    for name in [*CATEGORY_ICONS.values(), "tag"]:
        assert f'<symbol id="{name}"' in sprite


def test_a_visitor_gets_the_usual_pages(client, riverside):
    page = client.get(reverse("web:login")).content.decode()
    assert 'class="easy-read"' not in page
