"""Partners listens to exchanges: a referral moves from inducted to active when the referred
person's first exchange is confirmed (exchanges sends `exchange_confirmed`; it never imports
partners)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from coproduce.core.errors import ApplicationError
from coproduce.exchanges.signals import exchange_confirmed
from coproduce.partners.services.referrals import referrals_first_exchange

logger = logging.getLogger(__name__)


def _first_exchange(sender: Any, *, exchange: Any, people: list[int], acting: Any, **_: Any):
    try:
        # A savepoint: a refusal here leaves the confirmation itself standing.
        with transaction.atomic():
            referrals_first_exchange(
                timebank_id=exchange.timebank_id,
                person_ids=people,
                acting=acting,
                on=timezone.localdate(exchange.confirmed_at),
            )
    except ApplicationError:
        logger.exception("could not move a referral on after exchange %s", exchange.public_id)


def connect() -> None:
    exchange_confirmed.connect(_first_exchange, dispatch_uid="partners.first_exchange")
