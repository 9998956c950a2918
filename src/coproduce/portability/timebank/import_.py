"""`coproduce import timebank`: a whole-bank ZIP, checked by `read.py`, written back as a new time
bank in one transaction.

Rows are written file by file in the export's order, each pointing at the new numbers of the
rows it named; dates are kept as they were (a model's "now" is not put in their place). The
ledger is not copied: every transfer is posted again, oldest first, through
`ledger.services.transfer_post` (a reversal through `transfer_reverse`) with its own date, memo,
kind, idempotency key and the person who posted it, so every balance is the ledger's own sum; the
import then checks each equals the export's and refuses the lot if one does not. People come
without passwords: a coordinator gives each a sign-in link (or they ask for one).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coproduce.community.models import Membership, MembershipStatus, Person, Role, TimeBank
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError
from coproduce.exchanges.services.tallies import tallies_rebuild
from coproduce.ledger.models import Account, Transfer
from coproduce.ledger.services import transfer_post, transfer_reverse
from coproduce.matching.index import timebank_reindex
from coproduce.portability.balances import RESTATISTICS_AT, ledger_statistics_refresh
from coproduce.portability.timebank.read import Archive, Problem, Record
from coproduce.portability.timebank.tables import BY_NAME, TABLES, Table

AUDIT_ACTION = "import.timebank"
_REPLAYED = gettext_noop("Carried over from another Coproduce installation")
_BATCH = 500

Progress = Callable[[str, int, int], None]


class ImportRefused(ApplicationError):
    """The ledger would not take a transfer, or a balance came out unlike the export's."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems), "refused")
        self.problems = problems


@dataclass
class Written:
    timebank: TimeBank
    counts: dict[str, int] = field(default_factory=dict)


@contextlib.contextmanager
def _dates_as_given(model: type[models.Model]) -> Iterator[None]:
    """Keep the dates in the file: fields that set themselves to now on insert are told not to,
    for as long as the rows are written (an import runs in a command, alone)."""
    changed = []
    for f in model._meta.concrete_fields:
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
            changed.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in changed:
            f.auto_now, f.auto_now_add = now, now_add


class _Writer:
    def __init__(self, archive: Archive, progress: Progress | None) -> None:
        self.archive = archive
        self.progress = progress
        self.ids: dict[str, dict[int, int]] = defaultdict(dict)  # file -> old id -> new id
        self.people: dict[int, Person] = {}  # new id -> person
        self.timebank: TimeBank | None = None

    def new_id(self, table: str, old: int | None) -> int | None:
        return None if old is None else self.ids[table][old]

    def instance(self, table: Table, record: Record) -> models.Model:
        values: dict[str, Any] = {}
        pointing = table.references()
        for f in table.fields():
            if f.primary_key or f.name in table.computed:
                continue
            value = record.values[f.name]
            if f.name == "timebank" and f.is_relation:
                values[f.attname] = self.timebank.pk if value is not None else None  # type: ignore[union-attr]
            elif f.name in pointing:
                values[f.attname] = self.new_id(pointing[f.name], value)
            else:
                values[f.attname] = value
        if table.model is Person:
            values["password"] = make_password(None)  # unusable: a sign-in link sets it
        return table.model(**values)

    def write_rows(self, table: Table) -> None:
        records = self.archive.records[table.name]
        with _dates_as_given(table.model):
            for start in range(0, len(records), _BATCH):
                batch = records[start : start + _BATCH]
                made = table.model._default_manager.bulk_create(
                    [self.instance(table, record) for record in batch]
                )
                for record, row in zip(batch, made, strict=True):
                    if row.pk is None:  # pragma: no cover - both our databases return ids
                        raise RuntimeError("the database returned no ids from a bulk insert")
                    self.ids[table.name][record.id] = row.pk
                    if isinstance(row, Person):
                        self.people[row.pk] = row
                    elif isinstance(row, TimeBank):
                        self.timebank = row

    def person(self, old: int | None) -> Person | None:
        new = self.new_id("people", old)
        return None if new is None else self.people[new]

    def post_transfers(self) -> None:
        assert self.timebank is not None
        legs: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for entry in sorted(self.archive.records["entries"], key=lambda r: r.id):
            values = entry.values
            legs[values["transfer"]].append(
                (self.ids["accounts"][values["account"]], values["amount"])
            )
        records = sorted(self.archive.records["transfers"], key=lambda r: r.id)
        posted: dict[int, Transfer] = {}
        ledger_statistics_refresh()
        # Whoever posted a transfer could do then what they did (an override, a reversal): the
        # ledger let them. They stand again as the coordinators they were while their postings
        # are replayed, before the bank's real memberships, as they are today, are written.
        posters = {
            self.ids["people"][old]
            for old in (r.values["created_by"] for r in records)
            if old is not None
        }
        standing = Membership.objects.bulk_create(
            Membership(
                timebank=self.timebank,
                person_id=pk,
                role=Role.COORDINATOR,
                status=MembershipStatus.ACTIVE,
            )
            for pk in sorted(posters)
        )
        for done, record in enumerate(records, start=1):
            values = record.values
            try:
                if values["reverses"] is not None:
                    transfer = transfer_reverse(
                        transfer=posted[values["reverses"]],
                        acting=self.person(values["created_by"]),  # type: ignore[arg-type]
                        reason=values["override_reason"],
                        idempotency_key=values["idempotency_key"],
                    )
                else:
                    transfer = transfer_post(
                        timebank=self.timebank,
                        acting=self.person(values["created_by"]),
                        entries=legs[record.id],
                        memo=values["memo"],
                        kind=values["kind"],
                        idempotency_key=values["idempotency_key"],
                        # A limit changed since is no reason to refuse what happened then.
                        override_reason=values["override_reason"] or _(_REPLAYED),
                        on_behalf_of=self.person(values["on_behalf_of"]),
                        occurred_at=values["occurred_at"],
                    )
            except ApplicationError as exc:
                problem = Problem(
                    "transfers.csv",
                    record.line,
                    None,
                    _("the ledger refused it: %(reason)s") % {"reason": exc.message},
                )
                raise ImportRefused([problem]) from exc
            posted[record.id] = transfer
            self.ids["transfers"][record.id] = transfer.pk
            if done == RESTATISTICS_AT:
                ledger_statistics_refresh()
            if self.progress is not None and (done % 100 == 0 or done == len(records)):
                self.progress("transfers", done, len(records))
        Membership.objects.filter(pk__in=[m.pk for m in standing]).delete()

    def check_balances(self) -> None:
        new_ids = self.ids["accounts"]
        balances = dict(Account.objects.filter(timebank=self.timebank).values_list("pk", "balance"))
        problems = [
            Problem(
                "accounts.csv",
                record.line,
                "balance",
                _("the ledger gives %(balance)d minutes, the export %(expected)d")
                % {"balance": balances[new_ids[record.id]], "expected": record.values["balance"]},
            )
            for record in self.archive.records["accounts"]
            if balances[new_ids[record.id]] != record.values["balance"]
        ]
        if problems:
            raise ImportRefused(problems)


@transaction.atomic
def timebank_import(*, archive: Archive, progress: Progress | None = None) -> Written:
    """Write the checked `archive` (no problems) as a new time bank; all or nothing."""
    if archive.problems:
        raise ValueError("an archive with problems is never written")
    writer = _Writer(archive, progress)
    for table in TABLES:
        if table.name == "transfers":
            writer.post_transfers()
            writer.write_rows(BY_NAME["memberships"])  # nothing points at a membership
        elif table.name not in ("entries", "memberships"):
            writer.write_rows(table)
    writer.check_balances()
    timebank = writer.timebank
    assert timebank is not None
    # Who last gave and received, and each participation's copy of its exchange's
    # confirmation: summaries of the rows just written, not carried in the file.
    tallies_rebuild(timebank_id=timebank.pk)
    counts = {table.name: len(archive.records[table.name]) for table in TABLES}
    audit_record(
        action=AUDIT_ACTION,
        actor=None,
        timebank_id=timebank.pk,
        target=f"timebank:{timebank.public_id}",
        data={
            "exported_at": archive.manifest.get("exported_at"),
            "include_sensitive": bool(archive.manifest.get("include_sensitive")),
            "rows": counts,
        },
    )
    transaction.on_commit(lambda: timebank_reindex(timebank=timebank))
    return Written(timebank=timebank, counts=counts)
