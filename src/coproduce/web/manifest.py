"""The web app manifest (/manifest.webmanifest), so members can put the time bank on their
phone's home screen. Named after the current time bank when there is one, else the site; the
icons are the app's own files under web/static/web/icons (scripts/make-icons.py draws the PNGs
from the favicon's mark), so nothing comes from another site."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET

THEME_COLOUR = "#1d4ed8"  # the blue of the mark and of focus outlines (coproduce.css)
SHORT_NAME_LENGTH = 12  # what a home screen shows under an icon without cutting it


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    timebank = getattr(request, "timebank", None)
    name = timebank.name if timebank is not None else "Coproduce"
    short_name = name if len(name) <= SHORT_NAME_LENGTH else name[: SHORT_NAME_LENGTH - 1] + "…"
    body = {
        "name": name,
        "short_name": short_name,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {
                "src": static("web/icons/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any maskable",
            },
            {
                "src": static("web/icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any maskable",
            },
            {"src": static("web/icons/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
    # Named after the person's time bank: kept by their browser only, and not for long.
    response["Cache-Control"] = "private, max-age=3600"
    return response
