"""A member reads the thanks they received on "My profile", the private ones too (issue 13)."""

from __future__ import annotations

from django.urls import reverse

from coproduce.exchanges.services.feedback import feedback_give
from tests.exchanges.conftest import step


def test_alice_reads_her_thanks_on_my_profile(garden, alice, bob, login):
    empty = login(alice).get(reverse("community:profile_me")).content.decode()
    assert "Thanks I have received" in empty and "No thanks yet" in empty
    step(garden, "confirmed")
    feedback_give(exchange=garden, author=bob, about_person=alice, message="Lovely job")
    page = login(alice).get(reverse("community:profile_me")).content.decode()
    assert "Lovely job" in page and "— Bob" in page
    assert "kept between the two of you" not in page


def test_private_thanks_show_only_to_the_person_thanked(garden, alice, bob, carol, login):
    step(garden, "confirmed")
    feedback_give(
        exchange=garden, author=bob, about_person=alice, message="Just for you", private=True
    )
    mine = login(alice).get(reverse("community:profile_me")).content.decode()
    assert "Just for you" in mine and "kept between the two of you" in mine
    public = login(carol).get(reverse("community:profile", args=[alice.public_id]))
    assert "Just for you" not in public.content.decode()
