"""Heavy reads on a PostgreSQL read replica, when there is one (docs/OPERATIONS.md, "A read
replica"; docs/DESIGN.md, "The database router").

The rules:
- Everything goes to the primary (`default`) unless the code asks for the replica with
  `replica_reads()` — a context manager and a view decorator used by the reports, the funder's
  PDF and CSV, and the exports. Ordinary pages read the primary, so people always see what they
  have just written.
- Never inside a transaction: a read inside `transaction.atomic` goes to the primary, whatever
  the code asked.
- Only while the replica is healthy: it answers, and it is at most `DATABASE_REPLICA_MAX_LAG`
  seconds behind. Its health is asked at most every `CHECK_SECONDS` and remembered, so no request
  waits on a dead replica's timeout more than once in a while; a replica that fails in the middle
  of a read is remembered as down and a read-only view is answered again from the primary.
- Writes and migrations only on the primary. Without `DATABASE_REPLICA_URL` there is no `replica`
  alias and this router sends everything to the primary.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
# How often the replica's health is asked, at most (seconds), per process.
CHECK_SECONDS = 5.0

logger = logging.getLogger(__name__)


class _Asked:
    """One `replica_reads` scope: whether any of its reads went to the replica."""

    used = False


_asked: ContextVar[_Asked | None] = ContextVar("coproduce_replica_reads", default=None)

# How far behind the primary the standby is, in seconds. A standby that has replayed everything
# it received is 0 behind, however long ago the last commit was (on an idle primary
# `now() - pg_last_xact_replay_timestamp()` grows without anything being missing). NULL when it
# cannot tell (not a streaming standby, nothing replayed yet): treated as too far behind.
# Pointed at a server that is not in recovery (a primary), it is 0 behind.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
END
"""


@dataclass(frozen=True)
class ReplicaStatus:
    """The last answer about the replica: `usable`, and why not (`unreachable`, `lagging`)."""

    configured: bool
    usable: bool
    state: str  # "ok", "lagging", "unreachable" or "none" (no replica configured)
    lag_seconds: float | None
    checked_at: float


_lock = threading.Lock()
_status: ReplicaStatus | None = None


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def max_lag() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG", 30))


def _check() -> ReplicaStatus:
    now = time.monotonic()
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("The read replica is unreachable; reads go to the primary: %s", exc)
        _close_quietly()
        return ReplicaStatus(True, False, "unreachable", None, now)
    lag = None if row is None or row[0] is None else float(row[0])
    if lag is None or lag > max_lag():
        return ReplicaStatus(True, False, "lagging", lag, now)
    return ReplicaStatus(True, True, "ok", lag, now)


def _close_quietly() -> None:
    with suppress(DatabaseError):
        connections[REPLICA].close()


def replica_status(*, refresh: bool = False) -> ReplicaStatus:
    """The replica's health, asked afresh when the last answer is older than CHECK_SECONDS (or
    `refresh`). Without a replica: not configured, not usable."""
    global _status
    if not replica_configured():
        return ReplicaStatus(False, False, "none", None, time.monotonic())
    with _lock:
        status = _status
        if refresh or status is None or time.monotonic() - status.checked_at >= CHECK_SECONDS:
            status = _status = _check()
        return status


def replica_mark_down() -> None:
    """The replica failed in the middle of a read: use the primary until the next check."""
    global _status
    with _lock:
        _status = ReplicaStatus(True, False, "unreachable", None, time.monotonic())
    _close_quietly()


def replica_forget() -> None:
    """Forget the last answer (tests, and after the replica is repaired)."""
    global _status
    with _lock:
        _status = None


def _use_replica() -> bool:
    asked = _asked.get()
    if asked is None or not replica_configured():
        return False
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return False  # inside a write transaction: read what it sees
    if not replica_status().usable:
        return False
    asked.used = True
    return True


@contextmanager
def _asking() -> Iterator[_Asked]:
    asked = _Asked()
    token = _asked.set(asked)
    try:
        yield asked
    finally:
        _asked.reset(token)


P = ParamSpec("P")
R = TypeVar("R")


def _replica_failed(asked: _Asked) -> bool:
    """Whether the replica, used in this scope, is now broken (the error was its own)."""
    connection = connections[REPLICA]
    return asked.used and (connection.connection is None or not connection.is_usable())


class replica_reads:  # a function's name: `with replica_reads():`, `@replica_reads()`
    """These reads may be served by the read replica. As a context manager it covers the block;
    as a decorator of a view (or any function) it covers the call, and a read-only request (GET,
    HEAD) whose replica fails half way is answered again from the primary."""

    def __enter__(self) -> None:
        self._token = _asked.set(_Asked())

    def __exit__(self, *exc_info: object) -> None:
        _asked.reset(self._token)

    def __call__(self, func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            request = args[0] if args else None
            user = getattr(request, "user", None)
            if user is not None:
                # Who is asking is read from the primary (a session that has just signed in).
                user.is_authenticated  # noqa: B018
            if not replica_configured() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
                return func(*args, **kwargs)
            with _asking() as asked:
                try:
                    return func(*args, **kwargs)
                except DatabaseError as exc:
                    if getattr(request, "method", None) not in {"GET", "HEAD"}:
                        raise
                    if not _replica_failed(asked):
                        raise
                    logger.warning("The read replica failed during a read; retrying: %s", exc)
                    replica_mark_down()
            return func(*args, **kwargs)  # on the primary: the replica is marked down

        return wrapper


def replica_iter(items: Iterable[R]) -> Iterator[R]:
    """`items` read lazily (a streamed export) with each step allowed on the replica, the same
    way as `replica_reads`: the body of a streamed response runs after the view has returned."""
    iterator = iter(items)
    while True:
        with _asking():
            try:
                item = next(iterator)
            except StopIteration:
                return
        yield item


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: see the module's docstring for the rules."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return REPLICA if _use_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary.
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, REPLICA} else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
