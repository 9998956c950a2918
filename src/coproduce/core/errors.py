"""One family of errors for everything a person can get wrong.

A service raises `ApplicationError(message, code)`; the web layer shows the message on the form,
the API turns it into a 400/403/404/409 JSON body, the CLI prints it and exits 2. The message is
written for a coordinator, not a developer.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    http_status = 400

    def __init__(self, message: str, code: str = "invalid", **extra: Any) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.extra = extra

    def __str__(self) -> str:
        return self.message


class NotFound(ApplicationError):
    """The thing does not exist, or the person asking may not know that it does."""

    http_status = 404

    def __init__(self, message: str = "Not found.", code: str = "not_found", **extra: Any) -> None:
        super().__init__(message, code, **extra)


class PermissionDenied(ApplicationError):
    http_status = 403

    def __init__(self, message: str, code: str = "forbidden", **extra: Any) -> None:
        super().__init__(message, code, **extra)


class Conflict(ApplicationError):
    """The request was valid once, but the thing has moved on (already confirmed, cancelled…)."""

    http_status = 409

    def __init__(self, message: str, code: str = "conflict", **extra: Any) -> None:
        super().__init__(message, code, **extra)
