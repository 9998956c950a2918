"""Daily: remind people a week before their offer or request expires, and expire old ones."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from coproduce.exchanges.services.listings import listings_expire


class Command(BaseCommand):
    help = "Send expiry reminders for offers and requests, and expire those past their date."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(listings_expire())
