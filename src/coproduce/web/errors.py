"""Turns the ApplicationError family into pages: a 404 for NotFound, 403 for PermissionDenied,
and the message on a 400/409 page for the rest, so a bad link never becomes a 500."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
