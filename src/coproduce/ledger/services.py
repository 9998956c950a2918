"""The only code that writes transfers and entries to the ledger (accounts open and close in
`ledger.accounts`).

`transfer_post` is the single path by which credits move. It runs in one database transaction:
it locks the affected accounts in id order, checks the idempotency key, the time bank, units and
limits, then writes the transfer, its entries, the accounts' cached balances and an audit row.
The hot path is hand-written SQL, not one ORM save per row, because the demo and the busiest time
banks post thousands of transfers in a row (docs/DESIGN.md, "Speed"): on SQLite a handful of
in-process statements; on PostgreSQL one call of the `ledger_transfer_post` function (migrations
0003 and 0004), so that a posting costs one round trip and one commit. Both paths share the
Python checks that word every refusal.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import TimeBank
from coproduce.community.permissions import is_coordinator
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.units import format_hmm
from coproduce.ledger.models import HOUR, Account, Transfer, TransferKind

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

    from coproduce.community.models import Person

# A sanity bound on one entry: a billion minutes is 1,900 years of help.
MAX_AMOUNT = 1_000_000_000
AUDIT_ACTION = "ledger.transfer_posted"
_KINDS = frozenset(TransferKind.values)


class LedgerError(ApplicationError):
    """A transfer the ledger refuses; nothing has been written."""


@dataclass(frozen=True)
class _Locked:
    id: int
    timebank_id: int
    unit: str
    balance: int
    min_balance: int
    max_balance: int | None
    closed: bool


def _account_id(account: Account | int) -> int:
    return account if isinstance(account, int) else account.pk


def _describe(amount: int, unit: str) -> str:
    return f"{format_hmm(amount)} h" if unit == HOUR else f"{amount / 100:.2f} {unit}"


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
            raise _already_reversed() from None
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
    transfer = Transfer(
        timebank_id=timebank.pk,
        public_id=uuid.uuid4(),
        kind=kind,
        memo=memo,
        occurred_at=occurred_at or now,
        created_at=now,
        created_by_id=acting.pk if acting else None,
        on_behalf_of_id=on_behalf_of.pk if on_behalf_of else None,
        idempotency_key=idempotency_key,
        reverses_id=reverses.pk if reverses else None,
    )
    posting = _Posting(
        timebank=timebank,
        acting=acting,
        transfer=transfer,
        amounts={_account_id(account): amount for account, amount in legs},
        override_reason=override_reason,
        enforce_limits=enforce_limits,
    )
    if connection.vendor == "postgresql":
        # One statement: outside a transaction it is its own (one round trip, one commit), and
        # inside the caller's it needs no savepoint, as it refuses and settles races without
        # raising.
        transfer, balances = _post_in_one_call(posting)
    else:
        with transaction.atomic():
            transfer, balances = _post_in_statements(posting)
    if balances is not None:
        for account in given:
            account.balance = balances[account.pk]
    return transfer


@dataclass(frozen=True)
class _Posting:
    timebank: TimeBank
    acting: Person | None
    transfer: Transfer  # not yet saved; its override_reason is set once the limits are known
    amounts: dict[int, int]  # account id -> amount, in the caller's order
    override_reason: str
    enforce_limits: bool


# (the transfer, and each account's balance after it; None when the idempotency key found the
# transfer posted before, which changed nothing now)
_Posted = tuple[Transfer, dict[int, int] | None]


def _post_in_statements(posting: _Posting) -> _Posted:
    """The posting as a few statements in one transaction: the path on SQLite, where statements
    run in-process and cost microseconds each, not a round trip."""
    transfer, amounts = posting.transfer, posting.amounts
    with connection.cursor() as cursor:
        locked, existing = _lock_accounts(
            cursor,
            sorted(amounts),
            timebank_id=transfer.timebank_id,
            idempotency_key=transfer.idempotency_key,
        )
        if len(locked) != len(amounts):
            raise _no_account()
        if existing is not None:
            return Transfer.objects.get(pk=existing), None

        crossed = _refuse_or_allow(posting, locked)
        transfer.override_reason = (
            posting.override_reason if crossed or transfer.reverses_id else ""
        )
        created_at = connection.ops.adapt_datetimefield_value(transfer.created_at)
        transfer.pk = _insert_transfer(cursor, transfer, created_at)
        by_id = {row.id: row for row in locked}
        occurred_at = connection.ops.adapt_datetimefield_value(transfer.occurred_at)
        rows = [
            (
                transfer.pk,
                account_id,
                transfer.timebank_id,
                by_id[account_id].unit,
                amount,
                occurred_at,
                transfer.kind,
            )
            for account_id, amount in amounts.items()
        ]
        cursor.execute(
            "INSERT INTO ledger_entry (transfer_id, account_id, timebank_id, unit, amount,"  # noqa: S608
            " occurred_at, kind) VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows)),
            [value for row in rows for value in row],
        )
        cases = " ".join(["WHEN %s THEN %s"] * len(amounts))
        cursor.execute(
            f"UPDATE ledger_account SET balance = balance + CASE id {cases} END "  # noqa: S608
            f"WHERE id IN ({', '.join(['%s'] * len(amounts))})",
            [v for item in amounts.items() for v in item] + list(amounts),
        )
        cursor.execute(
            "INSERT INTO core_auditevent (timebank_id, actor_id, on_behalf_of_id, action, target,"
            " data, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                transfer.timebank_id,
                transfer.created_by_id,
                transfer.on_behalf_of_id,
                AUDIT_ACTION,
                _audit_target(transfer),
                json.dumps(_audit_data(transfer, amounts)),
                created_at,
            ],
        )
    _mark_saved(transfer)
    return transfer, {row.id: row.balance + amounts[row.id] for row in locked}


def _post_in_one_call(posting: _Posting) -> _Posted:
    """PostgreSQL: the whole posting is one call of ledger_transfer_post (migrations 0003 and
    0004), so one round trip instead of seven (docs/DESIGN.md, "Speed"). The function decides
    whether to write; a refusal is explained by the same checks as on SQLite, run on the locked
    rows it returns, so both databases give the same error in the same words."""
    transfer, amounts = posting.transfer, posting.amounts
    # Asked only when a reason is given, which is rare: an override needs both.
    may_override = (
        bool(posting.override_reason)
        and posting.enforce_limits
        and is_coordinator(person=posting.acting, timebank=posting.timebank)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM ledger_transfer_post(%s, %s::bigint[], %s::bigint[], %s, %s, %s, %s,"
            " %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)",
            [
                transfer.timebank_id,
                list(amounts),
                list(amounts.values()),
                transfer.kind,
                transfer.memo,
                transfer.occurred_at,
                transfer.created_at,
                transfer.created_by_id,
                transfer.on_behalf_of_id,
                transfer.idempotency_key,
                transfer.reverses_id,
                transfer.public_id,
                posting.override_reason,
                may_override,
                posting.enforce_limits,
                AUDIT_ACTION,
                _audit_target(transfer),
                # Without the override reason: the function adds it when it is recorded.
                json.dumps(_audit_data(transfer, amounts)),
            ],
        )
        status, transfer_id, recorded_reason, *columns = cursor.fetchone()
    if status == "existing":
        return Transfer.objects.get(pk=transfer_id), None
    if status == "already_reversed":
        raise _already_reversed()
    locked = [_Locked(*row) for row in zip(*columns, strict=True)] if columns[0] else []
    if status == "refused":
        if len(locked) != len(amounts):
            raise _no_account()
        _refuse_or_allow(posting, locked)
        raise RuntimeError(
            "ledger_transfer_post refused a transfer that transfer_post's checks allow"
        )
    transfer.pk = transfer_id
    transfer.override_reason = recorded_reason
    _mark_saved(transfer)
    return transfer, {row.id: row.balance + amounts[row.id] for row in locked}


def _refuse_or_allow(posting: _Posting, locked: list[_Locked]) -> bool:
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


def _no_account() -> NotFound:
    return NotFound(_("One of those accounts does not exist."), "no_account")


def _already_reversed() -> Conflict:
    return Conflict(_("This transfer has already been reversed."), "already_reversed")


def _audit_target(transfer: Transfer) -> str:
    return f"transfer:{transfer.public_id}"


def _audit_data(transfer: Transfer, amounts: dict[int, int]) -> dict:
    return {
        "kind": transfer.kind,
        "entries": {str(k): v for k, v in amounts.items()},
        **({"override_reason": transfer.override_reason} if transfer.override_reason else {}),
    }


def _mark_saved(transfer: Transfer) -> None:
    transfer._state.adding = False
    transfer._state.db = connection.alias


def _lock_accounts(
    cursor: CursorWrapper, ids: list[int], *, timebank_id: int, idempotency_key: str | None
) -> tuple[list[_Locked], int | None]:
    """The accounts, locked in id order, and the transfer already posted with this idempotency
    key, if any (one statement rather than two: on SQLite a statement's overhead is most of its
    cost)."""
    # The row locks, taken in id order, close the race of two postings reading the same balance
    # and both passing the limit check; the fixed order means two postings can never deadlock.
    # SQLite takes its single write lock at BEGIN IMMEDIATE, so it needs no FOR UPDATE, and the
    # key is looked up under that lock: a retry racing its original waits, then finds it.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    placeholders = ", ".join(["%s"] * len(ids))
    cursor.execute(
        "SELECT id, timebank_id, unit, balance, min_balance, max_balance, closed_at IS NOT NULL,"  # noqa: S608
        " (SELECT t.id FROM ledger_transfer t WHERE t.timebank_id = %s AND t.idempotency_key = %s)"
        f" FROM ledger_account WHERE id IN ({placeholders}) ORDER BY id{lock}",
        [timebank_id, idempotency_key, *ids],
    )
    rows = cursor.fetchall()
    locked = [_Locked(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]
    return locked, rows[0][7] if rows else None


def _label(row: _Locked) -> str:
    """The account's name for an error message (errors are rare, so one query here is fine)."""
    return Account.objects.select_related("person", "organisation").get(pk=row.id).label


def _check(timebank: TimeBank, locked: list[_Locked], amounts: dict[int, int]) -> None:
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


def _limit_breaches(locked: list[_Locked], amounts: dict[int, int]) -> list[str]:
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
                    "after": _describe(after, row.unit),
                    "limit": _describe(row.min_balance, row.unit),
                }
            )
        if amount > 0 and row.max_balance is not None and after > row.max_balance:
            breaches.append(
                _("%(account)s would go to %(after)s, above its limit of %(limit)s.")
                % {
                    "account": _label(row),
                    "after": _describe(after, row.unit),
                    "limit": _describe(row.max_balance, row.unit),
                }
            )
    return breaches


def _insert_transfer(
    cursor: CursorWrapper, transfer: Transfer, created_at: str | datetime | None
) -> int:
    """`created_at` comes ready for the database: the audit row shares it."""
    cursor.execute(
        "INSERT INTO ledger_transfer (timebank_id, public_id, kind, memo, occurred_at, created_at,"
        " created_by_id, on_behalf_of_id, idempotency_key, reverses_id, override_reason)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        [
            transfer.timebank_id,
            Transfer._meta.get_field("public_id").get_db_prep_value(transfer.public_id, connection),
            transfer.kind,
            transfer.memo,
            connection.ops.adapt_datetimefield_value(transfer.occurred_at),
            created_at,
            transfer.created_by_id,
            transfer.on_behalf_of_id,
            transfer.idempotency_key,
            transfer.reverses_id,
            transfer.override_reason,
        ],
    )
    return cursor.fetchone()[0]


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
        raise _already_reversed()
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
