"""Changing an account's limits: how far below zero it may go, and how high it may climb.

A coordinator's decision with a recorded reason. The new limits apply to the next transfer;
an account already past a tightened limit can still move back towards it (DESIGN.md, "Limits").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from coproduce.community.permissions import is_coordinator
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, PermissionDenied
from coproduce.core.units import format_hmm
from coproduce.ledger.models import Account

if TYPE_CHECKING:
    from coproduce.community.models import Person


def account_limits_set(
    *,
    account: Account,
    min_balance: int,
    max_balance: int | None,
    acting: Person,
    reason: str,
) -> Account:
    """Set an account's lowest and (optional) highest balance, in minutes."""
    if not is_coordinator(person=acting, timebank=account.timebank_id):
        raise PermissionDenied(_("Only a coordinator can change an account's limits."), "limits")
    for value in (min_balance, max_balance):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ApplicationError(_("Limits are counted in whole minutes."), "bad_limit")
    if min_balance > 0:
        raise ApplicationError(
            _(
                "The lowest balance cannot be above zero. To let someone go 10 hours below zero, "
                "write -10."
            ),
            "bad_limit",
        )
    if max_balance is not None and max_balance < min_balance:
        raise ApplicationError(
            _("The highest balance (%(max)s h) must not be below the lowest (%(min)s h).")
            % {"max": format_hmm(max_balance), "min": format_hmm(min_balance)},
            "bad_limit",
        )
    reason = (reason or "").strip()
    return _set(
        account=account,
        min_balance=min_balance,
        max_balance=max_balance,
        acting=acting,
        reason=reason,
    )


@transaction.atomic
def _set(
    *, account: Account, min_balance: int, max_balance: int | None, acting: Person, reason: str
) -> Account:
    # The same row lock transfer_post takes: a posting checks either the old limits or the new
    # ones, never a mixture, and two coordinators' changes are applied one after the other.
    locked = Account.objects.select_for_update().get(pk=account.pk)
    old = {"min_balance": locked.min_balance, "max_balance": locked.max_balance}
    new = {"min_balance": min_balance, "max_balance": max_balance}
    if old == new:
        return locked
    if not reason:
        raise ApplicationError(_("Say why the limits are being changed."), "reason_required")
    Account.objects.filter(pk=locked.pk).update(**new)
    locked.min_balance, locked.max_balance = min_balance, max_balance
    audit_record(
        action="ledger.limits_set",
        actor=acting,
        timebank_id=locked.timebank_id,
        target=f"account:{locked.public_id}",
        data={"old": old, "new": new, "reason": reason},
    )
    account.min_balance, account.max_balance = min_balance, max_balance
    return locked
