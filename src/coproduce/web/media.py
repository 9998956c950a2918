"""Uploaded pictures (logos, profile and listing photos) at /media/, straight from the app, so an
installation served by `coproduce serve` alone (a laptop in a village hall) shows them. Behind
nginx or Caddy the web server serves /media/ itself and these requests never arrive here
(docs/OPERATIONS.md, "Uploaded files").

Only what the app wrote is there: pictures it redrew itself (core.images), under random names
that never change, so they are cached for a year, never sniffed as another type, and never
listed (Django's `static.serve` with `show_indexes=False` keeps every path inside MEDIA_ROOT)."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_safe
from django.views.static import serve

YEAR = 365 * 24 * 3600


@require_safe
def media(request: HttpRequest, path: str) -> FileResponse:
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT), show_indexes=False)
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
