"""Checks that other apps add to `coproduce ledger verify`.

The ledger cannot import the apps above it, so an app that keeps its own promise about ledger rows
(federation: the two clearing accounts of a pair of time banks mirror each other) registers a
check here from its `AppConfig.ready`. A check takes the time bank being verified (None for all)
and how many offending rows to name, and returns its problems as sentences; none means it holds.
"""

from __future__ import annotations

from collections.abc import Callable

LedgerCheck = Callable[[int | None, int], list[str]]

_checks: list[LedgerCheck] = []


def register_check(check: LedgerCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def registered_checks() -> tuple[LedgerCheck, ...]:
    return tuple(_checks)
