"""Daily: tell coordinators and members about safeguarding checks that expire within 30 days,
and on the day they expire; each reminder once, however often it runs."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coproduce.community.safeguarding import check_reminders_send


class Command(BaseCommand):
    help = "Remind coordinators and members of safeguarding checks expiring soon or today."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", help="Act as if today were this date (YYYY-MM-DD), e.g. to catch up."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today must be a date as YYYY-MM-DD: {exc}") from exc
        self.stdout.write(check_reminders_send(today=today))
