"""The two ways a posting reaches the database, once `ledger.services` has checked its shape.

PostgreSQL: one call of the `ledger_transfer_post` function (migrations 0003 to 0007,
`ledger/sql/`), so a posting is one round trip and, outside a transaction, one commit; it is
prepared once per connection and its parameters bound by the server. SQLite: a few in-process
statements in one transaction, through the sqlite3 connection itself. Either way a refusal is
explained by `ledger.rules` on the locked accounts (docs/DESIGN.md, "The posting path").
"""

from __future__ import annotations

import functools
import json
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction

from coproduce.community.permissions import is_coordinator
from coproduce.ledger.models import Transfer
from coproduce.ledger.rules import (
    Locked,
    Posted,
    Posting,
    already_reversed,
    no_account,
    refuse_or_allow,
)

AUDIT_ACTION = "ledger.transfer_posted"


def post_in_statements(db: Any, posting: Posting) -> Posted:
    """SQLite: the posting as a few in-process statements in one transaction. Outside any
    transaction they go to the sqlite3 connection itself, between BEGIN IMMEDIATE and COMMIT,
    without the bookkeeping of Django's cursor and `atomic()` (issue 17). Inside the caller's
    transaction a savepoint keeps a half-written posting from outliving an error the caller
    catches; and anything watching Django's cursor (a debug log, an execute wrapper) gets it."""
    if db.in_atomic_block or db.queries_logged or db.execute_wrappers or not db.get_autocommit():
        with transaction.atomic(), db.cursor() as cursor:
            return _statements(db, cursor, posting, raw=False)
    db.ensure_connection()
    raw = db.connection
    with db.wrap_database_errors:
        # IMMEDIATE takes the write lock now, so the balances read below cannot change before
        # the writes; a second writer waits (busy_timeout) rather than fails half way.
        raw.execute("BEGIN IMMEDIATE")
        try:
            posted = _statements(db, raw.cursor(), posting, raw=True)
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")
    return posted


def _statements(db: Any, cursor: Any, posting: Posting, raw: bool) -> Posted:
    """The statements, through Django's cursor or (`raw`) the sqlite3 module's, which takes
    `?` placeholders."""
    execute = cursor.execute
    transfer, amounts = posting.transfer, posting.amounts
    select, insert_transfer, insert_entries, update, insert_audit = _sql(
        len(amounts), "?" if raw else "%s"
    )
    # SQLite takes its single write lock at BEGIN IMMEDIATE, so it needs no FOR UPDATE, and the
    # key is looked up under that lock: a retry racing its original waits, then finds it.
    execute(select, [transfer.timebank_id, transfer.idempotency_key, *sorted(amounts)])
    rows = cursor.fetchall()
    if len(rows) != len(amounts):
        raise no_account()
    if rows[0][7] is not None:
        return Transfer.objects.get(pk=rows[0][7]), None
    # Most postings break no rule: they are told so here, on the rows as read, and only the
    # rest go through the rules' full checks, which explain a refusal or allow an override.
    crossed = not _plainly_allowed(posting, rows) and refuse_or_allow(
        posting, [Locked(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]
    )
    transfer.override_reason = posting.override_reason if crossed or transfer.reverses_id else ""
    adapt = db.ops.adapt_datetimefield_value
    created_at = adapt(transfer.created_at)
    occurred_at = (
        created_at if transfer.occurred_at is transfer.created_at else adapt(transfer.occurred_at)
    )
    timebank_id, kind = transfer.timebank_id, transfer.kind
    execute(
        insert_transfer,
        [
            timebank_id,
            transfer.public_id.hex,  # as Django stores a UUIDField on SQLite
            kind,
            transfer.memo,
            occurred_at,
            created_at,
            transfer.created_by_id,
            transfer.on_behalf_of_id,
            transfer.idempotency_key,
            transfer.reverses_id,
            transfer.override_reason,
        ],
    )
    transfer_id = transfer.pk = cursor.lastrowid
    units = {row[0]: row[2] for row in rows}
    params: list = []
    for account_id, amount in amounts.items():  # in the caller's order, as on PostgreSQL
        params += (
            transfer_id,
            account_id,
            timebank_id,
            units[account_id],
            amount,
            occurred_at,
            kind,
        )
    execute(insert_entries, params)
    execute(update, [v for item in amounts.items() for v in item] + list(amounts))
    execute(
        insert_audit,
        [
            timebank_id,
            transfer.created_by_id,
            transfer.on_behalf_of_id,
            AUDIT_ACTION,
            _audit_target(transfer),
            _audit_json(kind, amounts, transfer.override_reason),
            created_at,
        ],
    )
    _mark_saved(transfer)
    return transfer, {row[0]: row[3] + amounts[row[0]] for row in rows}


def _plainly_allowed(posting: Posting, rows: list) -> bool:
    """Whether the posting keeps every rule on these accounts (id, time bank, unit, balance,
    limits, closed, as the SELECT reads them) without needing an override: all of this time
    bank, open and in one unit, adding up to zero, none taken further past a limit. When not,
    `rules.refuse_or_allow` decides, and words the refusal (the same checks, not repeated on the
    hot path of every posting)."""
    timebank_id, amounts, limits = (
        posting.transfer.timebank_id,
        posting.amounts,
        posting.enforce_limits,
    )
    unit = rows[0][2]
    total = 0
    for account_id, account_timebank_id, account_unit, balance, low, high, closed, _t in rows:
        if account_timebank_id != timebank_id or closed or account_unit != unit:
            return False
        amount = amounts[account_id]
        if limits and (
            (amount < 0 and balance + amount < low)
            or (amount > 0 and high is not None and balance + amount > high)
        ):
            return False
        total += amount
    return total == 0


@functools.lru_cache(maxsize=32)
def _sql(legs: int, mark: str) -> tuple[str, str, str, str, str]:
    """SQLite's five statements for a posting of `legs` entries, with `mark` for placeholders
    (`?` for the sqlite3 module, `%s` for Django's cursor): written once, not on every posting."""
    marks = ", ".join([mark] * legs)
    values = ", ".join([mark] * 11)
    entry = "(" + ", ".join([mark] * 7) + ")"
    cases = " ".join([f"WHEN {mark} THEN {mark}"] * legs)
    return (
        "SELECT id, timebank_id, unit, balance, min_balance, max_balance, closed_at IS NOT NULL,"  # noqa: S608
        " (SELECT t.id FROM ledger_transfer t"
        f" WHERE t.timebank_id = {mark} AND t.idempotency_key = {mark})"
        f" FROM ledger_account WHERE id IN ({marks}) ORDER BY id",
        "INSERT INTO ledger_transfer (timebank_id, public_id, kind, memo, occurred_at, created_at,"  # noqa: S608
        " created_by_id, on_behalf_of_id, idempotency_key, reverses_id, override_reason)"
        f" VALUES ({values})",
        "INSERT INTO ledger_entry (transfer_id, account_id, timebank_id, unit, amount,"  # noqa: S608
        " occurred_at, kind) VALUES " + ", ".join([entry] * legs),
        f"UPDATE ledger_account SET balance = balance + CASE id {cases} END WHERE id IN ({marks})",  # noqa: S608
        "INSERT INTO core_auditevent (timebank_id, actor_id, on_behalf_of_id, action, target,"  # noqa: S608
        f" data, created_at) VALUES ({', '.join([mark] * 7)})",
    )


def post_in_one_call(db: Any, posting: Posting) -> Posted:
    """PostgreSQL: the whole posting is one call of ledger_transfer_post (migrations 0003 to
    0009), so one round trip instead of seven (docs/DESIGN.md, "Speed"). The function decides
    whether to write; a refusal is explained by the same checks as on SQLite, run on the locked
    rows it returns, so both databases give the same error in the same words."""
    transfer, amounts = posting.transfer, posting.amounts
    # Asked only when a reason is given, which is rare: an override needs both.
    may_override = (
        bool(posting.override_reason)
        and posting.enforce_limits
        and is_coordinator(person=posting.acting, timebank=posting.timebank)
    )
    params = (
        transfer.timebank_id,
        # The legs as array literals ('{4,9}'), which the call casts to bigint[]: psycopg picks
        # a dumper for a Python list by looking at its items on every call, several times the
        # cost of passing text (issue 17).
        "{" + ",".join(map(str, amounts)) + "}",
        "{" + ",".join(map(str, amounts.values())) + "}",
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
        _audit_json(transfer.kind, amounts),
    )
    status, transfer_id, recorded_reason, account_ids, *columns = _call_transfer_post(db, params)
    if status == "posted":
        transfer.pk = transfer_id
        transfer.override_reason = recorded_reason
        _mark_saved(transfer)
        # The legs' accounts in the order given, and their balances after the posting.
        return transfer, dict(zip(account_ids, columns[2], strict=True))
    if status == "existing":
        return Transfer.objects.get(pk=transfer_id), None
    if status == "already_reversed":
        raise already_reversed()
    # Refused: the accounts as the call found and locked them, in id order.
    locked = (
        [Locked(*row) for row in zip(account_ids, *columns, strict=True)] if account_ids else []
    )
    if len(locked) != len(amounts):
        raise no_account()
    refuse_or_allow(posting, locked)
    raise RuntimeError("ledger_transfer_post refused a transfer that transfer_post's checks allow")


_CALL = (
    "SELECT * FROM ledger_transfer_post(%s, %s::bigint[], %s::bigint[], %s, %s, %s, %s, %s, %s,"
    " %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)"
)


def _call_transfer_post(db: Any, params: tuple) -> tuple:
    """One call of ledger_transfer_post, as a statement prepared once per connection with its
    parameters bound by the server: Django's default cursor renders the 18 parameters into the
    query text on every call, and the server parses and plans that text anew (about a third of
    the posting's time in Python, and some of the server's). Anything watching Django's cursor
    (a debug query log, an execute wrapper) gets Django's cursor instead, so it sees the call."""
    if db.queries_logged or db.execute_wrappers:
        with db.cursor() as cursor:
            cursor.execute(_CALL, params)
            return cursor.fetchone()
    db.ensure_connection()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        cursor = _bound_cursor(db.connection)
        cursor.execute(_CALL, params, prepare=True)
        return cursor.fetchone()


def _bound_cursor(raw: Any) -> Any:
    """A server-side binding psycopg cursor on Django's connection, kept with that connection."""
    cursor = getattr(raw, "_coproduce_post_cursor", None)
    if cursor is None or cursor.closed:
        import psycopg

        cursor = psycopg.Cursor(raw)
        raw._coproduce_post_cursor = cursor
    return cursor


def _audit_target(transfer: Transfer) -> str:
    return f"transfer:{transfer.public_id}"


def _audit_json(kind: str, amounts: dict[int, int], override_reason: str = "") -> str:
    """The audit row's data as JSON text: `{"kind": …, "entries": {"<account id>": minutes, …}}`,
    with the override reason when there is one. Written out directly (the kind is one of
    TransferKind's plain words; ids and amounts are integers): no dict to build for json.dumps
    on every posting."""
    entries = ", ".join([f'"{account_id}": {amount}' for account_id, amount in amounts.items()])
    if override_reason:
        return (
            f'{{"kind": "{kind}", "entries": {{{entries}}},'
            f' "override_reason": {json.dumps(override_reason)}}}'
        )
    return f'{{"kind": "{kind}", "entries": {{{entries}}}}}'


def _mark_saved(transfer: Transfer) -> None:
    transfer._state.adding = False
    transfer._state.db = DEFAULT_DB_ALIAS
