"""Telling people things: an in-app notification always, and an email when they chose email.

Every service that should tell someone calls `notify` inside its transaction; the email is
recorded with it and goes out only after the transaction commits (`core.mail`), so a rolled-back
action never sends a message and a mail server that is down never breaks the action. Inside
`emails_held()` (the demo builder: its people are invented) the in-app notice is kept and no email
is sent.

The words are the recipient's, not the actor's: carol on an English page gives hours to alice, who
reads Welsh, and alice's notice and email are Welsh. So a caller passes `message` (and `subject`)
as a function of no arguments that translates and formats the text (`lambda: _("…") % {…}`);
`notify` calls it with the recipient's language active (`mail_language(person, timebank)`), and
stores and emails what it returns. A plain string is taken as it is (text nobody translates).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone, translation

from coproduce.core.mail import absolute, emails_are_held, emails_held, mail_language, mail_send
from coproduce.core.models import Notification

if TYPE_CHECKING:
    from coproduce.community.models import Person, TimeBank

__all__ = ["Words", "emails_held", "notify"]

# Text for a recipient: a function that writes it in the active language, or a fixed string.
Words = Callable[[], str] | str


def _written(words: Words) -> str:
    return str(words()) if callable(words) else str(words)


def notify(
    *,
    person: Person,
    kind: str,
    message: Words,
    url: str = "",
    timebank: TimeBank | None = None,
    subject: Words | None = None,
) -> Notification:
    language = mail_language(person, timebank)
    with translation.override(language):
        text = _written(message)
        heading = _written(subject) if subject is not None else ""
    notification = Notification.objects.create(
        person=person,
        kind=kind,
        message=text,
        url=url,
        timebank_id=timebank.pk if timebank is not None else None,
    )
    if person.notify_by_email and person.email and not emails_are_held():
        sender = timebank.name if timebank is not None else "Coproduce"
        with translation.override(language):
            email = mail_send(
                to=person.email,
                subject=f"[{sender}] {heading or text[:78]}",
                template="core/email/notification",
                context={
                    "person": person,
                    "message": text,
                    "link": absolute(url) if url else "",
                    # Every notification email says where to turn such emails off.
                    "settings_link": absolute(reverse("community:profile_edit")),
                },
                language=language,
                kind=f"notification:{kind}"[:40],
                person=person,
                timebank=timebank,
            )
        if email is not None:
            notification.emailed_at = timezone.now()
            Notification.objects.filter(pk=notification.pk).update(
                emailed_at=notification.emailed_at
            )
    return notification
