"""Turns the ApplicationError family into pages: a 404 for NotFound, 403 for PermissionDenied,
and the message on a 400/409 page for the rest, so a bad link never becomes a 500; a NUL in
a query string or form into a 400 page before any view runs; and Django's own 400s (a form too
large to read, a bad host) into the site's 400 page instead of a bare "Bad Request (400)"."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from coproduce.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        return render(
            request,
            "web/error.html",
            {"message": exception.message, "status": exception.http_status},
            status=exception.http_status,
        )


class NulRefusedMiddleware:
    """A NUL in a page's query string or form is a 400 page, whatever the view does with it.

    No browser sends one and no database stores one (PostgreSQL refuses it: a lookup such as
    `?timebank=a%00` used to be a 500 there). Forms refuse the other control characters field by
    field (`core.text`); this is the one character that must never reach a query. The API answers
    for itself with a 422 naming the field, so /api/ is left to it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith("/api/") and (
            _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST))
        ):
            return render(
                request,
                "web/error.html",
                {
                    "message": _(
                        "The address or form contained a NUL character, which cannot be "
                        "used. Go back and type it again."
                    ),
                    "status": 400,
                },
                status=400,
            )
        return self.get_response(request)


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """`handler400`: what Django refuses before any view runs, on the site's own page. A post
    over DATA_UPLOAD_MAX_MEMORY_SIZE (a huge paste, a file where none is expected) says so."""
    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent)):
        most = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        message = _(
            "What you sent is too large for this site to read (the most is %(size)s). Go back, "
            "shorten it and try again."
        ) % {"size": f"{most / 1_000_000:.1f} MB"}
    else:
        message = _("The page could not understand that request. Go back and try again.")
    return render(request, "web/error.html", {"message": message, "status": 400}, status=400)
