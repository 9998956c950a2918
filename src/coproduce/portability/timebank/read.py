"""Reading a whole-bank ZIP and checking every cell before anything is written.

A file that is not such a ZIP at all raises `ArchiveUnreadable` (the command's exit 2); anything
wrong inside it becomes a `Problem` naming the file, the line (the header is line 1) and the
column, so an import reports every one of them and writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from coproduce.community.models import TimeBank
from coproduce.core.errors import ApplicationError
from coproduce.portability.timebank.cells import check, decode
from coproduce.portability.timebank.tables import FORMAT, MANIFEST, TABLES, VERSION, Table


class ArchiveUnreadable(ApplicationError):
    """Not a whole-bank export at all, or one for a time bank this installation already has."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        if self.column is None:
            return _("%(file)s, line %(line)d: %(message)s") % {
                "file": self.file,
                "line": self.line,
                "message": self.message,
            }
        return _("%(file)s, line %(line)d, column %(column)s: %(message)s") % {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Record:
    line: int
    id: int
    values: dict[str, Any]  # field name -> value (a reference: the id in its own file)


@dataclass
class Archive:
    manifest: dict[str, Any]
    records: dict[str, list[Record]] = field(default_factory=dict)  # table name -> rows
    problems: list[Problem] = field(default_factory=list)

    def lines(self, table: str) -> dict[int, int]:
        return {record.id: record.line for record in self.records[table]}


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise ArchiveUnreadable(_("%(file)s is missing") % {"file": MANIFEST}) from None
    except ValueError:
        raise ArchiveUnreadable(_("%(file)s is not JSON") % {"file": MANIFEST}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveUnreadable(_("this is not a Coproduce time bank export"))
    if manifest.get("version") != VERSION:
        raise ArchiveUnreadable(
            _("this export is format version %(found)s; this Coproduce reads version %(ours)d")
            % {"found": manifest.get("version"), "ours": VERSION}
        )
    return manifest


def timebank_archive_read(path: str) -> Archive:
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ArchiveUnreadable(_("%(path)s: no such file") % {"path": path}) from None
    except (zipfile.BadZipFile, IsADirectoryError, PermissionError):
        raise ArchiveUnreadable(_("%(path)s is not a ZIP file") % {"path": path}) from None
    with archive:
        manifest = _manifest(archive)
        slug = (manifest.get("timebank") or {}).get("slug", "")
        if TimeBank.objects.filter(slug=slug).exists():
            raise ArchiveUnreadable(
                _(
                    "a time bank with the slug %(slug)s is already here: nothing imported "
                    "(an import only makes a new time bank)"
                )
                % {"slug": slug}
            )
        result = Archive(manifest=manifest)
        listed = manifest.get("files") or {}
        for table in TABLES:
            result.records[table.name] = []
            if table.file not in listed:
                result.problems.append(
                    Problem(
                        MANIFEST, None, None, _("%(file)s is not listed") % {"file": table.file}
                    )
                )
                continue
            try:
                data = archive.read(table.file)
            except KeyError:
                result.problems.append(Problem(table.file, None, None, _("missing from the ZIP")))
                continue
            if hashlib.sha256(data).hexdigest() != listed[table.file].get("sha256"):
                result.problems.append(
                    Problem(
                        table.file,
                        None,
                        None,
                        _("its checksum differs from the manifest's: the file was changed"),
                    )
                )
                continue
            _read_table(table, data, result)
    if not result.problems:
        _check_references(result)
    if not result.problems:
        _check_site(result)
        _check_ledger(result)
    return result


def _read_table(table: Table, data: bytes, result: Archive) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        result.problems.append(Problem(table.file, None, None, _("is not UTF-8")))
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    fields = {f.name: f for f in table.fields()}
    missing = [name for name in fields if name not in header]
    unknown = [name for name in header if name not in fields]
    for name in missing:
        result.problems.append(Problem(table.file, 1, name, _("this column is missing")))
    for name in unknown:
        result.problems.append(Problem(table.file, 1, name, _("no such column")))
    if missing or unknown:
        return
    seen: set[int] = set()
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if len(cells) != len(header):
            result.problems.append(
                Problem(table.file, start, None, _("this row has the wrong number of cells"))
            )
            continue
        values: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=True):
            field_ = fields[name]
            try:
                value = decode(field_, cell)
                check(field_, value)
            except ValueError as exc:
                result.problems.append(Problem(table.file, start, name, str(exc)))
                continue
            values[name] = value
        if "id" not in values:
            continue
        if values["id"] in seen:
            result.problems.append(Problem(table.file, start, "id", _("this id appears twice")))
            continue
        seen.add(values["id"])
        if len(values) == len(header):
            result.records[table.name].append(Record(start, values["id"], values))


def _check_references(result: Archive) -> None:
    banks = result.records["timebank"]
    if len(banks) != 1:
        result.problems.append(Problem("timebank.csv", None, None, _("must hold one time bank")))
        return
    bank_id = banks[0].id
    ids = {name: {r.id for r in records} for name, records in result.records.items()}
    for table in TABLES:
        pointing = table.references()
        has_bank = any(f.name == "timebank" for f in table.fields())
        for record in result.records[table.name]:
            if has_bank and record.values["timebank"] not in (bank_id, None):
                result.problems.append(
                    Problem(table.file, record.line, "timebank", _("another time bank's row"))
                )
            for column, target in pointing.items():
                value = record.values[column]
                if value is not None and value not in ids[target]:
                    result.problems.append(
                        Problem(
                            table.file,
                            record.line,
                            column,
                            _("no row %(id)d in %(file)s") % {"id": value, "file": target + ".csv"},
                        )
                    )


def _check_site(result: Archive) -> None:
    """What this installation already has: usernames (whatever their capitals) and public ids."""
    person = get_user_model()
    people = result.records["people"]
    wanted = {r.values["username"].lower(): r for r in people}
    for chunk in _chunks(list(wanted)):
        for taken in person.objects.filter(username__in=chunk).values_list("username", flat=True):
            record = wanted[taken.lower()]
            result.problems.append(
                Problem("people.csv", record.line, "username", _("this username is taken here"))
            )
    lowered = defaultdict(list)
    for record in people:
        lowered[record.values["username"].lower()].append(record)
    for same in lowered.values():
        for record in same[1:]:
            result.problems.append(
                Problem("people.csv", record.line, "username", _("this username appears twice"))
            )
    for table in TABLES:
        if "public_id" not in table.columns():
            continue
        by_id = {r.values["public_id"]: r for r in result.records[table.name]}
        for chunk in _chunks(list(by_id)):
            for taken in table.model._default_manager.filter(public_id__in=chunk).values_list(
                "public_id", flat=True
            ):
                result.problems.append(
                    Problem(table.file, by_id[taken].line, "public_id", _("already here"))
                )


def _check_ledger(result: Archive) -> None:
    """Each transfer's entries sum to zero per unit, and each account's balance is its entries'
    sum: what the ledger will be asked to post must add up before it is."""
    units = {r.id: r.values["unit"] for r in result.records["accounts"]}
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[int, int] = defaultdict(int)
    balances: dict[int, int] = defaultdict(int)
    lines = result.lines("transfers")
    for entry in result.records["entries"]:
        values = entry.values
        if values["unit"] != units[values["account"]]:
            result.problems.append(
                Problem("entries.csv", entry.line, "unit", _("not the account's unit"))
            )
        sums[values["transfer"]][values["unit"]] += values["amount"]
        counts[values["transfer"]] += 1
        balances[values["account"]] += values["amount"]
    for transfer, line in lines.items():
        if counts[transfer] < 2 or any(sums[transfer].values()):
            result.problems.append(
                Problem("transfers.csv", line, None, _("its entries do not balance to zero"))
            )
    for account in result.records["accounts"]:
        if account.values["balance"] != balances[account.id]:
            result.problems.append(
                Problem(
                    "accounts.csv",
                    account.line,
                    "balance",
                    _("%(balance)d minutes, but its entries come to %(sum)d")
                    % {"balance": account.values["balance"], "sum": balances[account.id]},
                )
            )


def _chunks(items: list, size: int = 500) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]
