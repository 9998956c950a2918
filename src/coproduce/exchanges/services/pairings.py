"""What a confirmed exchange posts: one transfer, whose entries count every provider-receiver
pair (see `services.exchanges`), and the pairings the insights report reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.utils import timezone

from coproduce.community.models import (
    Person,
)
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    PaidBy,
    Pairing,
    Participant,
    Side,
)
from coproduce.exchanges.services._common import _only_person
from coproduce.exchanges.services.tallies import confirmation_tally
from coproduce.exchanges.signals import exchange_confirmed
from coproduce.federation.clearing import crossing_post
from coproduce.ledger.models import Transfer, TransferKind
from coproduce.ledger.services import (
    transfer_post,
)


def _entries(exchange: Exchange, participants: Sequence[Participant]) -> list[tuple[int, int]]:
    """Every provider-receiver pair counts the actual time (see the module's docstring)."""
    minutes = exchange.actual_minutes or 0
    providers = [p for p in participants if p.side == Side.PROVIDER]
    receivers = [p for p in participants if p.side == Side.RECEIVER]
    entries = [(p.account_id, minutes * len(receivers)) for p in providers]
    if exchange.paid_by == PaidBy.RECEIVERS or exchange.paying_account_id is None:
        entries += [(p.account_id, -minutes * len(providers)) for p in receivers]
    else:
        entries.append((exchange.paying_account_id, -minutes * len(providers) * len(receivers)))
    return entries


def _post_confirmation(
    exchange: Exchange, participants: Sequence[Participant], acting: Person
) -> Transfer:
    """The exchange's one posting; a retry finds the first through its idempotency key."""
    on_behalf_of = None
    receiver = _only_person(participants, Side.RECEIVER)
    if receiver is not None and receiver.pk != acting.pk:
        on_behalf_of = receiver
    key = f"exchange:{exchange.public_id}:confirm"
    if any(p.timebank_id != exchange.timebank_id for p in participants):
        # A member of a partner bank takes part: one posting in each bank's ledger, through
        # their clearing accounts, in this transaction (federation.clearing).
        transfer = crossing_post(
            home=exchange.timebank,
            legs=_entries(exchange, participants),
            acting=acting,
            memo=exchange.title[:255],
            key_root=key,
            on_behalf_of=on_behalf_of,
            occurred_at=exchange.done_at,
        )
    else:
        transfer = transfer_post(
            timebank=exchange.timebank,
            acting=acting,
            entries=_entries(exchange, participants),
            memo=exchange.title[:255],
            kind=TransferKind.EXCHANGE,
            idempotency_key=key,
            on_behalf_of=on_behalf_of,
            occurred_at=exchange.done_at,
        )
    pairings_record(exchange, participants, transfer)
    now = timezone.now()
    exchange.status = ExchangeStatus.CONFIRMED
    exchange.confirmed_at = now
    exchange.transfer = transfer
    confirmation_tally(exchange_id=exchange.pk, confirmed_at=now, parts=participants)
    exchange_confirmed.send(
        sender=Exchange,
        exchange=exchange,
        people=[p.person_id for p in participants if p.person_id is not None],
        acting=acting,
    )
    return transfer


class _HasAccount(Protocol):
    account_id: int


def pairs_of(
    providers: Sequence[_HasAccount], receivers: Sequence[_HasAccount]
) -> list[tuple[int, int, bool]]:
    """Each giver with each receiver, by account: (provider, receiver, counts_exchange). The
    first pair is the one that counts the exchange, so summing the flag counts exchanges."""
    return [
        (provider.account_id, receiver.account_id, i == j == 0)
        for i, provider in enumerate(providers)
        for j, receiver in enumerate(receivers)
    ]


def pairings_build(
    exchange: Exchange, participants: Sequence[Participant], transfer: Transfer
) -> list[Pairing]:
    """The exchange's giver-receiver pairs, as `_entries` credits them: each provider earns
    the actual time once for each receiver."""
    return [
        Pairing(
            timebank_id=exchange.timebank_id,
            exchange_id=exchange.pk,
            transfer_id=transfer.pk,
            provider_id=provider_id,
            receiver_id=receiver_id,
            category=exchange.category,
            minutes=exchange.actual_minutes or 0,
            occurred_at=transfer.occurred_at,
            counts_exchange=counts,
        )
        for provider_id, receiver_id, counts in pairs_of(
            [p for p in participants if p.side == Side.PROVIDER],
            [p for p in participants if p.side == Side.RECEIVER],
        )
    ]


def pairings_record(
    exchange: Exchange, participants: Sequence[Participant], transfer: Transfer
) -> None:
    """Writes the pairs with the exchange's transfer (a retry writes nothing twice)."""
    Pairing.objects.bulk_create(
        pairings_build(exchange, participants, transfer), ignore_conflicts=True
    )
