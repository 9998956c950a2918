"""`coproduce manage send_weekly_digest [--dry-run]`: email each member the week's new offers and
requests in their time bank. A cron job or systemd timer runs it once a week."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coproduce.exchanges.digest import weekly_digest_send


class Command(BaseCommand):
    help = "Email each member who wants email the offers and requests of the last 7 days."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="say who would get an email; send nothing"
        )

    def handle(self, *args, dry_run: bool = False, **options) -> str:
        return weekly_digest_send(dry_run=dry_run)
