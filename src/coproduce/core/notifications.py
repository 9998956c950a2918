"""Telling people things: an in-app notification always, and an email when they chose email.

Every service that should tell someone calls `notify` inside its transaction; the email goes out
only after the transaction commits, so a rolled-back action never sends a message. Inside
`emails_held()` (the demo builder: its people are invented) the in-app notice is kept and no email
is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from coproduce.core.models import Notification

if TYPE_CHECKING:
    from coproduce.community.models import Person, TimeBank

_emails_held: ContextVar[bool] = ContextVar("emails_held", default=False)


@contextmanager
def emails_held() -> Iterator[None]:
    """Notifications made inside send no email, now or when their transaction commits."""
    token = _emails_held.set(True)
    try:
        yield
    finally:
        _emails_held.reset(token)


def notify(
    *,
    person: Person,
    kind: str,
    message: str,
    url: str = "",
    timebank: TimeBank | None = None,
    subject: str | None = None,
) -> Notification:
    notification = Notification.objects.create(
        person=person,
        kind=kind,
        message=message,
        url=url,
        timebank_id=timebank.pk if timebank is not None else None,
    )
    if person.notify_by_email and person.email and not _emails_held.get():
        sender = timebank.name if timebank is not None else "Coproduce"
        transaction.on_commit(lambda: _email(notification.pk, subject or message[:78], sender))
    return notification


def _email(notification_id: int, subject: str, sender: str) -> None:
    notification = Notification.objects.select_related("person").get(pk=notification_id)
    body = notification.message
    if notification.url:
        link = notification.url
        if link.startswith("/"):
            link = settings.SITE_URL + link
        body += f"\n\n{link}"
    send_mail(
        subject=f"[{sender}] {subject}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[notification.person.email],
        fail_silently=False,
    )
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
