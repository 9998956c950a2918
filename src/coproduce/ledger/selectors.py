"""Reads of the ledger: balances, statements, accounts near their limits, and the whole-ledger
check behind `coproduce ledger verify`. Every figure comes from one aggregate query, never a
loop over rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from coproduce.community.models import Membership, MembershipStatus, TimeBank
from coproduce.ledger.checks import registered_checks
from coproduce.ledger.models import (
    HOUR,
    NEAR_LIMIT,
    Account,
    AccountKind,
    Entry,
    Transfer,
    account_room,
    near_limit_rule,
)


@dataclass
class LedgerReport:
    timebanks: int = 0
    accounts: int = 0
    transfers: int = 0
    entries: int = 0
    minutes_moved: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_verify(*, timebank_id: int | None = None, show: int = 10) -> LedgerReport:
    """Recompute every balance from its entries and check every transfer and time bank sums to
    zero per unit. `show` bounds how many offending rows of each kind are named."""
    scope = Q(timebank_id=timebank_id) if timebank_id is not None else Q()
    accounts = Account.objects.filter(scope)
    entries = Entry.objects.filter(scope)
    transfers = Transfer.objects.filter(scope)

    report = LedgerReport(
        accounts=accounts.count(),
        transfers=transfers.count(),
        **entries.aggregate(
            entries=Count("id"),
            minutes_moved=Coalesce(Sum("amount", filter=Q(amount__gt=0, unit="hour")), 0),
            timebanks=Count("timebank_id", distinct=True),
        ),
    )

    drifted = (
        accounts.annotate(entry_total=Coalesce(Sum("entries__amount"), 0))
        .exclude(balance=F("entry_total"))
        .values_list("public_id", "balance", "entry_total")
    )
    for public_id, balance, total in drifted[:show]:
        report.problems.append(
            f"account {public_id}: cached balance {balance} but its entries sum to {total}"
        )

    unbalanced = (
        entries.values("transfer__public_id", "unit")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("transfer__public_id")
    )
    for row in unbalanced[:show]:
        report.problems.append(
            f"transfer {row['transfer__public_id']}: its {row['unit']} entries sum to "
            f"{row['total']}, not 0"
        )

    thin = transfers.annotate(n=Count("entries")).filter(n__lt=2).values_list("public_id", "n")
    for public_id, n in thin[:show]:
        report.problems.append(f"transfer {public_id} has {n} entries; a transfer needs two")

    not_zero = (
        accounts.values("timebank__slug", "unit")
        .annotate(total=Sum("balance"))
        .exclude(total=0)
        .order_by("timebank__slug", "unit")
    )
    for bank in not_zero[:show]:
        report.problems.append(
            f"time bank {bank['timebank__slug']}: {bank['unit']} balances sum to {bank['total']}, "
            "not 0"
        )

    stray = entries.filter(
        ~Q(unit=F("account__unit"))
        | ~Q(timebank_id=F("account__timebank_id"))
        | ~Q(timebank_id=F("transfer__timebank_id"))
    ).values_list("id", flat=True)
    for entry_id in stray[:show]:
        report.problems.append(
            f"entry {entry_id} does not match its account's or transfer's unit or time bank"
        )

    undated = entries.filter(
        ~Q(occurred_at=F("transfer__occurred_at")) | ~Q(kind=F("transfer__kind"))
    ).values_list("id", flat=True)
    for entry_id in undated[:show]:
        report.problems.append(
            f"entry {entry_id} does not carry its transfer's occurred_at and kind"
        )

    # `near_limit` is the database's to compute; it must say what the rule says today.
    rule = near_limit_rule(NEAR_LIMIT)
    mismarked = (
        accounts.filter((Q(near_limit=True) & ~rule) | (Q(near_limit=False) & rule))
        .order_by("id")
        .values_list("public_id", "near_limit", "balance", "min_balance", "max_balance")
    )
    for public_id, near, balance, low, high in mismarked[:show]:
        report.problems.append(
            f"account {public_id}: marked {'near' if near else 'not near'} its limits, but its "
            f"balance {balance} is {'not ' if near else ''}within {NEAR_LIMIT} of them "
            f"(lowest {low}, highest {high})"
        )

    for check in registered_checks():
        report.problems.extend(check(timebank_id, show))
    return report


def account_balance(account: Account) -> int:
    return Account.objects.values_list("balance", flat=True).get(pk=account.pk)


def accounts_near_limit(*, timebank: TimeBank, within: int) -> QuerySet[Account]:
    """Active members' time-credit accounts within `within` minutes of their lowest balance, or
    of their highest when they have one, annotated with their `room`, the least room first.

    Within the hour the database marks (`Account.near_limit`, NEAR_LIMIT), the accounts are
    read from the marked ones' index range for the bank (a few hundred of the demo's 10,000),
    not from every page of the accounts' table; the rule itself still decides. The membership
    is looked up for those rows alone. Each account's person is read after the list is cut
    (one query for the rows shown): joined, SQLite carried the person of every account near the
    limit through the sort."""
    room_below = F("balance") - F("min_balance")
    room_above = F("max_balance") - F("balance")
    accounts = Account.objects.all()
    if within <= NEAR_LIMIT:
        accounts = accounts.filter(near_limit=True)
    return (
        accounts.annotate(room=account_room(), room_below=room_below, room_above=room_above)
        .filter(near_limit_rule(within))
        .filter(timebank=timebank, kind=AccountKind.MEMBER, unit=HOUR, closed_at__isnull=True)
        .filter(
            Exists(
                Membership.objects.filter(
                    timebank=timebank,
                    person_id=OuterRef("person_id"),
                    status=MembershipStatus.ACTIVE,
                )
            )
        )
        .prefetch_related("person")
        .order_by("room", "id")
    )
