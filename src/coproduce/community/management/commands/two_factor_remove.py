"""A site administrator removes a person's two-step sign-in (lost phone, no recovery codes left),
after checking who they are some other way. Coordinators cannot do this (docs/DESIGN.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coproduce.community.models import Person
from coproduce.community.two_factor import two_factor_remove_by_site_admin
from coproduce.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Remove a person's two-step sign-in (their phone and recovery codes are lost)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--acting", required=True, help="your own (site administrator) username"
        )
        parser.add_argument("--reason", required=True, help="why, and how you checked who they are")

    def handle(self, *args: Any, **options: Any) -> str:
        def person(username: str) -> Person:
            found = Person.objects.filter(username__iexact=username).first()
            if found is None:
                raise CommandError(f"No one has the username {username!r}.")
            return found

        target, acting = person(options["username"]), person(options["acting"])
        try:
            two_factor_remove_by_site_admin(person=target, acting=acting, reason=options["reason"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        return f"Two-step sign-in removed for {target.username}; they sign in with their password."
