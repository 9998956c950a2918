"""`coproduce manage prune_personal_data [--applications-days N] [--notifications-days N]
[--emails-days N] [--dry-run]`: deletes applications never activated, read notifications and
copies of emails past their time (see coproduce.privacy.retention). Run nightly by cron
(docs/OPERATIONS.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coproduce.privacy.retention import (
    APPLICATIONS_DAYS,
    EMAILS_DAYS,
    NOTIFICATIONS_DAYS,
    personal_data_prune,
)


def _days(value: str) -> int:
    days = int(value)
    if days < 1:
        raise ValueError(value)
    return days


class Command(BaseCommand):
    help = "Delete applications never activated and read notifications older than N days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--applications-days",
            type=_days,
            default=APPLICATIONS_DAYS,
            help=f"applications never activated older than this (default {APPLICATIONS_DAYS})",
        )
        parser.add_argument(
            "--notifications-days",
            type=_days,
            default=NOTIFICATIONS_DAYS,
            help=f"read notifications older than this (default {NOTIFICATIONS_DAYS})",
        )
        parser.add_argument(
            "--emails-days",
            type=_days,
            default=EMAILS_DAYS,
            help=f"copies of outgoing emails older than this (default {EMAILS_DAYS})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be deleted; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> str:
        pruned = personal_data_prune(
            applications_days=options["applications_days"],
            notifications_days=options["notifications_days"],
            emails_days=options["emails_days"],
            dry_run=options["dry_run"],
        )
        return pruned.summary()
