"""The only code that writes transfers and entries to the ledger (accounts open and close in
`ledger.accounts`).

`transfer_post` is the single path by which credits move. It runs in one database transaction:
it locks the affected accounts in id order, checks the idempotency key, the time bank, units and
limits, then writes the transfer, its entries, the accounts' cached balances and an audit row.
This module checks the posting's shape; `ledger.writes` takes it to the database (on PostgreSQL
one call of the `ledger_transfer_post` function, on SQLite a few in-process statements), and
`ledger.rules` words every refusal the same on both (docs/DESIGN.md, "The posting path").
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import TimeBank
from coproduce.community.permissions import is_coordinator
from coproduce.core.errors import Conflict, PermissionDenied
from coproduce.ledger.models import Account, Transfer, TransferKind
from coproduce.ledger.rules import LedgerError, Posting, already_reversed
from coproduce.ledger.writes import AUDIT_ACTION, post_in_one_call, post_in_statements

if TYPE_CHECKING:
    from coproduce.community.models import Person

__all__ = ["AUDIT_ACTION", "MAX_AMOUNT", "LedgerError", "transfer_post", "transfer_reverse"]

# A sanity bound on one entry: a billion minutes is 1,900 years of help.
MAX_AMOUNT = 1_000_000_000
_KINDS = frozenset(TransferKind.values)


def _account_id(account: Account | int) -> int:
    return account if isinstance(account, int) else account.id


def transfer_post(
    *,
    timebank: TimeBank,
    acting: Person | None,
    entries: Sequence[tuple[Account | int, int]] | None = None,
    payer: Account | int | None = None,
    payee: Account | int | None = None,
    minutes: int | None = None,
    memo: str = "",
    kind: str = TransferKind.EXCHANGE,
    idempotency_key: str | None = None,
    override_reason: str = "",
    on_behalf_of: Person | None = None,
    occurred_at: datetime | None = None,
) -> Transfer:
    """Post one transfer: `payer` → `payee` for `minutes`, or a list of `(account, amount)`
    entries summing to zero per unit (a group session: one provider, several receivers).

    A repeated `idempotency_key` returns the first transfer and writes nothing. A transfer that
    would take an account past its limits is refused, unless a coordinator of the time bank gives
    an `override_reason`, which is recorded on the transfer.
    """
    if kind == TransferKind.REVERSAL:
        raise LedgerError(_("Reversals are posted by transfer_reverse."), "bad_kind")
    return _post_once(
        timebank=timebank,
        acting=acting,
        legs=_legs(entries=entries, payer=payer, payee=payee, minutes=minutes),
        memo=memo,
        kind=kind,
        idempotency_key=idempotency_key,
        override_reason=override_reason,
        on_behalf_of=on_behalf_of,
        occurred_at=occurred_at,
        reverses=None,
    )


def _post_once(
    *,
    timebank: TimeBank,
    legs: list[tuple[Account | int, int]],
    kind: str,
    idempotency_key: str | None,
    override_reason: str,
    reverses: Transfer | None,
    **fields,
) -> Transfer:
    if kind not in _KINDS:
        raise LedgerError(_("Unknown kind of transfer: %(kind)s.") % {"kind": kind}, "bad_kind")
    if idempotency_key is not None and not (0 < len(idempotency_key) <= 200):
        raise LedgerError(_("An idempotency key must be 1 to 200 characters."), "bad_key")
    if len(fields["memo"]) > 255:
        raise LedgerError(_("The note on a transfer must be at most 255 characters."), "bad_memo")
    try:
        return _post(
            timebank=timebank,
            legs=legs,
            kind=kind,
            idempotency_key=idempotency_key,
            override_reason=override_reason.strip(),
            reverses=reverses,
            given=[a for a, _amount in legs if isinstance(a, Account)],
            # A coordinator's correction is never stopped by a limit; its reason is recorded.
            enforce_limits=reverses is None,
            **fields,
        )
    except IntegrityError:
        # A unique index stopped this posting because another got there first: one with the
        # same key, or another reversal of the same transfer (transfer_reverse looks for one
        # before it takes the locks). On PostgreSQL ledger_transfer_post settles both itself.
        if idempotency_key:
            existing = Transfer.objects.filter(
                timebank=timebank, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                return existing
        if reverses is not None and Transfer.objects.filter(reverses=reverses).exists():
            raise already_reversed() from None
        raise


def _legs(
    *,
    entries: Sequence[tuple[Account | int, int]] | None,
    payer: Account | int | None,
    payee: Account | int | None,
    minutes: int | None,
) -> list[tuple[Account | int, int]]:
    if entries is not None:
        if payer is not None or payee is not None or minutes is not None:
            raise LedgerError(_("Give either entries or payer, payee and minutes, not both."))
        legs = list(entries)
        if len(legs) < 2:
            raise LedgerError(_("A transfer needs at least two entries."), "too_few_entries")
    else:
        if payer is None or payee is None or minutes is None:
            raise LedgerError(_("A transfer needs a payer, a payee and a number of minutes."))
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise LedgerError(_("Time is counted in whole minutes."), "bad_amount")
        if minutes <= 0:
            raise LedgerError(_("A transfer must be of more than zero minutes."), "bad_amount")
        if _account_id(payer) == _account_id(payee):
            raise LedgerError(_("An account cannot pay itself."), "same_account")
        legs = [(payer, -minutes), (payee, minutes)]
    seen: set[int] = set()
    for account, amount in legs:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise LedgerError(_("Time is counted in whole minutes."), "bad_amount")
        if amount == 0:
            raise LedgerError(_("An entry of zero minutes moves nothing."), "bad_amount")
        if abs(amount) > MAX_AMOUNT:
            raise LedgerError(_("That amount is far too large to be right."), "bad_amount")
        account_id = _account_id(account)
        if account_id in seen:
            raise LedgerError(_("An account appears twice in one transfer."), "same_account")
        seen.add(account_id)
    return legs


def _post(
    *,
    timebank: TimeBank,
    acting: Person | None,
    legs: list[tuple[Account | int, int]],
    memo: str,
    kind: str,
    idempotency_key: str | None,
    override_reason: str,
    on_behalf_of: Person | None,
    occurred_at: datetime | None,
    reverses: Transfer | None,
    given: list[Account],
    enforce_limits: bool,
) -> Transfer:
    now = timezone.now()
    transfer = _unsaved_transfer(
        timebank_id=timebank.pk,
        kind=kind,
        memo=memo,
        occurred_at=occurred_at or now,
        created_at=now,
        created_by_id=acting.pk if acting else None,
        on_behalf_of_id=on_behalf_of.pk if on_behalf_of else None,
        idempotency_key=idempotency_key,
        reverses_id=reverses.pk if reverses else None,
    )
    posting = Posting(
        timebank=timebank,
        acting=acting,
        transfer=transfer,
        amounts={_account_id(account): amount for account, amount in legs},
        override_reason=override_reason,
        enforce_limits=enforce_limits,
    )
    # One look-up of the connection: each attribute of django.db.connection is a look-up of its
    # own in a context-local store.
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql":
        # One statement: outside a transaction it is its own (one round trip, one commit), and
        # inside the caller's it needs no savepoint, as it refuses and settles races without
        # raising.
        transfer, balances = post_in_one_call(db, posting)
    else:
        transfer, balances = post_in_statements(db, posting)
    if balances is not None:
        for account in given:
            account.balance = balances[account.pk]
    return transfer


def _unsaved_transfer(**values: object) -> Transfer:
    """A new, unsaved Transfer holding `values` and no id yet; the other fields take their
    defaults (a new public id, no override reason until the limits are known).

    Built as Django builds an instance it unpickles (`Model.__reduce__`): the fields' values go
    straight into the instance's `__dict__`, which is where every field's descriptor reads
    them, without `Model.__init__`'s walk over the fields and its two signals (nothing listens
    to Transfer's), about a tenth of a posting's time in Python (issue 17). A test holds the
    instance equal, field by field, to one made by `Transfer(...)`."""
    transfer = Transfer.__new__(Transfer)
    state = transfer.__dict__
    state["_state"] = ModelState()
    state["id"] = None
    state["public_id"] = uuid.uuid4()
    state.update(values)
    state["override_reason"] = ""
    return transfer


def transfer_reverse(
    *,
    transfer: Transfer,
    acting: Person,
    reason: str,
    idempotency_key: str | None = None,
) -> Transfer:
    """Correct a mistake by posting the transfer's entries the other way round.

    Only a coordinator may reverse, always with a reason; reversing twice returns the first
    reversal. Limits do not stop a correction: the reason is recorded instead.
    """
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("Say why this transfer is being reversed."), "reason_required")
    timebank = TimeBank.objects.get(pk=transfer.timebank_id)
    if not is_coordinator(person=acting, timebank=timebank):
        raise PermissionDenied(_("Only a coordinator can reverse a transfer."), "reverse")
    if transfer.kind == TransferKind.REVERSAL:
        raise Conflict(
            _("This is already a reversal; post the original transfer again instead."),
            "reverse_reversal",
        )
    key = idempotency_key or f"transfer:{transfer.public_id}:reverse"
    existing = Transfer.objects.filter(reverses=transfer).first()
    if existing is not None:
        if existing.idempotency_key == key:
            return existing
        raise already_reversed()
    entries = list(transfer.entries.values_list("account_id", "amount"))
    reversal = _post_once(
        timebank=timebank,
        acting=acting,
        legs=[(account_id, -amount) for account_id, amount in entries],
        memo=(_("Reversal: %(reason)s") % {"reason": reason})[:255],
        kind=TransferKind.REVERSAL,
        idempotency_key=key,
        override_reason=reason,
        on_behalf_of=None,
        occurred_at=transfer.occurred_at,
        reverses=transfer,
    )
    if reversal.reverses_id != transfer.pk:
        # The key was already used by another posting: that posting is not this reversal.
        raise Conflict(
            _("That idempotency key belongs to another transfer; use a new key."), "key_reused"
        )
    return reversal
