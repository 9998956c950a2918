"""The interactive docs at /api/v1/docs: Swagger UI from the files vendored from npm
(swagger-ui-dist, pinned in web/static/vendor/VERSIONS), started by a static script that reads
the OpenAPI document's address from the page. Nothing is loaded from a CDN and nothing runs
inline, so the page keeps to the site's Content-Security-Policy. Like the OpenAPI document it
needs no token; "Authorize" takes a personal access token for trying operations out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI


class VendoredSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "api/docs.html",
            {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)},
        )
