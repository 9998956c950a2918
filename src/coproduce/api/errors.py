"""The API's error bodies: always `{"detail": …, "code": …}`, always JSON.

The ApplicationError family is mapped here once: NotFound → 404, PermissionDenied → 403,
Conflict → 409, a refused token → 401, anything else a person got wrong → 400. A body that is
not JSON is a 400 (`bad_request`) and one larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` a 413
(`too_large`), instead of Django's HTML page. Ninja's own validation errors keep their 422, with
the list of fields and what is wrong with each (`InvalidOut`: `loc`, `msg`, `type`). Every
operation documents the statuses it can send with these bodies (`schemas.responses`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from coproduce.core.errors import ApplicationError


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"detail": message, "code": code}


def application_error_body(exc: ApplicationError) -> dict[str, Any]:
    return error_body(exc.message, exc.code)


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors as documented (`FieldErrorOut`): where, what and which kind. A text
    rule's ValueError reads as its own message, without pydantic's "Value error, " before it."""
    out = []
    for error in errors:
        message = str(error.get("msg", ""))
        if error.get("type") == "value_error" and "error" in error.get("ctx", {}):
            message = str(error["ctx"]["error"])
        out.append(
            {
                "loc": [p if isinstance(p, int) else str(p) for p in error.get("loc", ())],
                "msg": message,
                "type": str(error.get("type", "invalid")),
            }
        )
    return out


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
        message = exc.message
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # ninja could not parse the body (a JSONDecodeError or bytes that are not UTF-8).
            message = _("The request body is not valid JSON.")
        return api.create_response(
            request, error_body(message, "bad_request"), status=exc.status_code
        )

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request,
            {"detail": field_errors(list(exc.errors)), "code": "invalid_request"},
            status=422,
        )

    def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return api.create_response(
            request,
            error_body(
                _("The request body is too large (at most %(n)d bytes).")
                % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
                "too_large",
            ),
            status=413,
        )

    # ninja's annotation wants handlers that also take the class; they never receive it.
    api.add_exception_handler(ApplicationError, on_application_error)  # type: ignore[arg-type]
    api.add_exception_handler(AuthenticationError, on_no_credentials)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, on_http_error)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, on_validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(RequestDataTooBig, on_too_large)  # type: ignore[arg-type]
