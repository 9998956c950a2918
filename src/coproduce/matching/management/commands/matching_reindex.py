"""Rebuild the matching index of a time bank (after the demo or an import; nightly, so
"given in the last year" stays true)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coproduce.community.models import TimeBank
from coproduce.matching.index import timebank_reindex


class Command(BaseCommand):
    help = "Rebuild the matching index of one time bank, or of all of them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timebank", help="the time bank's slug (default: all)")

    def handle(self, *args: Any, **options: Any) -> str:
        timebanks = TimeBank.objects.order_by("slug")
        if options["timebank"]:
            timebanks = timebanks.filter(slug=options["timebank"])
        lines = [timebank_reindex(timebank=timebank) for timebank in timebanks]
        return "\n".join(lines) or "No such time bank."
