"""Members can put their time bank on their phone's home screen (issue 12): every page links a
favicon, the manifest and a theme colour; the manifest is served as one, named after the time
bank, and its icons are the app's own files (nothing from another site)."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.staticfiles import finders
from PIL import Image


def test_every_page_links_the_favicon_manifest_and_theme_colour(client, riverside):
    page = client.get("/login/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="icon" href="/static/web/icons/favicon.svg" type="image/svg+xml"' in page
    assert '<meta name="theme-color" content="#1d4ed8">' in page


def test_the_manifest_is_served_with_its_content_type_and_the_sites_name(client, db):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["name"], manifest["short_name"]) == ("Coproduce", "Coproduce")
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512", "any"}
    assert all(icon["src"].startswith("/static/") for icon in manifest["icons"])


def test_a_members_manifest_is_named_after_their_time_bank(login, alice, riverside):
    manifest = json.loads(login(alice).get("/manifest.webmanifest").content)
    assert manifest["name"] == "Riverside Time Bank"
    assert manifest["short_name"] == "Riverside T…"


def test_the_icons_are_the_apps_own_files_of_the_sizes_announced():
    for size in (192, 512):
        path = finders.find(f"web/icons/icon-{size}.png")
        assert path, size
        with Image.open(path) as image:
            assert (image.format, image.size) == ("PNG", (size, size))
    svg = finders.find("web/icons/favicon.svg")
    assert svg
    assert Path(svg).read_text().startswith("<svg")


def test_the_manifest_answers_only_get(client, db):
    assert client.post("/manifest.webmanifest").status_code == 405
