"""A time bank's past, brought in from the system it used before: exchanges that happened there
become confirmed exchanges here, on their own dates, and its listings become offers and
requests. Used by imports (portability/timeoverflow), many rows at a time.

Every credit still moves through `ledger.services.transfer_post`, one transfer per exchange with
an idempotency key the caller makes stable, so running an import twice posts nothing twice.
History is not held to today's limits (a coordinator's override, with its reason recorded), and
nobody is notified: these are things that already happened.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from coproduce.community.models import Person, TimeBank
from coproduce.community.permissions import require_coordinator
from coproduce.core.categories import Category
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    ListingStatus,
    Offer,
    Pairing,
    Participant,
    Request,
    Side,
)
from coproduce.exchanges.services.pairings import pairings_build
from coproduce.exchanges.services.tallies import activity_refresh
from coproduce.ledger.models import HOUR, Account, AccountKind, Transfer, TransferKind
from coproduce.ledger.services import transfer_post

_BATCH = 500


@dataclass(frozen=True)
class PastExchange:
    provider: Person  # gave the help and earned the time
    receiver: Person
    minutes: int
    occurred_at: datetime
    title: str
    category: str
    key: str  # the transfer's idempotency key


@dataclass(frozen=True)
class PastListing:
    kind: str  # "offer" or "request"
    person: Person
    title: str
    category: str
    tags: str
    created_at: datetime


def _accounts(timebank: TimeBank, people: Sequence[Person]) -> dict[int, Account]:
    """The people's hour accounts in the time bank, by person id (one query a batch)."""
    ids = list({person.pk for person in people})
    accounts: dict[int, Account] = {}
    for start in range(0, len(ids), _BATCH):
        for account in Account.objects.filter(
            timebank=timebank,
            kind=AccountKind.MEMBER,
            unit=HOUR,
            person_id__in=ids[start : start + _BATCH],
        ):
            accounts[account.person_id] = account  # type: ignore[index]
    return accounts


@transaction.atomic
def exchanges_record_past(
    *,
    timebank: TimeBank,
    acting: Person,
    past: Sequence[PastExchange],
    reason: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Record exchanges that already happened, oldest first, as confirmed exchanges with their
    transfers. The people must have accounts. Returns how many were recorded (a key already
    posted is answered by the ledger with its first transfer and recorded no second time)."""
    require_coordinator(person=acting, timebank=timebank)
    accounts = _accounts(timebank, [p for item in past for p in (item.provider, item.receiver)])
    made = 0
    for start in range(0, len(past), _BATCH):
        batch = past[start : start + _BATCH]
        pairs: list[tuple[PastExchange, Transfer]] = []
        for item in batch:
            if item.category not in Category.values:
                raise ValueError(f"unknown category {item.category!r}")
            transfer = transfer_post(
                timebank=timebank,
                acting=acting,
                payer=accounts[item.receiver.pk],
                payee=accounts[item.provider.pk],
                minutes=item.minutes,
                memo=item.title[:255],
                kind=TransferKind.EXCHANGE,
                idempotency_key=item.key,
                override_reason=reason,
                occurred_at=item.occurred_at,
            )
            pairs.append((item, transfer))
        # A transfer that already has its exchange was recorded by an earlier run.
        already = set(
            Exchange.objects.filter(transfer_id__in=[t.pk for _i, t in pairs]).values_list(
                "transfer_id", flat=True
            )
        )
        pairs = [(item, t) for item, t in pairs if t.pk not in already]
        exchanges = [
            Exchange(
                timebank=timebank,
                public_id=uuid.uuid4(),
                title=item.title[:140],
                category=item.category,
                status=ExchangeStatus.CONFIRMED,
                expected_minutes=item.minutes,
                actual_minutes=item.minutes,
                proposed_by=acting,
                logged_by=acting,
                created_at=item.occurred_at,
                agreed_at=item.occurred_at,
                done_at=item.occurred_at,
                confirmed_at=item.occurred_at,
                transfer=transfer,
            )
            for item, transfer in pairs
        ]
        Exchange.objects.bulk_create(exchanges)
        participants: list[Participant] = []
        by_exchange: list[list[Participant]] = []
        for exchange, (item, _transfer) in zip(exchanges, pairs, strict=True):
            own = [
                Participant(
                    timebank=timebank,
                    exchange=exchange,
                    side=Side.PROVIDER,
                    person=item.provider,
                    account=accounts[item.provider.pk],
                    exchange_confirmed_at=item.occurred_at,
                ),
                Participant(
                    timebank=timebank,
                    exchange=exchange,
                    side=Side.RECEIVER,
                    person=item.receiver,
                    account=accounts[item.receiver.pk],
                    confirmed_at=item.occurred_at,
                    exchange_confirmed_at=item.occurred_at,
                ),
            ]
            participants.extend(own)
            by_exchange.append(own)
        Participant.objects.bulk_create(participants)
        Pairing.objects.bulk_create(
            [
                pairing
                for exchange, own, (_item, transfer) in zip(
                    exchanges, by_exchange, pairs, strict=True
                )
                for pairing in pairings_build(exchange, own, transfer)
            ],
            ignore_conflicts=True,
        )
        activity_refresh(
            people=[(timebank.pk, p.person_id) for p in participants if p.person_id is not None]
        )
        made += len(exchanges)
        if progress is not None:
            progress(len(batch))
    return made


@transaction.atomic
def listings_record_past(
    *, timebank: TimeBank, acting: Person, listings: Sequence[PastListing]
) -> list[Offer | Request]:
    """Bring in listings still open in the previous system: open here for the time bank's usual
    time from today, dated when they were first posted."""
    require_coordinator(person=acting, timebank=timebank)
    now = timezone.now()
    expires = now + timedelta(days=timebank.listing_expiry_days)

    def rows(model: type[Offer] | type[Request], kind: str) -> list:
        return [
            model(
                timebank=timebank,
                person=item.person,
                title=item.title[:140],
                category=item.category,
                tags=item.tags[:200],
                status=ListingStatus.ACTIVE,
                created_at=item.created_at,
                expires_at=expires,
                created_by=acting,
            )
            for item in listings
            if item.kind == kind
        ]

    made: list[Offer | Request] = []
    made.extend(Offer.objects.bulk_create(rows(Offer, "offer"), batch_size=_BATCH))
    made.extend(Request.objects.bulk_create(rows(Request, "request"), batch_size=_BATCH))
    return made
