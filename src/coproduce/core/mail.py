"""Outgoing email: the one path every message takes.

`mail_send` renders a message in its recipient's language (a plain-text part and an HTML part,
both from templates that extend `core/email/base.txt` / `base.html`) and records it as an
`OutgoingEmail` row inside the caller's transaction; when that transaction commits, the row is
delivered. A rolled-back action therefore sends nothing, and a mail server that is down or
refuses never breaks the action: the failure is written on the row (status `failed`, the error,
the number of attempts) and logged, and `coproduce manage mail_retry` tries again later.

A row is sent at most once: a sender first claims it by moving it from `queued` or `failed` to
`sending` in one conditional UPDATE (only one sender's UPDATE can match), and only the claimer
sends it. A process that dies between claiming and recording the result leaves the row in
`sending`, which is never retried automatically (it may have gone out); `mail_retry` counts
such rows so an operator can look.

Inside `emails_held()` (the demo builder: its people are invented) nothing is recorded or sent.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from coproduce.core.models import EmailStatus, OutgoingEmail

if TYPE_CHECKING:
    from coproduce.community.models import Person, TimeBank

log = logging.getLogger("coproduce.mail")

# A message is tried at most this many times (the first delivery and four retries): a mail
# server that refused it five times over the days `mail_retry` runs will not take it.
MAX_ATTEMPTS = 5
# A message older than this is not retried: a link in it has expired, a digest is stale.
RETRY_WITHIN = timedelta(days=3)

_emails_held: ContextVar[bool] = ContextVar("emails_held", default=False)


@contextmanager
def emails_held() -> Iterator[None]:
    """Emails asked for inside are neither recorded nor sent, now or when their transaction
    commits (in-app notifications still are)."""
    token = _emails_held.set(True)
    try:
        yield
    finally:
        _emails_held.reset(token)


def emails_are_held() -> bool:
    return _emails_held.get()


def mail_language(person: Person | None, timebank: TimeBank | None = None) -> str:
    """The language to write to a person in: their own choice, else their time bank's, else the
    site's."""
    known = {code for code, _name in settings.LANGUAGES}
    for chosen in (getattr(person, "language", ""), getattr(timebank, "language", "")):
        if chosen and chosen in known:
            return str(chosen)
    return str(settings.LANGUAGE_CODE)


def absolute(url: str) -> str:
    """A link for an email: a path on this site becomes an absolute URL (COPRODUCE_SITE_URL)."""
    return settings.SITE_URL + url if url.startswith("/") else url


def mail_compose(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
    language: str = "",
    headers: dict[str, str] | None = None,
    kind: str = "",
    person: Person | None = None,
    timebank: TimeBank | None = None,
) -> OutgoingEmail | None:
    """An email rendered and ready to record (not saved): see `mail_send`. None inside
    `emails_held()` or without an address."""
    if _emails_held.get() or not to:
        return None
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        values = {
            "site_url": settings.SITE_URL,
            "site_name": timebank.name if timebank is not None else "Coproduce",
            "timebank": timebank,
            "language": language,
            "subject": subject,
            **(context or {}),
        }
        body_text = render_to_string(f"{template}.txt", values)
        body_html = render_to_string(f"{template}.html", values)
    return OutgoingEmail(
        timebank_id=timebank.pk if timebank is not None else None,
        person=person,
        kind=(kind or template.rsplit("/", 1)[-1])[:40],
        to_address=to,
        from_address=str(settings.DEFAULT_FROM_EMAIL),
        subject=" ".join(str(subject).split())[:255],
        body_text=body_text,
        body_html=body_html,
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
            **(headers or {}),
        },
        language=language,
    )


def mail_send(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
    language: str = "",
    headers: dict[str, str] | None = None,
    kind: str = "",
    person: Person | None = None,
    timebank: TimeBank | None = None,
    background: bool = False,
) -> OutgoingEmail | None:
    """Record one email to `to` and deliver it when the current transaction commits.

    `template` names two templates, `<template>.txt` and `<template>.html` (extending
    `core/email/base.txt` and `base.html`), rendered with `context` plus `site_url`,
    `site_name` (the time bank's name), `timebank` and `language`, with `language` active
    (`mail_language(person, timebank)` gives the person's). Make `subject` inside
    `translation.override(language)` too. `headers` are added as they are (List-Unsubscribe, …).
    `background=True` delivers in a thread after the commit, so the answer to the request does
    not wait for the mail server (password reset answers as fast for a known address as for an
    unknown one). Returns None, recording nothing, inside `emails_held()` or without an
    address."""
    message = mail_compose(
        to=to,
        subject=subject,
        template=template,
        context=context,
        language=language,
        headers=headers,
        kind=kind,
        person=person,
        timebank=timebank,
    )
    if message is None:
        return None
    message.save()
    deliver = _deliver_in_background if background and _background_allowed() else mail_deliver
    transaction.on_commit(partial(deliver, [message.pk]))
    return message


def mail_record_many(messages: Iterable[OutgoingEmail | None]) -> list[OutgoingEmail]:
    """Record many composed emails (`mail_compose`) in one statement, without delivering them:
    a batch sender (the weekly digest, run by a command) then calls `mail_deliver` with their
    ids once they are committed, and they go over one connection."""
    return OutgoingEmail.objects.bulk_create([m for m in messages if m is not None])


def _background_allowed() -> bool:
    return bool(getattr(settings, "COPRODUCE_MAIL_IN_BACKGROUND", True))


def _deliver_in_background(ids: list[int]) -> None:
    threading.Thread(target=_deliver_and_close, args=(ids,), daemon=True).start()


def _deliver_and_close(ids: list[int]) -> None:
    from django.db import connections

    try:
        mail_deliver(ids)
    finally:
        connections.close_all()


def _claim(ids: list[int], now: datetime) -> list[OutgoingEmail]:
    """Move the waiting rows among `ids` to `sending` under a new claim, in one UPDATE: of two
    senders, only one can move a row (the other's UPDATE no longer matches it), and only the
    one whose claim a row carries sends it."""
    claim = secrets.token_hex(16)
    OutgoingEmail.objects.filter(
        pk__in=ids,
        status__in=[EmailStatus.QUEUED, EmailStatus.FAILED],
        attempts__lt=MAX_ATTEMPTS,
    ).update(
        status=EmailStatus.SENDING, claim=claim, attempts=F("attempts") + 1, last_attempt_at=now
    )
    return list(
        OutgoingEmail.objects.filter(claim=claim, status=EmailStatus.SENDING).order_by("pk")
    )


def _message(row: OutgoingEmail, connection: Any) -> mail.EmailMultiAlternatives:
    message = mail.EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=row.from_address,
        to=[row.to_address],
        headers=dict(row.headers),
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def _failed(rows: list[OutgoingEmail], error: BaseException) -> None:
    text = f"{type(error).__name__}: {error}"[:1000]
    OutgoingEmail.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=EmailStatus.FAILED, last_error=text
    )
    for row in rows:
        log.warning(
            "email %s (%s) for person %s not sent, attempt %s: %s",
            row.pk,
            row.kind,
            row.person_id,
            row.attempts,
            text,
        )


def mail_deliver(ids: Iterable[int]) -> tuple[int, int]:
    """Send the given rows that are still waiting, over one connection to the mail server.
    Returns (sent, failed). Never raises for a mail server's error: it is recorded on the row
    and logged."""
    rows = _claim(list(ids), timezone.now())
    if not rows:
        return 0, 0
    connection = mail.get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:
        _failed(rows, error)
        return 0, len(rows)
    sent: list[int] = []
    failed = 0
    try:
        for row in rows:
            try:
                _message(row, connection).send()
            except Exception as error:
                _failed([row], error)
                failed += 1
            else:
                sent.append(row.pk)
    finally:
        OutgoingEmail.objects.filter(pk__in=sent).update(
            status=EmailStatus.SENT, sent_at=timezone.now(), last_error=""
        )
        try:
            connection.close()
        except Exception:
            log.warning("closing the connection to the mail server failed", exc_info=True)
    return len(sent), failed


def mail_retry(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Try again the messages that failed (or were recorded but never sent, say when the process
    stopped before the commit's callback ran) in the last `RETRY_WITHIN`, fewer than
    `MAX_ATTEMPTS` times. Returns counts for the command's summary line."""
    now = now or timezone.now()
    waiting = OutgoingEmail.objects.filter(
        status__in=[EmailStatus.FAILED, EmailStatus.QUEUED],
        attempts__lt=MAX_ATTEMPTS,
        created_at__gte=now - RETRY_WITHIN,
    )
    # A queued row younger than a minute probably belongs to a transaction still delivering it.
    waiting = waiting.exclude(status=EmailStatus.QUEUED, created_at__gt=now - timedelta(minutes=1))
    ids = list(waiting.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    sent, failed = mail_deliver(ids)
    return {
        "sent": sent,
        "failed": failed,
        "given_up": OutgoingEmail.objects.filter(status=EmailStatus.FAILED)
        .filter(Q(attempts__gte=MAX_ATTEMPTS) | Q(created_at__lt=now - RETRY_WITHIN))
        .count(),
        "stuck": OutgoingEmail.objects.filter(
            status=EmailStatus.SENDING, last_attempt_at__lt=now - timedelta(hours=1)
        ).count(),
    }
