"""The offer page's "Who" links to the person's profile, for those who may open it (issue 13)."""

from __future__ import annotations

from django.urls import reverse


def test_who_on_an_offer_links_to_the_profile(post, alice, bob, login):
    offer = post(alice, "offer", "Help with gardening", category="gardening")
    page = login(bob).get(reverse("exchanges:offer", args=[offer.public_id])).content.decode()
    profile = reverse("community:profile", args=[alice.public_id])
    assert f'<a href="{profile}">Alice' in page
    assert login(bob).get(profile).status_code == 200


def test_a_professional_sees_the_name_without_a_link_that_would_404(post, alice, dr_patel, login):
    """Professionals do not browse members: the name is shown, not a dead link."""
    offer = post(alice, "offer", "Help with gardening", category="gardening")
    page = login(dr_patel).get(reverse("exchanges:offer", args=[offer.public_id])).content.decode()
    profile = reverse("community:profile", args=[alice.public_id])
    assert "Alice" in page and profile not in page
