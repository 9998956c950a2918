"""When the database cannot be used: a 503 page that says so, never a traceback.

Two troubles are told apart from the error the database driver raised:
- **unreachable**: the database server cannot be reached or is shutting down (PostgreSQL: the
  connection refused or lost, SQLSTATE class 08, 57P01 to 57P03, too many connections; SQLite: the
  file cannot be opened or read). The page asks people to try again in a minute; Django opens a
  new connection on the next request, so service resumes by itself when the database returns.
- **full**: the database's disk (or SQLite's `max_page_count`) is full (PostgreSQL 53100, SQLite
  SQLITE_FULL). The write was rolled back whole; reads still work; the page says the storage is
  full and nothing was saved.

`DatabaseUnavailableMiddleware` answers for errors raised by views; `server_error` (handler500)
for those raised in middleware before any view runs (a session or a time bank being looked up).
The API gets the same as JSON (`{"detail": …, "code": …}`). Both answer with Retry-After.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

UNREACHABLE = "unreachable"
FULL = "full"

# PostgreSQL's SQLSTATEs that mean "the server is not there for you now".
_PG_UNREACHABLE = {"57P01", "57P02", "57P03", "53300"}
_PG_FULL = {"53100"}
_RETRY_AFTER = {UNREACHABLE: "30", FULL: "300"}


def database_trouble(exc: BaseException | None) -> str | None:
    """UNREACHABLE, FULL, or None when `exc` is not a database that cannot be used."""
    if isinstance(exc, InterfaceError):
        return UNREACHABLE
    if not isinstance(exc, OperationalError):
        return None
    cause = exc.__cause__
    if isinstance(cause, sqlite3.Error):
        text = str(cause).lower()
        if getattr(cause, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "is full" in text:
            return FULL
        if "unable to open" in text or "disk i/o error" in text:
            return UNREACHABLE
        return None
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in _PG_FULL:
        return FULL
    if sqlstate is None or sqlstate.startswith("08") or sqlstate in _PG_UNREACHABLE:
        # No SQLSTATE: the client library's own error (connection refused, server gone away).
        return UNREACHABLE if cause is not None else None
    return None


def _message(trouble: str) -> tuple[str, str]:
    if trouble == FULL:
        return (
            _("The storage is full"),
            _(
                "This site's storage is full, so what you sent was not saved and nothing was "
                "changed. Pages can still be read. Please try again later, and tell the site's "
                "administrator."
            ),
        )
    return (
        _("The site is unavailable"),
        _(
            "This site cannot reach its database just now. Please try again in a minute; "
            "if it goes on, tell the site's administrator."
        ),
    )


def unavailable_response(
    request: HttpRequest, trouble: str, exc: BaseException | None = None
) -> HttpResponse:
    title, message = _message(trouble)
    response: HttpResponse
    if request.path_info == "/healthz":
        # Failed before the health check ran (a session cookie sent with it): its own answer.
        detail = _first_line(exc) if exc is not None else trouble
        response = JsonResponse(
            {"status": "error", "database": trouble, "detail": detail}, status=503
        )
    elif request.path_info.startswith("/api/"):
        code = "storage_full" if trouble == FULL else "database_unavailable"
        response = JsonResponse({"detail": message, "code": code}, status=503)
    else:
        # No request context: the context processors would ask the database again.
        body = render_to_string(
            "web/unavailable.html", {"title": title, "message": message, "trouble": trouble}
        )
        response = HttpResponse(body, status=503)
    response["Retry-After"] = _RETRY_AFTER[trouble]
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        trouble = database_trouble(exception)
        if trouble is None:
            return None
        logger.error("The database cannot be used (%s): %s", trouble, _first_line(exception))
        return unavailable_response(request, trouble, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the error was the database's, else the 500 page."""
    trouble = database_trouble(sys.exc_info()[1])
    if trouble is not None:
        return unavailable_response(request, trouble, sys.exc_info()[1])
    return HttpResponse(render_to_string("500.html"), status=500)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
