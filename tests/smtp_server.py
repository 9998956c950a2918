"""A real SMTP server on loopback for the tests that prove email end to end (aiosmtpd).

`smtp_server` starts one on 127.0.0.1 on a free port and points Django's SMTP backend at it;
`smtp_server.messages` are what arrived, parsed by the standard library (`email` package).
`stop()` and `start()` take it down and bring it back on the same port, for the tests that a
failing mail server never breaks an action. Every other test stays on the locmem backend.
"""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self._inbox = _Inbox()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self._inbox.messages

    def start(self) -> None:
        self._controller = Controller(self._inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def only(self) -> EmailMessage:
        """The one message that arrived (fails otherwise)."""
        assert len(self.messages) == 1, [m["To"] for m in self.messages]
        return self.messages[0]


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


@pytest.fixture
def smtp_server(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.COPRODUCE_MAIL_IN_BACKGROUND = False  # the test reads the rows it just wrote
    settings.SITE_URL = "https://timebank.example.org"
    try:
        yield server
    finally:
        server.stop()
