"""`coproduce manage mail_retry`: send again the emails that failed (the mail server was down or
refused them), each at most `core.mail.MAX_ATTEMPTS` times in all and only within
`core.mail.RETRY_WITHIN` of being written. Run it every few minutes from cron or a systemd timer
(docs/OPERATIONS.md). A message is claimed before it is sent, so two runs at once, or a run
racing the original delivery, never send it twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from coproduce.core.mail import MAX_ATTEMPTS, mail_retry


class Command(BaseCommand):
    help = f"Send again the emails that could not be sent (at most {MAX_ATTEMPTS} attempts each)."

    def handle(self, *args: Any, **options: Any) -> str:
        counts = mail_retry()
        summary = (
            f"sent {counts['sent']} email(s), {counts['failed']} failed again; "
            f"{counts['given_up']} given up (after {MAX_ATTEMPTS} attempts, or too old to send)"
        )
        if counts["stuck"]:
            summary += (
                f"; {counts['stuck']} left in 'sending' for over an hour (the sender stopped: "
                "they may have gone out, so they are not sent again)"
            )
        return summary
