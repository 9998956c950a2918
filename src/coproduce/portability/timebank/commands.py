"""`coproduce export timebank` and `coproduce import timebank`: their options and handlers, added
to the `export` and `import` commands by `portability.commands`. Models are imported inside the
handlers, because the command line reads its options before Django is set up."""

from __future__ import annotations

import argparse
import os
import sys
import time

from coproduce.core.text import text_argument


def add_export_timebank(what: argparse._SubParsersAction) -> None:
    parser = what.add_parser(
        "timebank",
        help="the whole time bank as a ZIP of CSV files, to move it to another installation",
        description="Every member (profile and membership), organisation and its staff, "
        "setting, category, offer, request, exchange, thanks, transfer with its entries, pool, "
        "referral, co-design project and its meetings and proposals, as one CSV file each, with "
        "manifest.json (format, counts, a SHA-256 of each file). Never passwords, tokens, "
        "sign-in links, private conversations or safeguarding incidents. Referrals' support "
        "notes only with --include-sensitive. `coproduce import timebank` reads it.",
    )
    parser.add_argument(
        "--timebank", metavar="SLUG", type=text_argument, required=True, help="the time bank's slug"
    )
    parser.add_argument(
        "--output", metavar="FILE", required=True, help="the ZIP file to write (must not exist)"
    )
    parser.add_argument(
        "--include-sensitive",
        action="store_true",
        help="include referrals' support and risk notes (recorded in the manifest)",
    )
    parser.set_defaults(func=_export_timebank)


def add_import_timebank(what: argparse._SubParsersAction) -> None:
    parser = what.add_parser(
        "timebank",
        help="bring a whole time bank in from `coproduce export timebank`",
        description="Make a new time bank here from FILE, the ZIP `coproduce export timebank` "
        "wrote: its people (no passwords: give them sign-in links), settings, listings and all "
        "its history on their own dates, every transfer posted again through the ledger so "
        "every balance equals the export's. Every file is checked first (its checksum, then "
        "each cell); if anything is wrong, each problem is named by file, line and column and "
        "nothing is written. A time bank whose slug is already here is refused.",
    )
    parser.add_argument("file", metavar="FILE", help="the ZIP file")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check everything and try the whole import, then undo it; write nothing",
    )
    parser.set_defaults(func=_import_timebank)


def _export_timebank(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _

    from coproduce.portability.commands import timebank_or_none
    from coproduce.portability.timebank.export import timebank_export

    if os.path.exists(args.output):
        message = _("%(file)s already exists") % {"file": args.output}
        print(f"coproduce: {message}", file=sys.stderr)
        return 2
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        message = _("no folder for %(file)s") % {"file": args.output}
        print(f"coproduce: {message}", file=sys.stderr)
        return 2
    timebank = timebank_or_none(args.timebank)
    if timebank is None:
        return 2
    started = time.perf_counter()
    manifest = timebank_export(
        timebank=timebank, path=args.output, include_sensitive=args.include_sensitive
    )
    rows = sum(item["rows"] for item in manifest["files"].values())
    print(
        _("wrote %(rows)d rows in %(files)d files of %(timebank)s to %(file)s in %(seconds).1f s")
        % {
            "rows": rows,
            "files": len(manifest["files"]),
            "timebank": timebank.slug,
            "file": args.output,
            "seconds": time.perf_counter() - started,
        }
    )
    if args.include_sensitive:
        print(_("note: referrals' support notes are in it: keep the file as safe as the bank"))
    return 0


class _DryRun(Exception):
    pass


def _import_timebank(args: argparse.Namespace) -> int:
    from django.db import transaction
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from coproduce.portability.balances import import_settle
    from coproduce.portability.timebank.import_ import ImportRefused, timebank_import
    from coproduce.portability.timebank.read import ArchiveUnreadable, timebank_archive_read

    started = time.perf_counter()
    try:
        archive = timebank_archive_read(args.file)
    except ArchiveUnreadable as exc:
        print(f"coproduce: {exc.message}", file=sys.stderr)
        return 2
    problems = list(archive.problems)
    written = None
    if not problems:
        try:
            with transaction.atomic():
                written = timebank_import(archive=archive)
                if args.dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except ImportRefused as exc:
            problems = exc.problems
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        message = ngettext(
            "%(count)d problem: nothing was imported",
            "%(count)d problems: nothing was imported",
            len(problems),
        ) % {"count": len(problems)}
        print(f"coproduce: {message}", file=sys.stderr)
        return 1
    assert written is not None
    counts = written.counts
    print(
        (_("would make %(name)s (%(slug)s)") if args.dry_run else _("made %(name)s (%(slug)s)"))
        % {"name": written.timebank.name, "slug": written.timebank.slug}
        + ": "
        + _(
            "%(people)d people, %(offers)d offers, %(requests)d requests, "
            "%(exchanges)d exchanges, %(transfers)d transfers"
        )
        % {
            name: counts[name]
            for name in ("people", "offers", "requests", "exchanges", "transfers")
        }
        + _(" in %(seconds).1f s") % {"seconds": time.perf_counter() - started}
    )
    if args.dry_run:
        print(_("dry run: nothing was written"))
    else:
        import_settle()
        print(_("every balance equals the export's; people have no password here yet"))
    return 0
