"""API test helpers: the API mounted, tokens for our people, and a client that sends them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _api_mounted(settings) -> None:
    settings.ROOT_URLCONF = "tests.api.urls"


class Api:
    """A test client speaking JSON to /api/v1/ with one token."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def get(self, path: str, **params: Any):
        return self.client.get(f"/api/v1{path}", params, headers=self._headers())

    def call(self, method: str, path: str, body: Any = None, *, key: str | None = None):
        """Any method: GET with `body` as the query, others with it as JSON."""
        if method.lower() == "get":
            return self.get(path, **(body or {}))
        return getattr(self.client, method.lower())(
            f"/api/v1{path}",
            "" if body is None else json.dumps(body),
            content_type="application/json",
            headers=self._headers(key),
        )

    def post(self, path: str, body: Any = None, *, key: str | None = None, raw: str | None = None):
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=self._headers(key)
        )


@pytest.fixture
def token_for():
    """`token_for(alice)` → a new write token for alice in her (only) time bank."""
    from coproduce.api.services import token_create

    def make(person, *, timebank=None, write: bool = True, expires_at=None) -> str:
        timebank = timebank or person.memberships.get().timebank
        _token, plaintext = token_create(
            person=person,
            timebank=timebank,
            name=f"{person.username}'s app",
            scopes=["read", "write"] if write else ["read"],
            expires_at=expires_at,
        )
        return plaintext

    return make


@pytest.fixture
def api_as(token_for):
    """`api_as(alice)` → an Api client signed in with a write token of alice's."""

    def make(person, **options: Any) -> Api:
        return Api(token_for(person, **options))

    return make


@pytest.fixture
def anonymous() -> Api:
    return Api(None)


def earn(timebank, *, earner, payer, minutes: int) -> None:
    """`earner` has helped `payer` for that long (posted straight to the ledger, for set-up)."""
    from coproduce.ledger.accounts import member_account_get_or_open
    from coproduce.ledger.models import TransferKind
    from coproduce.ledger.services import transfer_post

    transfer_post(
        timebank=timebank,
        acting=payer,
        payer=member_account_get_or_open(timebank=timebank, person=payer),
        payee=member_account_get_or_open(timebank=timebank, person=earner),
        minutes=minutes,
        memo="Help earlier this year",
        kind=TransferKind.EXCHANGE,
    )
