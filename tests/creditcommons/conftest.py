"""Two Credit Commons nodes in one database for service tests: Riverside (`trunk/riverside`)
grafted under Hillside (`trunk`), each reaching the other through Django's test client instead of
the network. `peer.down` makes the network fail before the peer sees the request;
`peer.lose_answers` lets the peer act and then loses its answer. (Two real processes talk over
loopback in test_two_installations.py.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.test import Client

from coproduce.creditcommons import client as cc_client
from coproduce.creditcommons.client import Answer, Unreachable


@dataclass
class FakeNetwork:
    down: bool = False
    lose_answers: bool = False
    sent: list[tuple[str, str, dict, bytes | None]] = field(default_factory=list)

    def __call__(self, method: str, url: str, headers: dict[str, str], body: bytes | None):
        self.sent.append((method, url, headers, body))
        if self.down:
            raise Unreachable("connection refused")
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = Client().generic(
            method,
            path,
            data=body or b"",
            content_type=headers.get("Content-Type", "application/json"),
            headers={k: v for k, v in headers.items() if k.lower() != "content-type"},
        )
        if self.lose_answers:
            raise Unreachable("timed out")
        return Answer(response.status_code, response.content, dict(response.headers.items()))


@pytest.fixture
def peer(monkeypatch) -> FakeNetwork:
    network = FakeNetwork()
    monkeypatch.setattr(cc_client, "transport", network)
    return network


@pytest.fixture
def henry(hillside):
    from tests.conftest import _join, _person

    return _join(hillside, _person("henry", "Henry", "Hughes"))


@pytest.fixture
def linked(riverside, hillside, alice, henry, peer):
    """Riverside grafted under Hillside, with 10 hours either way, first hash `trunk`."""
    from coproduce.creditcommons.models import PeerDirection
    from coproduce.creditcommons.services import peer_graft

    up = peer_graft(
        timebank=riverside,
        acting=None,
        our_path="trunk/riverside",
        peer_path="trunk",
        peer_url="http://hillside.test/cc/hillside",
        last_hash="trunk",
        direction=PeerDirection.TRUNKWARD,
        limit_minutes=600,
    )
    down = peer_graft(
        timebank=hillside,
        acting=None,
        our_path="trunk",
        peer_path="trunk/riverside",
        peer_url="http://riverside.test/cc/riverside",
        last_hash="trunk",
        direction=PeerDirection.LEAFWARD,
        limit_minutes=600,
    )
    return up, down
