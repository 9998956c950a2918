"""Opening balances carried over from the previous system (a spreadsheet, TimeOverflow…).

Each member's balance there is a fact the new ledger starts from, so it is posted as one
`adjustment` transfer between the member's account and the time bank's "Opening balances"
clearing account, through `transfer_post` like every other credit, whatever the member's limits
(a coordinator's override, with its reason recorded). The idempotency key names the time bank
and the member, so importing the same file twice never posts twice.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.community.models import Membership, MembershipStatus, Person, TimeBank
from coproduce.community.permissions import require_coordinator
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError
from coproduce.core.statistics import app_tables, statistics_refresh
from coproduce.core.units import MINUTES_PER_HOUR, format_hmm
from coproduce.ledger.accounts import clearing_get_or_open, member_account_get_or_open
from coproduce.ledger.models import HOUR, Account, AccountKind, Entry, TransferKind
from coproduce.ledger.services import transfer_post
from coproduce.portability import members
from coproduce.portability.files import (
    ImportResult,
    Problem,
    Row,
    read_csv,
    repeated,
    rows_in_chunks,
)

REQUIRED = ("username", "balance")
# The other columns of a members file (an export from another Coproduce, say) are allowed and
# not read, so the same file serves both imports.
IGNORED = tuple(column for column in members.COLUMNS if column not in REQUIRED)
# Stored, not shown through a translation: the account is found again by this name.
CLEARING_NAME = "Opening balances"
AUDIT_ACTION = "import.opening_balances"
# Seven digits of hours is over a thousand years: far beyond any balance, within the ledger's
# bound on one entry.
_BALANCE = re.compile(
    r"^(?P<sign>[-+]?)"
    r"(?:(?P<h>\d{1,7}):(?P<m>[0-5]\d)|(?P<hours>\d{1,7}(?:\.\d{1,6})?|\.\d{1,6}))$"
)
_KEY_LIMIT = 200  # Transfer.idempotency_key's length
# After this many postings in the one transaction, PostgreSQL's statistics are refreshed (see
# `ledger_statistics_refresh`).
RESTATISTICS_AT = 1_000


def opening_balance_key(timebank: TimeBank, person: Person) -> str:
    key = f"import:opening-balance:{timebank.slug}:{person.username}"
    # A 50-character slug and a 150-character username would pass the key's limit; such a
    # person is keyed by their public id instead (as stable, if less readable).
    return key if len(key) <= _KEY_LIMIT else f"import:opening-balance:{person.public_id}"


@dataclass
class _Balance:
    line: int
    person: Person
    minutes: int
    key: str


def balances_import(
    *,
    timebank: TimeBank,
    acting: Person,
    path: str | os.PathLike[str],
    dry_run: bool = False,
) -> ImportResult:
    """Post every non-zero balance in the CSV file at `path` as its member's opening balance, or,
    if any row is bad, post nothing and say what is wrong with every bad row. Balances already
    imported are reported and left as they are."""
    require_coordinator(
        person=acting,
        timebank=timebank,
        message=_(
            "%(username)s is not an active coordinator of %(timebank)s; opening balances "
            "are imported by one"
        )
        % {"username": acting.username, "timebank": timebank.name},
    )
    result = ImportResult(dry_run=dry_run)
    table = read_csv(path, required=REQUIRED, ignored=IGNORED)
    result.problems.extend(table.problems)
    if table.problems:
        return result

    result.problems.extend(repeated(table.rows, "username"))
    parsed = [item for row in table.rows if (item := _parsed(row, result.problems))]
    balances = _resolved(timebank, parsed, result.problems)
    posted = _already_posted(timebank, [balance.key for balance in balances])
    to_post, already, zero = [], 0, 0
    for balance in balances:
        before = posted.get(balance.key)
        if before is None:
            if balance.minutes == 0:
                zero += 1
            else:
                to_post.append(balance)
        elif before == balance.minutes:
            already += 1
        else:
            result.problems.append(
                Problem(
                    balance.line,
                    _(
                        "%(username)s's opening balance was already imported as %(before)s, "
                        "not %(now)s; correct it in the ledger, not by importing again"
                    )
                    % {
                        "username": balance.person.username,
                        "before": format_hmm(before),
                        "now": format_hmm(balance.minutes),
                    },
                )
            )
    result.problems.sort(key=lambda problem: problem.line)
    if result.problems:
        return result

    if to_post and not dry_run:
        result.problems = _post(timebank, acting, to_post, file=os.fspath(path))
        if result.problems:
            return result
    result.summary.append(_summary(timebank, len(to_post), already, zero, dry_run=dry_run))
    if to_post:
        total = sum(balance.minutes for balance in to_post)
        text = (
            _("together they would come to %(total)s h")
            if dry_run
            else _("together they come to %(total)s h")
        )
        result.summary.append(text % {"total": format_hmm(total)})
    return result


@dataclass
class _Parsed:
    line: int
    username: str
    minutes: int


def _parsed(row: Row, problems: list[Problem]) -> _Parsed | None:
    username, text = row.values["username"], row.values["balance"]
    if not username:
        problems.append(Problem(row.line, _("username is missing")))
    if not text:
        problems.append(Problem(row.line, _("balance is missing")))
        return None
    try:
        minutes = _minutes(text)
    except ApplicationError as exc:
        problems.append(Problem(row.line, _("balance: %(error)s") % {"error": exc.message}))
        return None
    return _Parsed(row.line, username, minutes) if username else None


def _minutes(text: str) -> int:
    """Hours as a decimal ("2.5", "-1.25") or as h:mm ("2:30", "-1:15"), exactly: an amount
    that is not a whole number of minutes is refused, never rounded."""
    match = _BALANCE.match(text)
    if match is None:
        raise ApplicationError(
            _("“%(text)s” is not a balance: write hours as 2.5 or 2:30 (-1.25 or -1:15 below zero)")
            % {"text": text},
            "bad_balance",
        )
    if match["h"] is not None:
        minutes = int(match["h"]) * MINUTES_PER_HOUR + int(match["m"])
    else:
        exact = Decimal(match["hours"]) * MINUTES_PER_HOUR
        if exact != exact.to_integral_value():
            raise ApplicationError(
                _("“%(text)s” hours is not a whole number of minutes") % {"text": text},
                "bad_balance",
            )
        minutes = int(exact)
    return -minutes if match["sign"] == "-" else minutes


def _resolved(timebank: TimeBank, parsed: list[_Parsed], problems: list[Problem]) -> list[_Balance]:
    """Each row's person, who must be a member of the time bank with an account that is open."""
    keys = list(dict.fromkeys(item.username.lower() for item in parsed))
    people: dict[str, Person] = {}
    for chunk in rows_in_chunks(keys):
        found = (
            Person.objects.annotate(key=Lower("username"))
            .filter(key__in=chunk)
            .only("id", "username", "public_id")
        )
        for someone in found:
            people.setdefault(someone.username.lower(), someone)
    ids = [person.pk for person in people.values()]
    statuses: dict[int, str] = {}
    closed: set[int] = set()
    for chunk in rows_in_chunks(ids):
        statuses.update(
            Membership.objects.filter(timebank=timebank, person_id__in=chunk).values_list(
                "person_id", "status"
            )
        )
        closed.update(
            Account.objects.filter(
                timebank=timebank,
                person_id__in=chunk,
                kind=AccountKind.MEMBER,
                unit=HOUR,
                closed_at__isnull=False,
            ).values_list("person_id", flat=True)
        )

    balances = []
    for item in parsed:
        person = people.get(item.username.lower())
        if person is None:
            message = _("no one has the username “%(username)s”") % {"username": item.username}
        else:
            message = _membership_problem(timebank, person, statuses.get(person.pk), closed)
        if message:
            problems.append(Problem(item.line, message))
        elif person is not None:
            idempotency_key = opening_balance_key(timebank, person)
            balances.append(_Balance(item.line, person, item.minutes, idempotency_key))
    return balances


def _membership_problem(
    timebank: TimeBank, person: Person, status: str | None, closed: set[int]
) -> str:
    names = {"username": person.username, "timebank": timebank.name}
    if status is None:
        return _("%(username)s is not a member of %(timebank)s") % names
    if status == MembershipStatus.APPLIED:
        return _("%(username)s has applied to %(timebank)s but is not a member yet") % names
    if status == MembershipStatus.LEFT:
        return _("%(username)s has left %(timebank)s") % names
    if person.pk in closed:
        return _("%(username)s's account in %(timebank)s is closed") % names
    return ""


def _already_posted(timebank: TimeBank, keys: list[str]) -> dict[str, int]:
    """Key -> the minutes the member's account received, for the opening balances already
    posted (one query per 500 rows, through the unique index on the key)."""
    posted: dict[str, int] = {}
    for chunk in rows_in_chunks(keys):
        rows = Entry.objects.filter(
            timebank=timebank,
            transfer__timebank=timebank,
            transfer__idempotency_key__in=chunk,
            account__kind=AccountKind.MEMBER,
        ).values_list("transfer__idempotency_key", "amount")
        posted.update((key, amount) for key, amount in rows if key is not None)
    return posted


class _Refused(Exception):
    """Rolls the whole import back once every refusal has been collected."""


def _post(
    timebank: TimeBank, acting: Person, balances: list[_Balance], *, file: str
) -> list[Problem]:
    reason = _("Opening balance carried over from the previous system")
    problems: list[Problem] = []
    try:
        with transaction.atomic():
            clearing = clearing_get_or_open(timebank=timebank, name=CLEARING_NAME)
            for done, balance in enumerate(balances, start=1):
                account = member_account_get_or_open(timebank=timebank, person=balance.person)
                payer, payee = (clearing, account) if balance.minutes > 0 else (account, clearing)
                try:
                    transfer_post(
                        timebank=timebank,
                        acting=acting,
                        payer=payer,
                        payee=payee,
                        minutes=abs(balance.minutes),
                        memo=reason,
                        kind=TransferKind.ADJUSTMENT,
                        idempotency_key=balance.key,
                        override_reason=reason,
                    )
                except ApplicationError as exc:
                    problems.append(Problem(balance.line, exc.message))
                if done == RESTATISTICS_AT:
                    ledger_statistics_refresh()
            if problems:
                raise _Refused
            audit_record(
                action=AUDIT_ACTION,
                actor=acting,
                timebank_id=timebank.pk,
                target=f"account:{clearing.public_id}",
                data={
                    "posted": len(balances),
                    "minutes": sum(balance.minutes for balance in balances),
                    "file": os.path.basename(file),
                },
            )
    except _Refused:
        pass
    return problems


def ledger_statistics_refresh() -> None:
    """PostgreSQL's planner knows nothing of the rows this uncommitted transaction wrote, and
    without statistics it reads whole tables inside `transfer_post` (docs/DESIGN.md, "The
    demo"): ANALYZE counts them. Without ownership of a table it only warns."""
    if connection.vendor != "postgresql":
        return
    statistics_refresh(app_tables("ledger"))


# The apps whose tables a whole bank's import fills (`import timebank`, `import timeoverflow`).
IMPORTED_APPS = ("community", "ledger", "exchanges", "matching", "core", "portability")


def import_settle() -> None:
    """After a whole bank's import has committed: on PostgreSQL, `VACUUM (ANALYZE)` the tables
    such an import fills, as after the demo's build (core.statistics): their new pages are not
    all-visible until a VACUUM, and the planner prices index-only scans as if they were not
    there. Inside a transaction, and on SQLite, ANALYZE only."""
    statistics_refresh(app_tables(*IMPORTED_APPS), vacuum=True)


def _summary(timebank: TimeBank, posted: int, already: int, zero: int, *, dry_run: bool) -> str:
    text = (
        ngettext(
            "would post %(count)d opening balance to %(timebank)s",
            "would post %(count)d opening balances to %(timebank)s",
            posted,
        )
        if dry_run
        else ngettext(
            "posted %(count)d opening balance to %(timebank)s",
            "posted %(count)d opening balances to %(timebank)s",
            posted,
        )
    ) % {"count": posted, "timebank": timebank.name}
    parts = [text]
    if already:
        parts.append(_("%(count)d already imported") % {"count": already})
    if zero:
        parts.append(
            ngettext("%(count)d zero balance skipped", "%(count)d zero balances skipped", zero)
            % {"count": zero}
        )
    return ", ".join(parts)
