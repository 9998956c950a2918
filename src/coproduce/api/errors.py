"""The API's error bodies: always `{"detail": …, "code": …}`.

The ApplicationError family is mapped here once: NotFound → 404, PermissionDenied → 403,
Conflict → 409, a refused token → 401, anything else a person got wrong → 400. Ninja's own
validation errors keep their 422, with the list of fields and what is wrong with each.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from coproduce.core.errors import ApplicationError


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"detail": message, "code": code}


def application_error_body(exc: ApplicationError) -> dict[str, Any]:
    return error_body(exc.message, exc.code)


def install_error_handlers(api: NinjaAPI) -> None:
    def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        response = api.create_response(request, application_error_body(exc), status=exc.http_status)
        if exc.http_status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_no_credentials(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(
            request,
            error_body(
                _("Send a personal access token as “Authorization: Bearer <token>”."),
                "not_authenticated",
            ),
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(
            request, error_body(exc.message, "bad_request"), status=exc.status_code
        )

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request, {"detail": exc.errors, "code": "invalid_request"}, status=422
        )

    # ninja's annotation wants handlers that also take the class; they never receive it.
    api.add_exception_handler(ApplicationError, on_application_error)  # type: ignore[arg-type]
    api.add_exception_handler(AuthenticationError, on_no_credentials)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, on_http_error)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, on_validation_error)  # type: ignore[arg-type]
