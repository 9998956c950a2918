"""The rules a posting must keep, worded for the person refused: the accounts are of this time
bank and open, the entries add up to zero per unit, and no account goes past its limits without
a coordinator's reason. Both write paths (`ledger.writes`) check the locked accounts here, so
SQLite and PostgreSQL refuse the same postings in the same words."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from coproduce.community.permissions import is_coordinator
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.units import format_hmm
from coproduce.ledger.models import HOUR, Account, Transfer

if TYPE_CHECKING:
    from coproduce.community.models import Person, TimeBank


class LedgerError(ApplicationError):
    """A transfer the ledger refuses; nothing has been written."""


@dataclass(frozen=True)
class Locked:
    id: int
    timebank_id: int
    unit: str
    balance: int
    min_balance: int
    max_balance: int | None
    closed: bool


@dataclass(frozen=True)
class Posting:
    timebank: TimeBank
    acting: Person | None
    transfer: Transfer  # not yet saved; its override_reason is set once the limits are known
    amounts: dict[int, int]  # account id -> amount, in the caller's order
    override_reason: str
    enforce_limits: bool


# (the transfer, and each account's balance after it; None when the idempotency key found the
# transfer posted before, which changed nothing now)
Posted = tuple[Transfer, dict[int, int] | None]


def describe(amount: int, unit: str) -> str:
    return f"{format_hmm(amount)} h" if unit == HOUR else f"{amount / 100:.2f} {unit}"


def refuse_or_allow(posting: Posting, locked: list[Locked]) -> bool:
    """Raise the reason this posting must not go through, if there is one; otherwise say
    whether it takes an account past a limit (allowed by a coordinator's override)."""
    _check(posting.timebank, locked, posting.amounts)
    breaches = _limit_breaches(locked, posting.amounts) if posting.enforce_limits else []
    if breaches and not posting.override_reason:
        raise LedgerError(breaches[0], "limit")
    if breaches and not is_coordinator(person=posting.acting, timebank=posting.timebank):
        raise PermissionDenied(
            _("Only a coordinator can take an account past its limit."), "limit_override"
        )
    return bool(breaches)


def no_account() -> NotFound:
    return NotFound(_("One of those accounts does not exist."), "no_account")


def already_reversed() -> Conflict:
    return Conflict(_("This transfer has already been reversed."), "already_reversed")


def _label(row: Locked) -> str:
    """The account's name for an error message (errors are rare, so one query here is fine)."""
    return Account.objects.select_related("person", "organisation").get(pk=row.id).label


def _check(timebank: TimeBank, locked: list[Locked], amounts: dict[int, int]) -> None:
    totals: dict[str, int] = defaultdict(int)
    for row in locked:
        if row.timebank_id != timebank.pk:
            raise LedgerError(
                _("%(account)s belongs to another time bank; credits cannot cross time banks.")
                % {"account": _label(row)},
                "other_timebank",
            )
        if row.closed:
            raise LedgerError(
                _("%(account)s is closed and cannot take part in a transfer.")
                % {"account": _label(row)},
                "account_closed",
            )
        totals[row.unit] += amounts[row.id]
    if len(totals) > 1 and len(amounts) == 2:
        raise LedgerError(
            _("Those two accounts count in different units (%(units)s).")
            % {"units": ", ".join(sorted(totals))},
            "unit_mismatch",
        )
    for unit, total in totals.items():
        if total != 0:
            raise LedgerError(
                _("The entries in %(unit)s do not add up to zero (they add up to %(total)s).")
                % {"unit": unit, "total": total},
                "unbalanced",
            )


def _limit_breaches(locked: list[Locked], amounts: dict[int, int]) -> list[str]:
    breaches = []
    for row in locked:
        amount = amounts[row.id]
        after = row.balance + amount
        # An account already past a limit (after the limit was changed) may still move back.
        if amount < 0 and after < row.min_balance:
            breaches.append(
                _(
                    "%(account)s would go to %(after)s, below its limit of %(limit)s. "
                    "Ask a coordinator if this should be allowed."
                )
                % {
                    "account": _label(row),
                    "after": describe(after, row.unit),
                    "limit": describe(row.min_balance, row.unit),
                }
            )
        if amount > 0 and row.max_balance is not None and after > row.max_balance:
            breaches.append(
                _("%(account)s would go to %(after)s, above its limit of %(limit)s.")
                % {
                    "account": _label(row),
                    "after": describe(after, row.unit),
                    "limit": describe(row.max_balance, row.unit),
                }
            )
    return breaches
