"""The only code that writes to the ledger.

`transfer_post` is the single path by which credits move. It runs in one database transaction:
it locks the affected accounts in id order, checks the idempotency key, the time bank, units and
limits, then writes the transfer, its entries, the accounts' cached balances and an audit row.
The hot path is a handful of hand-written statements (not one ORM save per row) because the
demo and the busiest time banks post thousands of transfers in a row (docs/DESIGN.md, "Speed").
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

from coproduce.community.models import Membership, MembershipStatus, Organisation, Role, TimeBank
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.units import format_hmm
from coproduce.ledger.models import HOUR, Account, AccountKind, Transfer, TransferKind

if TYPE_CHECKING:
    from coproduce.community.models import Person

# A sanity bound on one entry: a billion minutes is 1,900 years of help.
MAX_AMOUNT = 1_000_000_000


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
    if kind not in TransferKind.values:
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
        # Two requests with the same key raced past the look-up (only possible when their
        # accounts differ, as the account locks serialise the rest); the unique index stopped
        # the second one, so hand back the first.
        if idempotency_key:
            existing = Transfer.objects.filter(
                timebank=timebank, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                return existing
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


@transaction.atomic
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
    ids = sorted(_account_id(account) for account, _amount in legs)
    with connection.cursor() as cursor:
        locked = _lock_accounts(cursor, ids)

        # Checked after the locks: a retry of the same posting waits for the first to commit
        # and then finds it here, instead of posting twice.
        if idempotency_key is not None:
            cursor.execute(
                "SELECT id FROM ledger_transfer WHERE timebank_id = %s AND idempotency_key = %s",
                [timebank.pk, idempotency_key],
            )
            row = cursor.fetchone()
            if row is not None:
                return Transfer.objects.get(pk=row[0])

        amounts: dict[int, int] = {_account_id(a): amount for a, amount in legs}
        _check(timebank, locked, amounts)
        breaches = _limit_breaches(locked, amounts) if enforce_limits else []
        if breaches and not override_reason:
            raise LedgerError(breaches[0], "limit")
        if breaches and not _may_override(acting, timebank):
            raise PermissionDenied(
                _("Only a coordinator can take an account past its limit."), "limit_override"
            )
        recorded_reason = override_reason if (breaches or reverses is not None) else ""

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
            override_reason=recorded_reason,
        )
        transfer.pk = _insert_transfer(cursor, transfer)
        transfer._state.adding = False
        transfer._state.db = connection.alias

        by_id = {row.id: row for row in locked}
        rows = [
            (transfer.pk, account_id, timebank.pk, by_id[account_id].unit, amount)
            for account_id, amount in amounts.items()
        ]
        cursor.execute(
            "INSERT INTO ledger_entry (transfer_id, account_id, timebank_id, unit, amount) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows)),
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
                timebank.pk,
                transfer.created_by_id,
                transfer.on_behalf_of_id,
                "ledger.transfer_posted",
                f"transfer:{transfer.public_id}",
                json.dumps(
                    {
                        "kind": kind,
                        "entries": {str(k): v for k, v in amounts.items()},
                        **({"override_reason": recorded_reason} if recorded_reason else {}),
                    }
                ),
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
    for account in given:
        account.balance = by_id[account.pk].balance + amounts[account.pk]
    return transfer


def _lock_accounts(cursor, ids: list[int]) -> list[_Locked]:
    # The row locks, taken in id order, close the race of two postings reading the same balance
    # and both passing the limit check; the fixed order means two postings can never deadlock.
    # SQLite takes its single write lock at BEGIN IMMEDIATE, so it needs no FOR UPDATE.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    placeholders = ", ".join(["%s"] * len(ids))
    cursor.execute(
        "SELECT id, timebank_id, unit, balance, min_balance, max_balance, closed_at IS NOT NULL"
        f" FROM ledger_account WHERE id IN ({placeholders}) ORDER BY id{lock}",
        ids,
    )
    rows = cursor.fetchall()
    if len(rows) != len(ids):
        raise NotFound(_("One of those accounts does not exist."), "no_account")
    return [_Locked(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]


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


def _may_override(acting: Person | None, timebank: TimeBank) -> bool:
    if acting is None:
        return False
    return Membership.objects.filter(
        person=acting,
        timebank=timebank,
        status=MembershipStatus.ACTIVE,
        role__in=[Role.COORDINATOR, Role.ADMIN],
    ).exists()


_TRANSFER_COLUMNS = (
    "timebank_id", "public_id", "kind", "memo", "occurred_at", "created_at", "created_by_id",
    "on_behalf_of_id", "idempotency_key", "reverses_id", "override_reason",
)  # fmt: skip


def _insert_transfer(cursor, transfer: Transfer) -> int:
    ops = connection.ops
    values = [
        ops.adapt_datetimefield_value(value)
        if column.endswith("_at")
        else Transfer._meta.get_field("public_id").get_db_prep_save(value, connection)
        if column == "public_id"
        else value
        for column in _TRANSFER_COLUMNS
        for value in [getattr(transfer, column)]
    ]
    cursor.execute(
        f"INSERT INTO ledger_transfer ({', '.join(_TRANSFER_COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(_TRANSFER_COLUMNS))}) RETURNING id",
        values,
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
    if not _may_override(acting, timebank):
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
        raise Conflict(_("This transfer has already been reversed."), "already_reversed")
    entries = list(transfer.entries.values_list("account_id", "amount"))
    return _post_once(
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


def member_account_get_or_open(*, timebank: TimeBank, person: Person) -> Account:
    account, _created = Account.objects.get_or_create(
        timebank=timebank,
        person=person,
        unit=HOUR,
        kind=AccountKind.MEMBER,
        defaults={
            "min_balance": timebank.default_min_balance,
            "max_balance": timebank.default_max_balance,
        },
    )
    return account


def organisation_account_get_or_open(*, organisation: Organisation) -> Account:
    account, _created = Account.objects.get_or_create(
        timebank_id=organisation.timebank_id,
        organisation=organisation,
        unit=HOUR,
        kind=AccountKind.ORGANISATION,
        defaults={"min_balance": -20 * 60},
    )
    return account


def chest_get_or_open(*, timebank: TimeBank, unit: str = HOUR) -> Account:
    # The community chest starts empty and can only give what members have donated to it.
    account, _created = Account.objects.get_or_create(
        timebank=timebank, unit=unit, kind=AccountKind.CHEST, defaults={"min_balance": 0}
    )
    return account
