"""Reading a TimeOverflow bank's reports off disk: each path a CSV or a ZIP of them, told apart
by their headers (`reports.kind_of`), parsed by `reports`, with a problem named by file and line
for a file that cannot be read, is not UTF-8, is not a report, or comes twice.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence

from django.utils.translation import gettext as _

from coproduce.portability.files import Problem
from coproduce.portability.timeoverflow.reports import (
    ReportKind,
    ReportProblem,
    Reports,
    kind_of,
    members_read,
    posts_read,
    transfers_read,
)
from coproduce.portability.timeoverflow.rubycsv import CsvSyntaxError, records

_BOM = b"\xef\xbb\xbf"


def _texts(path: str, problems: list[Problem]) -> list[tuple[str, str]]:
    """(name, text) of each CSV in `path`: the file itself, or every CSV inside a ZIP."""
    name = os.path.basename(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        problems.append(
            ReportProblem(0, _("cannot be read (%(e)s)") % {"e": exc.strerror}, file=name)
        )
        return []
    parts: list[tuple[str, bytes]]
    if zipfile.is_zipfile(io.BytesIO(data)):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts = [
                    (f"{name}/{info.filename}", archive.read(info))
                    for info in archive.infolist()
                    if info.filename.lower().endswith(".csv") and not info.is_dir()
                ]
        except (zipfile.BadZipFile, OSError) as exc:
            problems.append(
                ReportProblem(0, _("is a damaged ZIP file (%(e)s)") % {"e": exc}, file=name)
            )
            return []
        if not parts:
            problems.append(ReportProblem(0, _("this ZIP file holds no CSV report"), file=name))
    else:
        parts = [(name, data)]
    texts = []
    for part_name, raw in parts:
        if raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        try:
            texts.append((part_name, raw.decode("utf-8")))
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            problems.append(
                ReportProblem(
                    line, _("this is not UTF-8 text, as TimeOverflow writes"), file=part_name
                )
            )
    return texts


def reports_read(paths: Sequence[str]) -> Reports:
    """Every report in `paths` (ZIPs or CSVs), parsed, with every problem found."""
    problems: list[Problem] = []
    found: dict[ReportKind, tuple[str, str]] = {}
    for path in paths:
        for name, text in _texts(path, problems):
            try:
                header = next(iter(records(text)), None)
            except CsvSyntaxError as exc:
                problems.append(ReportProblem(exc.line, exc.message, file=name))
                continue
            kind = kind_of(name, header.cells if header else [])
            if kind is None:
                problems.append(
                    ReportProblem(
                        1,
                        _("not a TimeOverflow report (Members, Offers, Inquiries or Transfers)"),
                        file=name,
                    )
                )
            elif kind in found:
                problems.append(
                    ReportProblem(
                        1,
                        _("a second %(kind)s report (the first is %(first)s)")
                        % {"kind": kind, "first": found[kind][0]},
                        file=name,
                    )
                )
            else:
                found[kind] = (name, text)
    reports = Reports(members=[], posts=[], transfers=[], problems=problems, files={})
    if "members" not in found:
        if not problems:
            problems.append(
                ReportProblem(0, _("the Members report is missing"), file=", ".join(paths))
            )
        return reports
    for kind, (name, text) in found.items():
        reports.files[kind] = name
        if kind == "members":
            reports.members, more = members_read(name, text)
        elif kind == "transfers":
            reports.transfers, more = transfers_read(name, text)
        else:
            posts, more = posts_read(name, text, kind)  # type: ignore[arg-type]
            reports.posts.extend(posts)
        problems.extend(more)
    return reports
