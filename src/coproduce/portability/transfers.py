"""The ledger out: one row per entry of every transfer in a time bank, oldest first, each naming
its account the way a coordinator knows it (a username, an organisation's slug, "chest", or a
clearing account's or pool's name)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from coproduce.community.models import TimeBank
from coproduce.ledger.models import AccountKind, Entry
from coproduce.portability.files import Export

# `account_kind` tells apart accounts whose names could coincide (a username and an
# organisation's slug, say).
COLUMNS = (
    "transfer", "occurred_at", "kind", "memo", "account", "account_kind", "amount", "unit",
)  # fmt: skip
CHEST = "chest"


def transfers_export(*, timebank: TimeBank) -> Export:
    """Every entry of the time bank's ledger, ordered by when the help happened, then by
    transfer: one query, read in chunks, so a million-entry ledger streams in constant memory.
    `amount` is in minutes for the unit `hour` (pence for a money unit such as GBP)."""
    rows = (
        Entry.objects.filter(timebank_id=timebank.pk)
        .order_by("occurred_at", "transfer_id", "id")
        .values_list(
            "transfer__public_id",
            "occurred_at",
            "kind",
            "transfer__memo",
            "account__kind",
            "account__person__username",
            "account__organisation__slug",
            "account__name",
            "amount",
            "unit",
        )
    )

    def cells() -> Iterator[tuple[Any, ...]]:
        for (
            public_id,
            occurred_at,
            kind,
            memo,
            account_kind,
            username,
            organisation,
            name,
            amount,
            unit,
        ) in rows.iterator(chunk_size=2000):
            yield (
                str(public_id),
                occurred_at.isoformat(),
                kind,
                memo,
                _account(account_kind, username, organisation, name),
                account_kind,
                amount,
                unit,
            )

    return Export(
        what="transfers",
        columns=COLUMNS,
        rows=cells(),
        text_columns=frozenset({"memo", "account"}),
    )


def _account(kind: str, username: str | None, organisation: str | None, name: str) -> str:
    if kind == AccountKind.MEMBER and username:
        return username
    if kind == AccountKind.ORGANISATION and organisation:
        return organisation
    if kind == AccountKind.CHEST and not name:
        return CHEST
    return name or kind
