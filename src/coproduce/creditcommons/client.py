"""Talking to a neighbouring Credit Commons node over HTTP (urllib, with a timeout).

`send` returns the peer's answer whatever its status, or raises `Unreachable` when there is no
answer at all (refused connection, timeout, a broken reply): then nobody here can know whether
the peer acted, and the caller keeps the transaction pending. Tests replace `transport`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

TIMEOUT_SECONDS = 10.0


class Unreachable(Exception):
    """No answer from the peer: it may or may not have acted."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null", parse_float=Decimal)
        except ValueError:
            return None

    def error_text(self) -> str:
        body = self.json()
        if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
            return "; ".join(str(error) for error in body["errors"])[:400]
        return f"HTTP {self.status}"


Transport = Callable[[str, str, dict[str, str], bytes | None], Answer]


def _urllib_transport(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Answer:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return Answer(response.status, response.read(), dict(response.headers.items()))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read(), dict(exc.headers.items()))
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(str(reason) or type(exc).__name__) from exc


transport: Transport = _urllib_transport


def send(
    *,
    method: str,
    base_url: str,
    path: str,
    node_name: str,
    last_hash: str,
    body: bytes | None = None,
) -> Answer:
    headers = {
        "cc-node": node_name,
        "last-hash": last_hash,
        "Accept": "application/json",
    }
    if body is not None:
        headers["Content-Type"] = "application/json"
    return transport(method, base_url.rstrip("/") + "/" + path.lstrip("/"), headers, body)
