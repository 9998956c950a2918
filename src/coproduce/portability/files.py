"""The files themselves: reading a CSV a coordinator brings (UTF-8, with or without a BOM, a
header row first) into rows that know their line in the file, and writing exports as CSV or JSON.

Reading never raises for what is in the file: each problem becomes a `Problem` naming its line
(the header is line 1), so an import can report every bad row at once; a cell holding a control
character (a NUL, say) is such a problem. Only a file that cannot
be opened at all raises (`FileUnreadable`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.core.errors import ApplicationError
from coproduce.core.spreadsheets import spreadsheet_safe, spreadsheet_unguard
from coproduce.core.text import bad_character

BOM = b"\xef\xbb\xbf"


class FileUnreadable(ApplicationError):
    """The file cannot be opened at all (missing, a folder, no permission)."""


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class Row:
    line: int  # where the row starts in the file
    values: dict[str, str]  # column name -> the cell, stripped ("" when missing)


@dataclass
class Table:
    columns: list[str] = field(default_factory=list)  # as named in the header, normalised
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import did (or, on a dry run, would do), or why it did nothing."""

    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_csv(
    path: str | os.PathLike[str],
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    ignored: Sequence[str] = (),
) -> Table:
    """The rows of the CSV file at `path`, or the problems that stop it being read.

    Column names are matched whatever their capitals and spaces around them. `ignored` columns
    are allowed and dropped; any other column not named is a problem, as is a missing required
    one. Blank rows (a spreadsheet's trailing empty lines) are skipped.
    """
    data = _read_bytes(path)
    table = Table()
    if data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        table.problems.append(
            Problem(
                line,
                _(
                    "this is not UTF-8 text (byte 0x%(byte)02X); save the file as "
                    "“CSV UTF-8” and try again"
                )
                % {"byte": data[exc.start]},
            )
        )
        return table

    reader = csv.reader(io.StringIO(text, newline=""))
    read_up_to = 0  # the last line the reader has consumed
    try:
        header = next(reader, None)
        read_up_to = reader.line_num
        if header is None or not any(cell.strip() for cell in header):
            table.problems.append(
                Problem(
                    1,
                    _("the file has no header row; the first line must name the columns: %(c)s")
                    % {"c": ", ".join([*required, *optional])},
                )
            )
            return table
        columns = table.columns = [cell.strip().lower() for cell in header]
        if problems := _header_problems(columns, required, optional, ignored):
            table.problems.extend(problems)
            return table
        for cells in reader:
            line, read_up_to = read_up_to + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            row, problem = _row(line, columns, cells, keep=set(required) | set(optional))
            if problem is not None:
                table.problems.append(problem)
            else:
                table.rows.append(row)
    except csv.Error as exc:
        table.problems.append(
            Problem(read_up_to + 1, _("this line cannot be read as CSV (%(e)s)") % {"e": exc})
        )
    return table


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise FileUnreadable(_("there is no file %(path)s") % {"path": path}, "no_file") from None
    except IsADirectoryError:
        raise FileUnreadable(
            _("%(path)s is a folder, not a file") % {"path": path}, "no_file"
        ) from None
    except OSError as exc:
        raise FileUnreadable(
            _("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror},
            "no_file",
        ) from None


def _header_problems(
    columns: list[str],
    required: Sequence[str],
    optional: Sequence[str],
    ignored: Sequence[str],
) -> list[Problem]:
    problems = []
    named = [column for column in columns if column]
    twice = sorted({column for column in named if named.count(column) > 1})
    if twice:
        problems.append(
            Problem(
                1,
                ngettext(
                    "the column %(columns)s appears twice in the header",
                    "the columns %(columns)s appear twice in the header",
                    len(twice),
                )
                % {"columns": ", ".join(twice)},
            )
        )
    missing = [column for column in required if column not in named]
    if missing:
        problems.append(
            Problem(
                1,
                ngettext(
                    "the header has no %(columns)s column, which is required",
                    "the header lacks the required columns %(columns)s",
                    len(missing),
                )
                % {"columns": ", ".join(missing)},
            )
        )
    known = {*required, *optional, *ignored}
    unknown = [column for column in dict.fromkeys(named) if column not in known]
    if unknown:
        problems.append(
            Problem(
                1,
                ngettext(
                    "unknown column %(columns)s (the columns are %(known)s)",
                    "unknown columns %(columns)s (the columns are %(known)s)",
                    len(unknown),
                )
                % {"columns": ", ".join(unknown), "known": ", ".join([*required, *optional])},
            )
        )
    return problems


def _row(
    line: int, columns: list[str], cells: list[str], *, keep: set[str]
) -> tuple[Row, Problem | None]:
    values = {column: "" for column in columns if column in keep}
    if len(cells) > len(columns):
        extra = [cell for cell in cells[len(columns) :] if cell.strip()]
        if extra:
            return Row(line, values), Problem(
                line,
                _("this row has %(cells)d cells but the header names %(columns)d columns")
                % {"cells": len(cells), "columns": len(columns)},
            )
    for column, cell in zip(columns, cells, strict=False):
        if not column:
            if cell.strip():
                return Row(line, values), Problem(
                    line, _("there is a value under a column with no name in the header")
                )
            continue
        if column in keep:
            values[column] = spreadsheet_unguard(cell.strip())
            # Every column read is single-line text (core.text): a NUL or other control
            # character makes the row bad, before any database sees it.
            char = bad_character(values[column])
            if char is not None:
                message = (
                    _("column “%(column)s” must be one line: it holds a line break or a tab")
                    if char in "\t\n\r"
                    else _("column “%(column)s” contains a control character (U+%(code)04X)")
                )
                return Row(line, values), Problem(
                    line, message % {"column": column, "code": ord(char)}
                )
    return Row(line, values), None


def repeated(rows: Sequence[Row], column: str) -> list[Problem]:
    """A problem for each row whose `column` (a username, say) an earlier row already has,
    whatever its capitals."""
    first_line: dict[str, int] = {}
    problems = []
    for row in rows:
        value = row.values[column]
        if not value:
            continue
        line = first_line.setdefault(value.lower(), row.line)
        if line != row.line:
            problems.append(
                Problem(
                    row.line,
                    _("the %(column)s “%(value)s” is already on line %(line)d")
                    % {"column": column, "value": value, "line": line},
                )
            )
    return problems


# --- writing exports ----------------------------------------------------------------------------


@dataclass
class Export:
    """An export's columns and its rows, read lazily (a large ledger is streamed, never held)."""

    what: str  # "members", "transfers": for the message saying what was written
    columns: tuple[str, ...]
    rows: Iterable[tuple[Any, ...]]
    # Columns people typed (names, memos), which get the formula guard in a CSV file.
    text_columns: frozenset[str] = frozenset()
    count: int = 0  # rows written so far


def csv_cells(export: Export) -> Iterator[list[Any]]:
    """The export's rows as CSV cells, the text people typed made safe for spreadsheets (the
    command and the coordinator's downloads page write the same cells)."""
    guarded = [column in export.text_columns for column in export.columns]
    for row in export.rows:
        yield [
            spreadsheet_safe(value) if is_text and isinstance(value, str) else value
            for value, is_text in zip(row, guarded, strict=True)
        ]


def write_csv(export: Export, out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(export.columns)
    for cells in csv_cells(export):
        writer.writerow(cells)
        export.count += 1


def write_json(export: Export, out: IO[str]) -> None:
    """A JSON array of objects, one per line, written as the rows arrive."""
    out.write("[")
    for row in export.rows:
        out.write(",\n" if export.count else "\n")
        out.write(json.dumps(dict(zip(export.columns, row, strict=True)), ensure_ascii=False))
        export.count += 1
    out.write("\n]\n" if export.count else "]\n")


WRITERS: dict[str, Callable[[Export, IO[str]], None]] = {"csv": write_csv, "json": write_json}


def write_export(export: Export, fmt: str, *, output: str | None, stdout: IO[str]) -> None:
    """Write to `output` (all or nothing: a half-written file never replaces a good one) or to
    standard output."""
    write = WRITERS[fmt]
    if output is None:
        write(export, stdout)
        stdout.flush()
        return
    target = Path(output)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}."
        )
    except OSError as exc:
        raise FileUnreadable(
            _("cannot write %(path)s: %(reason)s") % {"path": output, "reason": exc.strerror},
            "cannot_write",
        ) from None
    try:
        with open(handle, "w", encoding="utf-8", newline="") as out:
            write(export, out)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise FileUnreadable(
            _("cannot write %(path)s: %(reason)s") % {"path": output, "reason": exc.strerror},
            "cannot_write",
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def rows_in_chunks(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """Slices small enough for one query's parameters on SQLite."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
