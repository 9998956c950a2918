"""`Idempotency-Key` on POSTs: a repeated key from the same token gets the first response again.

`write_operation(router, path, …)` registers a POST that changes something. It checks the token
may write, and when the request carries an `Idempotency-Key` it claims that key for the token in
the same transaction as the work, then stores the response (status and body). A repeat with the
same request returns the stored response without doing anything again, marked
`Idempotent-Replayed: true`; the same key with a different method, path or body is refused with
422. Two requests racing with one key are serialised by the unique (token, key) row: the second
waits for the first to commit, then replays it.

Operations that move credits pass `ledger_key(request)` to the service as its idempotency key,
so even the ledger itself cannot post a replayed request twice.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from coproduce.api.auth import caller
from coproduce.api.errors import application_error_body
from coproduce.api.models import IdempotencyRecord, PersonalAccessToken
from coproduce.api.schemas import ErrorOut, InvalidOut, responses
from coproduce.core.errors import ApplicationError, Conflict

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200
# Printable ASCII without spaces, as in a UUID; the same pattern is in the OpenAPI document.
KEY_PATTERN = rf"^[\x21-\x7e]{{1,{MAX_KEY_LENGTH}}}$"
_KEY = re.compile(KEY_PATTERN)


class IdempotencyKeyReused(ApplicationError):
    http_status = 422


def ledger_key(request: HttpRequest) -> str:
    """The idempotency key to hand the ledger for this request (set by `write_operation`)."""
    return request.idempotency_key  # type: ignore[attr-defined,no-any-return]


def _check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ApplicationError(
            _(
                "The Idempotency-Key header must be 1 to %(n)d letters, digits or punctuation "
                "without spaces, such as a UUID."
            )
            % {"n": MAX_KEY_LENGTH},
            "bad_idempotency_key",
        )
    return key


def _fingerprint(request: HttpRequest) -> str:
    body = request.body
    # The same JSON sent with other spacing or key order is the same request.
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode() + b"\0")
    digest.update(body)
    return digest.hexdigest()


def _claim(
    token: PersonalAccessToken, key: str, fingerprint: str, request: HttpRequest
) -> tuple[IdempotencyRecord, bool]:
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                token=token,
                key=key,
                fingerprint=fingerprint,
                method=request.method or "",
                path=request.path[:300],
            )
            return record, True
    except IntegrityError:
        # Another request with this key got there first and has committed (on PostgreSQL our
        # INSERT waited for it); replay what it answered.
        return IdempotencyRecord.objects.select_for_update().get(token=token, key=key), False


def _as_body(result: Any) -> tuple[int, str]:
    status = 200
    if isinstance(result, Status):
        status, result = result.status_code, result.value
    if isinstance(result, BaseModel):
        result = result.model_dump(by_alias=True)
    # Encoded as ninja encodes a response; kept as text so a replay is byte for byte the same.
    return status, json.dumps(result, cls=NinjaJSONEncoder)


def _respond(status: int, body: str, key: str, replayed: bool) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    response[HEADER] = key
    if replayed:
        response[REPLAYED_HEADER] = "true"
    return response


def _idempotent(func: Callable[..., Any], key_required: bool) -> Callable[..., Any]:
    @functools.wraps(func)
    def operation(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        who = caller(request)
        who.require_write()
        key = request.headers.get(HEADER)
        if key is None:
            if key_required:
                raise ApplicationError(
                    _(
                        "Send an Idempotency-Key header (a new UUID for each new request) so a "
                        "retried request can never move credits twice."
                    ),
                    "idempotency_key_required",
                )
            return func(request, *args, **kwargs)
        key = _check_key(key)
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            record, claimed = _claim(who.token, key, fingerprint, request)
            if not claimed:
                if record.fingerprint != fingerprint:
                    raise IdempotencyKeyReused(
                        _("Idempotency-Key reused with a different request"),
                        "idempotency_key_reused",
                    )
                if record.response_status is None:  # pragma: no cover - stored in one commit
                    raise Conflict(_("That request is still being processed."), "in_progress")
                return _respond(record.response_status, record.response_body, key, True)
            request.idempotency_key = f"api:{record.public_id}"  # type: ignore[attr-defined]
            try:
                # Its own savepoint: a refusal undoes anything the operation wrote, but the
                # refusal itself is kept and replayed.
                with transaction.atomic():
                    status, body = _as_body(func(request, *args, **kwargs))
            except ApplicationError as exc:
                status, body = exc.http_status, json.dumps(application_error_body(exc))
            record.response_status, record.response_body = status, body
            record.save(update_fields=["response_status", "response_body"])
        return _respond(status, body, key, False)

    # Ninja reads the parameters from the signature; give it the operation's, with its
    # annotations already resolved in the operation's own module.
    operation.__signature__ = inspect.signature(func, eval_str=True)  # type: ignore[attr-defined]
    return operation


def _write_only(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def operation(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        caller(request).require_write()
        return func(request, *args, **kwargs)

    operation.__signature__ = inspect.signature(func, eval_str=True)  # type: ignore[attr-defined]
    return operation


def write_operation(
    router: Router,
    path: str,
    *,
    key_required: bool = False,
    method: str = "POST",
    idempotent: bool = True,
    **options: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`@write_operation(router, "/gifts", response=…)`: a POST needing a write token, with
    `Idempotency-Key` honoured (and required when `key_required`). `idempotent=False` for what
    is the same however often it is done (a photo set, a DELETE): only the write scope then;
    a multipart upload must be one of these, as its body cannot be read twice."""
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": key_required,
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_KEY_LENGTH,
            "pattern": KEY_PATTERN,
        },
        "description": (
            "A new unique value (such as a UUID) for each new request. A retry with the same "
            "key and body returns the first response without doing anything again."
        ),
    }
    extra = options.pop("openapi_extra", {}) or {}
    if idempotent:
        extra = {**extra, "parameters": [*extra.get("parameters", []), parameter]}
    # Besides the operation's own: 400 (a bad key, a body that is not JSON), 403 (a read-only
    # token), 413 (a body too large), and 422 for fields that are wrong or a key reused with
    # another request (the one 422 sent with `{"detail": "…"}`).
    documented = responses(options.pop("response"), 400, 403, 413)
    documented[422] = InvalidOut | ErrorOut
    options["response"] = documented

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        wrapped = _idempotent(func, key_required) if idempotent else _write_only(func)
        return router.api_operation([method], path, openapi_extra=extra or None, **options)(wrapped)

    return register
