"""`coproduce manage api_token_revoke TOKEN_OR_PREFIX --by USERNAME`: stop a token working at once,
for a token that leaked (SECURITY.md, "A stolen API token").

Give the whole token when it is at hand (it is matched by its hash) or the prefix shown for it
(`cpt_…`, 12 characters). USERNAME is who revokes it, its owner or a coordinator of its time bank,
as in `api.services.token_revoke`; the revocation is audited under that name.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coproduce.api.models import PersonalAccessToken
from coproduce.api.services import PREFIX_SHOWN, token_hash, token_revoke
from coproduce.community.models import Person
from coproduce.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Revoke a personal access token, given the token or the prefix shown for it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("token", help="The whole token, or the 12-character prefix shown.")
        parser.add_argument(
            "--by", required=True, help="Who revokes it: its owner or a coordinator of its bank."
        )

    def handle(self, *args: Any, **options: Any) -> str:
        acting = Person.objects.filter(username__iexact=options["by"]).first()
        if acting is None:
            raise CommandError(f"There is no person with the username {options['by']!r}.")
        given = options["token"].strip()
        if len(given) > PREFIX_SHOWN:
            matches = list(PersonalAccessToken.objects.filter(token_hash=token_hash(given)))
        else:
            matches = list(PersonalAccessToken.objects.filter(prefix=given))
        if not matches:
            raise CommandError("No token matches that.")
        if len(matches) > 1:
            raise CommandError("More than one token has that prefix: give the whole token.")
        try:
            token = token_revoke(token=matches[0], acting=acting)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        return f"Revoked {token.name!r} ({token.prefix}…) of {token.person.username}."
