"""Django's own 400s come on the site's own page, in its layout, never as a bare "Bad Request
(400)" (issue 13: a 10 MB post)."""

from __future__ import annotations

from django.urls import reverse

from coproduce.exchanges.models import Offer


def test_a_10_mb_post_gets_the_sites_own_400_page(login, alice):
    client = login(alice)
    before = Offer.objects.count()
    response = client.post(
        reverse("exchanges:offer_new"),
        {"title": "x" * (10 * 1024 * 1024), "category": "gardening"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Bad Request (400)" not in page
    assert "too large for this site to read" in page and "2.6 MB" in page
    assert '<nav aria-label="Main">' in page  # the site's layout, signed in
    assert Offer.objects.count() == before


def test_a_visitors_oversized_post_gets_it_too(client, db):
    response = client.post(reverse("web:login"), {"username": "a" * (3 * 1024 * 1024)})
    assert response.status_code == 400
    assert "too large for this site to read" in response.content.decode()


def test_a_request_for_an_unknown_host_is_a_plain_400_not_a_500(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
