"""`coproduce manage api_token_create USERNAME --timebank SLUG --name NAME [--write]`: make a
personal access token and print it, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from coproduce.api.models import Scope
from coproduce.api.services import token_create
from coproduce.community.models import Person, TimeBank
from coproduce.core.errors import ApplicationError
from coproduce.core.text import text_argument


class Command(BaseCommand):
    help = "Create a personal access token for the API and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", type=text_argument)
        parser.add_argument(
            "--timebank", type=text_argument, required=True, help="The time bank's slug."
        )
        parser.add_argument(
            "--name", type=text_argument, required=True, help="What the token is for."
        )
        parser.add_argument("--write", action="store_true", help="Allow changes, not only reads.")
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Stop working after this many days."
        )

    def handle(self, *args: Any, **options: Any) -> str:
        person = Person.objects.filter(username__iexact=options["username"]).first()
        if person is None:
            raise CommandError(f"There is no person with the username {options['username']!r}.")
        timebank = TimeBank.objects.filter(slug=options["timebank"]).first()
        if timebank is None:
            raise CommandError(f"There is no time bank {options['timebank']!r}.")
        days = options["expires_days"]
        if days is not None and days <= 0:
            raise CommandError("--expires-days must be a positive number of days.")
        try:
            token, plaintext = token_create(
                person=person,
                timebank=timebank,
                name=options["name"],
                scopes=[Scope.READ, Scope.WRITE] if options["write"] else [Scope.READ],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Token {token.name!r} for {person.username} in {timebank.slug} "
            f"({token.scopes}). It is shown only now; keep it safe:"
        )
        return plaintext
