"""The `coproduce import`, `export`, `backup` and `restore` commands: their options and what
they run.

Thin wrappers over this app's services, for `coproduce.cli`: each prints a short summary; a bad
option is one line and exit status 2; an import with bad rows names every one of them and exits
1, having written nothing. Models are imported inside the functions, because the command line
reads its options before Django is set up.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from coproduce.core.text import text_argument
from coproduce.portability.timebank.commands import add_export_timebank, add_import_timebank

if TYPE_CHECKING:
    from coproduce.community.models import TimeBank


def add_backup(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser(
        "backup",
        help="write the whole installation to one file",
        description="Write the database (SQLite's online backup, or pg_dump for PostgreSQL), "
        "the uploaded files and the secret key to FILE, a gzipped tar, while the app keeps "
        "running. FILE must not exist yet. Keep backups as safe as the database itself.",
    )
    backup.add_argument("file", metavar="FILE", help="where to write the backup")
    backup.set_defaults(func=_backup)
    restore = sub.add_parser(
        "restore",
        help="put a backup back into an empty database",
        description="Restore FILE (made by `coproduce backup`) into the database the settings "
        "name, which must be new and empty unless --force; then apply any newer migrations and "
        "verify the ledger (exit 0 only when it holds). Stop the app first.",
    )
    restore.add_argument("file", metavar="FILE", help="the backup")
    restore.add_argument(
        "--force",
        action="store_true",
        help="replace everything in a database that is not empty",
    )
    restore.set_defaults(func=_restore)


def _backup(args: argparse.Namespace) -> int:
    from coproduce.portability.backup import BackupError, backup_write

    try:
        manifest = backup_write(args.file)
    except BackupError as exc:
        print(f"coproduce: {exc}", file=sys.stderr)
        return 2
    size = os.path.getsize(args.file)
    print(
        f"wrote a backup of the {manifest['database']} database and {len(manifest['files']) - 1} "
        f"other file(s) to {args.file} ({size:,} bytes)"
    )
    return 0


def _restore(args: argparse.Namespace) -> int:
    from coproduce.portability.backup import BackupError, restore_read

    try:
        result = restore_read(args.file, force=args.force)
    except BackupError as exc:
        print(f"coproduce: {exc}", file=sys.stderr)
        return 2
    print(f"restored the {result.vendor} backup made at {result.created_at}")
    if result.migrated:
        print(f"applied {result.migrated} newer migration(s)")
    if not result.ledger_ok:
        for problem in result.ledger_problems:
            print(f"ledger: {problem}", file=sys.stderr)
        print("coproduce: the restored ledger does not verify", file=sys.stderr)
        return 1
    print("ledger verify: every balance equals its entries")
    return 0


def add_import(sub: argparse._SubParsersAction) -> None:
    importer = sub.add_parser(
        "import",
        help="bring members or opening balances in from a CSV file",
        description="Import from a spreadsheet or another time-bank system. Every row is "
        "checked first: if any is bad, each bad row is named by its line and nothing is written.",
    )
    what = importer.add_subparsers(dest="import_command", metavar="WHAT", required=True)
    members = what.add_parser(
        "members",
        help="add people as active members",
        description="Add everyone in a CSV file (UTF-8, header row first) as an active member "
        "of the time bank, with no password yet. Columns: username and first_name (required), "
        "last_name, email, area, phone, joined (YYYY-MM-DD).",
    )
    balances = what.add_parser(
        "balances",
        help="carry members' balances over from the previous system",
        description="Post each member's balance from the previous system as their opening "
        "balance, from a CSV file with the columns username and balance (hours: 2.5, -1.25, "
        "2:30 or -1:15). Importing the same file again posts nothing twice.",
    )
    balances.add_argument(
        "--acting",
        metavar="USERNAME",
        type=text_argument,
        required=True,
        help="the coordinator of the time bank who carries the balances over",
    )
    timeoverflow = what.add_parser(
        "timeoverflow",
        help="move a whole TimeOverflow bank in, with its history",
        description='Read TimeOverflow\'s manager reports (the "Download all" ZIP, or its '
        "Members, Offers, Inquiries and Transfers CSV files) exactly as TimeOverflow writes them: "
        "members become active members (no password yet), offers and inquiries become offers and "
        "requests, transfers become the bank's history, and every balance ends equal to the "
        "Members report. Importing again adds nothing twice.",
    )
    timeoverflow.add_argument(
        "--acting",
        metavar="USERNAME",
        type=text_argument,
        required=True,
        help="the coordinator of the time bank who brings the bank over",
    )
    timeoverflow.add_argument(
        "--category",
        metavar="NAME=KEY",
        action="append",
        default=[],
        type=text_argument,
        help="put TimeOverflow's category NAME into Coproduce's category KEY (repeatable)",
    )
    add_import_timebank(what)
    for parser in (members, balances, timeoverflow):
        parser.add_argument(
            "--timebank",
            metavar="SLUG",
            type=text_argument,
            required=True,
            help="the time bank's slug",
        )
        if parser is timeoverflow:
            parser.add_argument(
                "file", metavar="FILE", nargs="+", help="the ZIP file, or the report CSV files"
            )
        else:
            parser.add_argument("file", metavar="FILE", help="the CSV file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every row and say what would be done; write nothing",
        )
        parser.set_defaults(func=_import_run)


def add_export(sub: argparse._SubParsersAction) -> None:
    exporter = sub.add_parser(
        "export",
        help="write a time bank's members or transfers as CSV or JSON",
        description="Export one time bank's data. Written to standard output unless --output "
        "is given.",
    )
    what = exporter.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    members = what.add_parser(
        "members",
        help="the members, in the columns `import members` reads, with their balance",
        description="The time bank's active and paused members: username, first_name, "
        "last_name, email, area, phone, joined, and balance (h:mm).",
    )
    transfers = what.add_parser(
        "transfers",
        help="every entry of every transfer, oldest first",
        description="One row per entry: transfer, occurred_at, kind, memo, account, "
        "account_kind, amount (minutes, or pence for a money unit) and unit.",
    )
    valueflows = what.add_parser(
        "valueflows",
        help="the bank's agents, offers, requests and confirmed exchanges as ValueFlows JSON-LD",
        description="ValueFlows (https://w3id.org/valueflows/ont/vf#) in JSON-LD with its "
        "context inline: members and organisations as agents (people by an opaque id, not by "
        "name), open offers and requests as proposals, confirmed exchanges as deliverService "
        "events with their hours, and time-credit transfers as transfer events.",
    )
    valueflows.add_argument(
        "--timebank", metavar="SLUG", type=text_argument, required=True, help="the time bank's slug"
    )
    valueflows.add_argument(
        "--output", metavar="FILE", help="write here instead of standard output"
    )
    valueflows.set_defaults(func=_export_valueflows)
    add_export_timebank(what)
    for parser in (members, transfers):
        parser.add_argument(
            "--timebank",
            metavar="SLUG",
            type=text_argument,
            required=True,
            help="the time bank's slug",
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=("csv", "json"),
            default="csv",
            help="csv (default) or json",
        )
        parser.add_argument(
            "--output", metavar="FILE", help="write here instead of standard output"
        )
        parser.set_defaults(func=_export_run)


def timebank_or_none(slug: str) -> TimeBank | None:
    from coproduce.community.models import TimeBank

    timebank = TimeBank.objects.filter(slug=slug).first()
    if timebank is None:
        print(f"coproduce: no time bank with the slug {slug!r}", file=sys.stderr)
    return timebank


def _import_run(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from coproduce.community.models import Person
    from coproduce.portability.balances import balances_import
    from coproduce.portability.members import members_import

    timebank = timebank_or_none(args.timebank)
    if timebank is None:
        return 2
    if args.import_command == "members":
        result = members_import(timebank=timebank, path=args.file, dry_run=args.dry_run)
    else:
        acting = (
            Person.objects.filter(username=args.acting).first()
            or Person.objects.filter(username__iexact=args.acting).first()
        )
        if acting is None:
            message = _("no one has the username %(username)r (--acting)")
            print(f"coproduce: {message % {'username': args.acting}}", file=sys.stderr)
            return 2
        if args.import_command == "timeoverflow":
            return _import_timeoverflow(args, timebank, acting)
        result = balances_import(
            timebank=timebank, acting=acting, path=args.file, dry_run=args.dry_run
        )
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        lines = len({problem.line for problem in result.problems})
        message = ngettext(
            "a problem on %(lines)d line of %(file)s: nothing was imported",
            "problems on %(lines)d lines of %(file)s: nothing was imported",
            lines,
        ) % {"lines": lines, "file": args.file}
        print(f"coproduce: {message}", file=sys.stderr)
        return 1
    for line in result.summary:
        print(line)
    for note in result.notes:
        print(_("note: %(note)s") % {"note": note})
    if result.dry_run:
        print(_("dry run: nothing was written"))
    return 0


def _import_timeoverflow(args: argparse.Namespace, timebank: TimeBank, acting: object) -> int:
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from coproduce.core.errors import ApplicationError
    from coproduce.portability.balances import import_settle
    from coproduce.portability.timeoverflow.importer import timeoverflow_import

    overrides = {}
    for item in args.category:
        name, equals, key = item.rpartition("=")
        if not equals or not name.strip() or not key.strip():
            message = _("--category wants NAME=KEY, not %(item)r") % {"item": item}
            print(f"coproduce: {message}", file=sys.stderr)
            return 2
        overrides[name.strip()] = key.strip()

    def progress(stage: str, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done >= total else ""
        print(f"\r{stage} [{bar}] {done}/{total}", end=end, file=sys.stderr, flush=True)

    try:
        result = timeoverflow_import(
            timebank=timebank,
            acting=acting,  # type: ignore[arg-type]
            paths=args.file,
            dry_run=args.dry_run,
            category_overrides=overrides,
            progress=progress if sys.stderr.isatty() else None,
        )
    except ApplicationError as exc:
        print(f"coproduce: {exc.message}", file=sys.stderr)
        return 2
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        message = ngettext(
            "%(count)d problem: nothing was imported",
            "%(count)d problems: nothing was imported",
            len(result.problems),
        ) % {"count": len(result.problems)}
        print(f"coproduce: {message}", file=sys.stderr)
        return 1
    if not result.dry_run:
        import_settle()
    for line in result.summary:
        print(line)
    for note in result.notes:
        print(_("note: %(note)s") % {"note": note})
    if result.dry_run:
        print(_("dry run: nothing was written"))
    return 0


def _export_run(args: argparse.Namespace) -> int:
    from django.utils.translation import ngettext

    from coproduce.portability.files import write_export
    from coproduce.portability.members import members_export
    from coproduce.portability.transfers import transfers_export

    timebank = timebank_or_none(args.timebank)
    if timebank is None:
        return 2
    if args.export_command == "members":
        export = members_export(timebank=timebank)
    else:
        export = transfers_export(timebank=timebank)
    try:
        write_export(export, args.fmt, output=args.output, stdout=sys.stdout)
    except BrokenPipeError:
        # The reader stopped early (`… | head`): not an error. Standard output goes nowhere
        # from now on, so Python's last flush cannot complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if args.output:
        template = (
            ngettext(
                "wrote %(count)d member of %(timebank)s to %(file)s",
                "wrote %(count)d members of %(timebank)s to %(file)s",
                export.count,
            )
            if args.export_command == "members"
            else ngettext(
                "wrote %(count)d ledger entry of %(timebank)s to %(file)s",
                "wrote %(count)d ledger entries of %(timebank)s to %(file)s",
                export.count,
            )
        )
        values = {"count": export.count, "timebank": timebank.slug, "file": args.output}
        print(template % values, file=sys.stderr)
    return 0


def _export_valueflows(args: argparse.Namespace) -> int:
    import json

    from coproduce.portability.valueflows import valueflows_export

    timebank = timebank_or_none(args.timebank)
    if timebank is None:
        return 2
    text = json.dumps(valueflows_export(timebank=timebank), ensure_ascii=False, indent=1)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:
            print(f"coproduce: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return 2
        print(f"wrote ValueFlows of {timebank.slug} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text + "\n")
    return 0
