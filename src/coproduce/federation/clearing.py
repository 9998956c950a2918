"""Credits between two time banks: one database transaction posting in both ledgers through
the clearing account each bank holds for the other, and the check that those two accounts
mirror each other.

When Alice (Riverside) confirms help from Hank (Hillside), Riverside's ledger posts Alice →
Riverside's clearing account for Hillside, and Hillside's posts Hillside's clearing account for
Riverside → Hank, for the same minutes. Each ledger stays zero-sum on its own; the two clearing
balances are always each other's negative (`ledger verify` checks it); a positive balance on a
bank's clearing account is what that bank owes the other. Each account's floor is how far the
other bank may go into debt to this one, set by this bank's coordinators: it is checked by
`transfer_post` like any limit, before either posting writes anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from coproduce.community.models import TimeBank
from coproduce.core.units import format_hmm
from coproduce.federation.models import Partnership
from coproduce.ledger.models import Account, Entry, Transfer, TransferKind
from coproduce.ledger.services import LedgerError, transfer_post

if TYPE_CHECKING:
    from coproduce.community.models import Person


def partnership_between(a_id: int, b_id: int) -> Partnership | None:
    """The latest partnership of the two banks whose clearing accounts are open, whatever its
    status: an exchange arranged while it was active settles even after it is paused or
    stopped."""
    return (
        Partnership.objects.filter(
            Q(proposer_id=a_id, partner_id=b_id) | Q(proposer_id=b_id, partner_id=a_id),
            proposer_clearing__isnull=False,
            partner_clearing__isnull=False,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def crossing_post(
    *,
    home: TimeBank,
    legs: Sequence[tuple[Account | int, int]],
    acting: Person,
    memo: str,
    key_root: str,
    on_behalf_of: Person | None = None,
    occurred_at: datetime | None = None,
) -> Transfer:
    """Post entries that touch accounts of two banks as two transfers, one in each ledger,
    in this one transaction, and return the home bank's (the bank the exchange belongs to).

    Each bank's legs are balanced by its clearing account for the other. The idempotency keys
    are `key_root` with each bank's slug after it, so a retry finds both postings and writes
    nothing; a refusal by either ledger (a member's or a clearing account's limit) raises and
    rolls back both.
    """
    ids = [a if isinstance(a, int) else a.pk for a, _amount in legs]
    banks = dict(Account.objects.filter(pk__in=ids).values_list("pk", "timebank_id"))
    visiting_ids = {bank for bank in banks.values() if bank != home.pk}
    if len(visiting_ids) != 1 or home.pk not in banks.values():
        raise LedgerError(_("A transfer between banks joins exactly two banks."), "two_banks")
    (visitor_id,) = visiting_ids
    partnership = partnership_between(home.pk, visitor_id)
    if partnership is None:
        raise LedgerError(
            _("These two time banks are not partners, so credits cannot move between them."),
            "no_partnership",
        )
    home_clearing = partnership.clearing_of(home.pk)
    visitor_clearing = partnership.clearing_of(visitor_id)
    assert home_clearing is not None and visitor_clearing is not None
    by_bank: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for account_id, (_account, amount) in zip(ids, legs, strict=True):
        by_bank[banks[account_id]].append((account_id, amount))
    # What the home bank's members earn on balance (positive) is paid by its clearing account,
    # and the visiting bank's clearing account takes in the same from its members.
    home_net = sum(amount for _id, amount in by_bank[home.pk])
    if home_net == 0:
        raise LedgerError(_("Nothing moves between the two banks."), "nothing_crosses")
    home_legs = [*by_bank[home.pk], (home_clearing, -home_net)]
    visitor_legs = [*by_bank[visitor_id], (visitor_clearing, home_net)]

    # The race: two exchanges crossing the same pair of banks in opposite directions would each
    # lock one bank's accounts and wait for the other's. Locking every account of both postings
    # first, in id order, means they queue instead of deadlocking; transfer_post then finds its
    # locks already held.
    all_ids = sorted({a for a, _amount in home_legs} | {a for a, _amount in visitor_legs})
    locked = {
        a.pk: a for a in Account.objects.select_for_update().filter(pk__in=all_ids).order_by("pk")
    }
    visitor = TimeBank.objects.get(pk=visitor_id)
    home_key, visitor_key = f"{key_root}:{home.slug}", f"{key_root}:{visitor.slug}"
    # A retry finds both postings by their keys (transfer_post returns them) and must not be
    # refused by a limit that its own first posting used up.
    if not Transfer.objects.filter(timebank=home, idempotency_key=home_key).exists():
        _refuse_past_clearing_limit(
            locked[home_clearing], -home_net, owing=visitor_id, owed=home.pk
        )
        _refuse_past_clearing_limit(
            locked[visitor_clearing], home_net, owing=home.pk, owed=visitor_id
        )

    def post(bank: TimeBank, entries: list[tuple[int, int]], key: str) -> Transfer:
        return transfer_post(
            timebank=bank,
            entries=entries,
            idempotency_key=key,
            acting=acting,
            memo=memo,
            kind=TransferKind.EXCHANGE,
            on_behalf_of=on_behalf_of,
            occurred_at=occurred_at,
        )

    home_transfer = post(home, home_legs, home_key)
    post(visitor, visitor_legs, visitor_key)
    return home_transfer


def _refuse_past_clearing_limit(account: Account, amount: int, *, owing: int, owed: int) -> None:
    """The clearer refusal for a clearing account past its floor: which bank would owe which,
    and how much. (`transfer_post` checks the same limit again.)"""
    after = account.balance + amount
    if amount < 0 and after < account.min_balance:
        names = dict(TimeBank.objects.filter(pk__in=[owing, owed]).values_list("pk", "name"))
        raise LedgerError(
            _(
                "%(owing)s may owe %(owed)s at most %(limit)s h, and this would take it to "
                "%(after)s h. A coordinator of %(owed)s can raise the limit on the partner "
                "banks page."
            )
            % {
                "owing": names[owing],
                "owed": names[owed],
                "limit": format_hmm(-account.min_balance),
                "after": format_hmm(-after),
            },
            "clearing_limit",
        )


# --- the check `coproduce ledger verify` runs ------------------------------------------------


def clearing_mirror_check(timebank_id: int | None, show: int) -> list[str]:
    """Each pair of clearing accounts mirrors: one bank's balance for the other is the negative
    of the other's for it, counted from their entries (per unit; clearing accounts count
    hours). Registered in FederationConfig.ready."""
    pairs = Partnership.objects.filter(
        proposer_clearing__isnull=False, partner_clearing__isnull=False
    )
    if timebank_id is not None:
        pairs = pairs.filter(Q(proposer_id=timebank_id) | Q(partner_id=timebank_id))
    seen: set[tuple[int, int]] = set()
    accounts: list[tuple[int, int, str, str]] = []
    for p in pairs.select_related("proposer", "partner"):
        assert p.proposer_clearing_id is not None and p.partner_clearing_id is not None
        key = (p.proposer_clearing_id, p.partner_clearing_id)
        if key not in seen:
            seen.add(key)
            accounts.append((*key, p.proposer.name, p.partner.name))
    ids = [i for a, b, _x, _y in accounts for i in (a, b)]
    sums: dict[tuple[int, str], int] = defaultdict(int)
    for row in (
        Entry.objects.filter(account_id__in=ids)
        .values("account_id", "unit")
        .annotate(total=Sum("amount"))
    ):
        sums[(row["account_id"], row["unit"])] = row["total"]
    problems = []
    for a, b, a_name, b_name in accounts:
        for unit in sorted({u for (i, u) in sums if i in (a, b)}):
            if sums[(a, unit)] != -sums[(b, unit)]:
                problems.append(
                    f"The clearing accounts of {a_name} and {b_name} do not mirror each other in"
                    f" {unit}: {sums[(a, unit)]} and {sums[(b, unit)]}"
                )
    return problems[:show]
