"""Uploaded pictures at /media/ from the app itself, for an installation served by `coproduce
serve` alone: a stored picture is served with a long cache and no sniffing, nothing outside the
media folder is reachable, and nothing but GET and HEAD is answered."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "photos" / "people").mkdir(parents=True)
    (settings.MEDIA_ROOT / "photos" / "people" / "a1b2.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "secret_key").write_text("do not serve me")
    return settings.MEDIA_ROOT


def test_a_stored_picture_is_served_for_a_year_and_never_sniffed(client, media):
    response = client.get("/media/photos/people/a1b2.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_nothing_outside_the_media_folder_and_no_listing(client, media):
    assert client.get("/media/../secret_key").status_code in (400, 404)
    assert client.get("/media/photos/%2e%2e/%2e%2e/secret_key").status_code in (400, 404)
    assert client.get("/media/photos/people/").status_code == 404
    assert client.get("/media/photos/people/missing.jpg").status_code == 404


def test_only_get_and_head(client, media):
    assert client.post("/media/photos/people/a1b2.jpg").status_code == 405
