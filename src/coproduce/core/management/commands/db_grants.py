"""Print the SQL that gives the application's PostgreSQL role exactly the privileges it needs
(`coproduce.core.db_grants`); the tables' owner runs it after each upgrade's migrations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coproduce.core.db_grants import grants_sql


class Command(BaseCommand):
    help = (
        "Print the GRANT statements for the application's PostgreSQL role, e.g. "
        "`coproduce manage db_grants coproduce_app | psql -U coproduce_owner coproduce`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the role the application connects as")

    def handle(self, *args: Any, **options: Any) -> str:
        return grants_sql(options["role"]).rstrip("\n")
