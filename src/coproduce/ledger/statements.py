"""Statements: one account's history with its running balance, and the hours it gave and received.

A member shows a statement to a benefits office or a funder, so every figure comes from the
entries themselves: the running balance is a window function in the database (a sum over the
account's entries ordered by when the help happened), never a Python loop that could drift. A
period's opening balance is one aggregate over the entries before it, added to that window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet, Sum, Value, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.community.models import Person, TimeBank
from coproduce.community.permissions import is_coordinator
from coproduce.core.errors import NotFound
from coproduce.ledger.models import HOUR, Account, AccountKind, Entry, TransferKind

if TYPE_CHECKING:
    from uuid import UUID

# Help actually given or received (an exchange, or attending a co-design meeting). Gifts, grants
# and adjustments move credits too, but they are not help, so they are counted apart.
HELP_KINDS = (TransferKind.EXCHANGE, TransferKind.MEETING)
# How many names of the other side a row shows before "and N others" (a group session).
OTHER_PARTY_NAMES = 3


@dataclass(frozen=True)
class StatementSpan:
    """The instants a statement covers: from `start` (inclusive) to `end` (exclusive); None on
    either side means open-ended. Not insights' `ReportPeriod`, which is whole dates."""

    start: datetime | None = None
    end: datetime | None = None

    @property
    def is_all_time(self) -> bool:
        return self.start is None and self.end is None

    def q(self, prefix: str = "transfer__occurred_at") -> Q:
        q = Q()
        if self.start is not None:
            q &= Q(**{f"{prefix}__gte": self.start})
        if self.end is not None:
            q &= Q(**{f"{prefix}__lt": self.end})
        return q


@dataclass(frozen=True)
class Totals:
    """Minutes of help given and received, and the gifts and grants beside them."""

    given: int = 0
    received: int = 0
    donated: int = 0
    gifts_received: int = 0


@dataclass(frozen=True)
class Statement:
    account: Account
    period: StatementSpan
    opening: int
    closing: int
    all_time: Totals
    in_period: Totals
    # Newest first, each annotated with `running`: the balance after it, opening included.
    entries: QuerySet[Entry]


@dataclass(frozen=True)
class StatementRow:
    occurred_at: datetime
    kind: str
    description: str
    other_party: str
    minutes_in: int
    minutes_out: int
    balance: int


def member_account_for(*, person: Person, timebank: TimeBank) -> Account | None:
    """A person's own time credit account in a time bank, or None if they have none yet."""
    return Account.objects.filter(
        timebank=timebank, person=person, kind=AccountKind.MEMBER, unit=HOUR
    ).first()


def chest_balance(*, timebank: TimeBank) -> int:
    """What the community chest holds (nothing, before anyone has donated)."""
    balance = (
        Account.objects.filter(timebank=timebank, kind=AccountKind.CHEST, unit=HOUR)
        .values_list("balance", flat=True)
        .first()
    )
    return balance or 0


def member_account_get_for(viewer: Person, timebank: TimeBank, person_public_id: UUID) -> Account:
    """A member's account that `viewer` may read: only a coordinator of `timebank` reads others'.

    Anyone else (another member, another time bank's coordinator) is told it does not exist, so
    nobody can learn who belongs to a time bank by guessing ids.
    """
    coordinator = is_coordinator(person=viewer, timebank=timebank)
    account = (
        Account.objects.filter(
            timebank=timebank,
            kind=AccountKind.MEMBER,
            unit=HOUR,
            person__public_id=person_public_id,
            person__memberships__timebank=timebank,
        )
        .select_related("person")
        .first()
    )
    if account is None or not (coordinator or account.person_id == viewer.pk):
        raise NotFound(_("There is no such member in this time bank."), "no_member")
    return account


def _totals_aggregates(suffix: str, when: Q) -> dict[str, Coalesce]:
    help_kind = Q(transfer__kind__in=HELP_KINDS)
    # A reversal undoes what it reverses: its entries count against the original's kind.
    help_reversed = Q(transfer__reverses__kind__in=HELP_KINDS)
    gift_in = Q(transfer__kind__in=[TransferKind.GIFT, TransferKind.GRANT])
    gift_reversed = Q(transfer__reverses__kind__in=[TransferKind.GIFT, TransferKind.GRANT])
    plus, minus = Q(amount__gt=0), Q(amount__lt=0)

    def total(expression, condition: Q) -> Coalesce:
        return Coalesce(Sum(expression, filter=condition & when), 0)

    return {
        f"given_{suffix}": total(F("amount"), (help_kind & plus) | (help_reversed & minus)),
        f"received_{suffix}": total(-F("amount"), (help_kind & minus) | (help_reversed & plus)),
        f"donated_{suffix}": total(
            -F("amount"),
            (Q(transfer__kind=TransferKind.GIFT) & minus)
            | (Q(transfer__reverses__kind=TransferKind.GIFT) & plus),
        ),
        f"gifts_received_{suffix}": total(F("amount"), (gift_in & plus) | (gift_reversed & minus)),
    }


def statement_for(*, account: Account, period: StatementSpan | None = None) -> Statement:
    """The account's statement for a period (all time by default), in two queries once listed:
    one aggregate for every total and balance, and the entries with their running balance."""
    period = period or StatementSpan()
    before = Q(transfer__occurred_at__lt=period.start) if period.start else Q(pk__in=[])
    figures = Entry.objects.filter(account=account).aggregate(
        opening=Coalesce(Sum("amount", filter=before), 0),
        moved=Coalesce(Sum("amount", filter=period.q()), 0),
        **_totals_aggregates("all", Q()),
        **_totals_aggregates("period", period.q()),
    )
    opening = figures["opening"]

    def totals(suffix: str) -> Totals:
        return Totals(
            given=figures[f"given_{suffix}"],
            received=figures[f"received_{suffix}"],
            donated=figures[f"donated_{suffix}"],
            gifts_received=figures[f"gifts_received_{suffix}"],
        )

    entries = (
        Entry.objects.filter(period.q(), account=account)
        .select_related("transfer")
        .annotate(
            running=Window(
                Sum("amount"),
                order_by=[F("occurred_at").asc(), F("id").asc()],
                frame=RowRange(start=None, end=0),
            )
            + Value(opening)
        )
        .order_by("-occurred_at", "-id")  # the entry's copy: DESIGN, "Every list of one person's"
    )
    return Statement(
        account=account,
        period=period,
        opening=opening,
        closing=opening + figures["moved"],
        all_time=totals("all"),
        in_period=totals("period"),
        entries=entries,
    )


def _other_parties(
    account: Account, entries: Sequence[Entry], transfer_ids: Iterable[int] | QuerySet
) -> dict[int, str]:
    """Who was on the other side of each transfer, named in one query: for a group session the
    people or organisation giving the help, not the other people receiving it."""
    mine = {entry.transfer_id: entry.amount > 0 for entry in entries}
    names: dict[int, list[str]] = defaultdict(list)
    others = (
        Entry.objects.filter(transfer_id__in=transfer_ids)
        .exclude(account_id=account.pk)
        .select_related("account__person", "account__organisation")
        .order_by("transfer_id", "id")
    )
    for entry in others:
        if entry.transfer_id in mine and (entry.amount > 0) != mine[entry.transfer_id]:
            names[entry.transfer_id].append(entry.account.label)
    described = {}
    for transfer_id, labels in names.items():
        shown = ", ".join(labels[:OTHER_PARTY_NAMES])
        hidden = len(labels) - OTHER_PARTY_NAMES
        if hidden > 0:
            shown = ngettext(
                "%(names)s and %(count)d other", "%(names)s and %(count)d others", hidden
            ) % {"names": shown, "count": hidden}
        described[transfer_id] = shown
    return described


def _describe(entry: Entry) -> str:
    transfer = entry.transfer
    kind = TransferKind(transfer.kind).label if transfer.kind in TransferKind.values else ""
    if not transfer.memo:
        return str(kind)
    if transfer.kind in (TransferKind.GIFT, TransferKind.GRANT):
        return f"{kind}: {transfer.memo}"
    return transfer.memo


def statement_rows(
    statement: Statement, entries: Sequence[Entry] | None = None
) -> list[StatementRow]:
    """Rows for a page of entries (or the whole period when `entries` is None), each with the
    other party named: one query for the entries (unless given) and one for the other parties."""
    if entries is None:
        entries = list(statement.entries)
        transfer_ids: Iterable[int] | QuerySet = Entry.objects.filter(
            statement.period.q(), account=statement.account
        ).values("transfer_id")
    else:
        transfer_ids = [entry.transfer_id for entry in entries]
    others = _other_parties(statement.account, entries, transfer_ids) if entries else {}
    return [
        StatementRow(
            occurred_at=entry.transfer.occurred_at,
            kind=entry.transfer.kind,
            description=_describe(entry),
            other_party=others.get(entry.transfer_id, ""),
            minutes_in=max(entry.amount, 0),
            minutes_out=max(-entry.amount, 0),
            balance=entry.running,  # type: ignore[attr-defined]
        )
        for entry in entries
    ]
