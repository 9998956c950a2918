"""The rules a posting must keep, worded for the person refused: the accounts are of this time
bank and open, the entries add up to zero per unit, and no account goes past its limits without
a coordinator's reason. Both write paths (`ledger.writes`) check the locked accounts here, so
SQLite and PostgreSQL refuse the same postings in the same words."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connections
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
    """The account's name for an error message, as `Account.label` gives it, from one query
    whose SQL is written once (issue 17): the ORM compiling a `select_related` query took about
    0.8 ms of CPU, most of a refused posting's cost, and a benchmark's postings are refused
    at times too. The rows become instances as the ORM makes them (`from_db`, each value through
    its field's converters), holding the fields the label reads; any other would load on use."""
    sql, parts = _label_query()
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, [row.id])
        values = iter(cursor.fetchone())
    account: Any = None
    for model, fields, relation in parts:
        own = [next(values) for _field in fields]
        if own[0] is None:  # no person, or no organisation
            continue
        for i, field in enumerate(fields):
            for convert in db.ops.get_db_converters(field.cached_col) + field.get_db_converters(db):
                own[i] = convert(own[i], field.cached_col, db)
        instance = model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], own)
        if account is None:
            account = instance
        else:
            relation.set_cached_value(account, instance)
    assert account is not None
    return account.label


@functools.cache
def _label_query() -> tuple[str, list[tuple[Any, list[Any], Any]]]:
    """The SQL for `_label` and what it reads: the account's name, kind and owners, the
    person's names and whether they were erased (`Person.display_name`), the organisation's
    name."""
    person: Any = Account._meta.get_field("person")
    organisation: Any = Account._meta.get_field("organisation")
    wanted: list[tuple[Any, tuple[str, ...], Any]] = [
        (Account, ("id", "name", "kind", "person", "organisation"), None),
        (person.related_model, ("id", "first_name", "last_name", "username", "erased_at"), person),
        (organisation.related_model, ("id", "name"), organisation),
    ]
    # In the order of the model's fields, as from_db takes them (the id first).
    parts = [
        (
            model,
            sorted(
                (model._meta.get_field(name) for name in names),
                key=model._meta.concrete_fields.index,
            ),
            relation,
        )
        for model, names, relation in wanted
    ]
    columns = ", ".join(
        f"t{i}.{f.column}" for i, (_m, fields, _r) in enumerate(parts) for f in fields
    )
    table = [model._meta.db_table for model, _f, _r in parts]
    sql = (
        f"SELECT {columns} FROM {table[0]} t0"  # noqa: S608 (names from the models' _meta)
        f" LEFT JOIN {table[1]} t1 ON t1.id = t0.{person.column}"
        f" LEFT JOIN {table[2]} t2 ON t2.id = t0.{organisation.column}"
        " WHERE t0.id = %s"
    )
    return sql, parts


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
