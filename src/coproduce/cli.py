"""The `coproduce` command: serve, demo, ledger verify, report, import, export, and Django's own
commands via manage.

Each subcommand is a thin wrapper over a service or selector and prints a short summary. Bad
options and bad settings end with a one-line message and exit status 2, never a traceback; an
import with bad rows names every one of them and exits 1, having written nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from coproduce.core.text import text_argument

if TYPE_CHECKING:
    from coproduce.community.models import TimeBank

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1 to 65535)")
    return port


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coproduce",
        description="Coproduce: time banking and co-production for communities and services.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser(
        "serve",
        help="set up the database and serve the app with gunicorn",
        description="Migrate the database, collect static files and serve what the database "
        "holds with gunicorn. Only --demo builds the demo community (the first time).",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port (8000)")
    serve.add_argument("--workers", type=_positive, default=2, help="gunicorn workers (2)")
    demo_choice = serve.add_mutually_exclusive_group()
    demo_choice.add_argument(
        "--demo",
        action="store_true",
        help="build the demo community the first time (what `make run` does); its logins share "
        "a published password, so never on an installation people rely on",
    )
    demo_choice.add_argument(
        "--no-demo", action="store_true", help="serve what the database holds (the default)"
    )
    serve.set_defaults(func=_serve)

    demo = sub.add_parser(
        "demo",
        help="build a realistic demo community",
        description="Build a demo time bank with members, partner organisations, offers, "
        "requests and months of confirmed exchanges. The same seed gives the same community.",
    )
    demo.add_argument("--members", type=_positive, default=150, help="how many members (150)")
    demo.add_argument("--months", type=_positive, default=6, help="months of history (6)")
    demo.add_argument("--seed", type=_seed, default=1, help="random seed (1)")
    demo.add_argument(
        "--slug", type=text_argument, default="riverside", help="the time bank's slug (riverside)"
    )
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=_demo)

    ledger = sub.add_parser("ledger", help="check the ledger", description="Ledger tools.")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", metavar="ACTION", required=True)
    verify = ledger_sub.add_parser(
        "verify",
        help="recompute every balance and check every invariant",
        description="Recompute every balance from its entries, check that every transfer and "
        "every time bank sums to zero per unit. Exit 0 only when every invariant holds.",
    )
    verify.add_argument(
        "--timebank", metavar="SLUG", type=text_argument, help="check one time bank only"
    )
    verify.set_defaults(func=_ledger_verify)

    report = sub.add_parser(
        "report",
        help="write a time bank's funder report (PDF, CSV or JSON)",
        description="Write the funder report for one time bank and period: a PDF with the "
        "headline figures, charts and method note; every table as CSV; or the figures as JSON. "
        "No member is named. Written to standard output unless --output is given.",
    )
    report.add_argument(
        "--timebank", metavar="SLUG", type=text_argument, required=True, help="the time bank's slug"
    )
    report.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        required=True,
        help="first day of the period, YYYY-MM-DD",
    )
    report.add_argument(
        "--to",
        dest="date_to",
        metavar="DATE",
        required=True,
        help="last day of the period (included), YYYY-MM-DD",
    )
    report.add_argument(
        "--format",
        dest="fmt",
        metavar="pdf|csv|json",
        default="pdf",
        help="pdf (default), csv or json",
    )
    report.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    report.set_defaults(func=_report)

    _add_import(sub)
    _add_backup(sub)
    _add_export(sub)

    manage = sub.add_parser(
        "manage",
        help="run one of Django's management commands",
        description="Pass the rest of the line to Django's management commands, "
        "e.g. `coproduce manage migrate` or `coproduce manage createsuperuser`.",
        add_help=False,
    )
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=_manage)
    return parser


def _add_backup(sub: argparse._SubParsersAction) -> None:
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


def _add_import(sub: argparse._SubParsersAction) -> None:
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
        parser.set_defaults(func=_import)


def _add_export(sub: argparse._SubParsersAction) -> None:
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
        parser.set_defaults(func=_export)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
    import django

    django.setup()


def _serve(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    from coproduce.community.models import TimeBank

    _migrate()
    if args.demo and not TimeBank.objects.exists():
        from coproduce.demo.builder import DemoOptions, demo_build

        print("Building the demo community (first run only)…", flush=True)
        summary = demo_build(DemoOptions(members=settings.DEMO_MEMBERS, months=6, seed=1))
        print(summary.text(), flush=True)
        _analyze()
    call_command("collectstatic", verbosity=0, interactive=False)

    from coproduce.demo.builder import DEMO_LOGINS, DEMO_PASSWORD

    host_for_url = f"[{args.host}]" if ":" in args.host else args.host
    print(f"\nCoproduce is serving on http://{host_for_url}:{args.port}/", flush=True)
    if args.demo and TimeBank.objects.filter(slug="riverside").exists():
        print(f"Demo logins (password: {DEMO_PASSWORD}):")
        for username, what in DEMO_LOGINS:
            print(f"  {username:<10} {what}")
    print("Press Ctrl+C to stop.\n", flush=True)
    sys.stdout.flush()
    bind = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
    os.execv(  # noqa: S606 - replaces this process with gunicorn; no shell is involved
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "coproduce.config.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ],
    )
    return 0  # pragma: no cover - execv does not return


def _demo(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from coproduce.demo.builder import DemoOptions, demo_build

    call_command("migrate", verbosity=0, interactive=False)

    options = DemoOptions(
        members=args.members,
        months=args.months,
        seed=args.seed,
        slug=args.slug,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    summary = demo_build(options)
    _analyze()
    print(summary.text())
    return 0


def _migrate() -> None:
    """Apply any new migrations, then refresh the planner's statistics if there were some: an
    upgrade that adds an index (exchanges 0006 took the home page from 272 to 186 ms on a
    10,000-member demo) helps only once SQLite has statistics for it."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", verbosity=0, interactive=False)
    if pending:
        _analyze()


def _analyze() -> None:
    """Refresh the query planner's statistics after a bulk load: without them SQLite can pick
    an index that turns a 100 ms report into a minute."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _ledger_verify(args: argparse.Namespace) -> int:
    from coproduce.community.models import TimeBank
    from coproduce.core.units import format_hours
    from coproduce.ledger.selectors import ledger_verify

    timebank_id = None
    if args.timebank:
        timebank_id = (
            TimeBank.objects.filter(slug=args.timebank).values_list("id", flat=True).first()
        )
        if timebank_id is None:
            print(f"coproduce: no time bank with the slug {args.timebank!r}", file=sys.stderr)
            return 2
    report = ledger_verify(timebank_id=timebank_id)
    print(f"time banks:   {report.timebanks}")
    print(f"accounts:     {report.accounts}")
    print(f"transfers:    {report.transfers}")
    print(f"entries:      {report.entries}")
    print(f"hours moved:  {format_hours(report.minutes_moved)}")
    if report.ok:
        print("ledger ok: every balance equals its entries; every transfer and time bank sums to 0")
        return 0
    print(f"LEDGER WRONG: {len(report.problems)} problem(s) shown")
    for problem in report.problems:
        print(f"  - {problem}")
    return 1


def _report(args: argparse.Namespace) -> int:
    from datetime import date

    from coproduce.community.models import TimeBank
    from coproduce.insights.pdf import report_pdf
    from coproduce.insights.period import ReportPeriod
    from coproduce.insights.report import report_build
    from coproduce.insights.tables import FUNDER, report_csv, report_json

    def fail(message: str) -> int:
        print(f"coproduce: {message}", file=sys.stderr)
        return 2

    if args.fmt not in {"pdf", "csv", "json"}:
        return fail(f"unknown format {args.fmt!r}: choose pdf, csv or json")
    dates = []
    for option, text in (("--from", args.date_from), ("--to", args.date_to)):
        try:
            dates.append(date.fromisoformat(text))
        except ValueError:
            return fail(f"{option} {text!r} is not a date: write it as YYYY-MM-DD")
    timebank = TimeBank.objects.filter(slug=args.timebank).first()
    if timebank is None:
        return fail(f"no time bank with the slug {args.timebank!r}")
    # A start after the end raises ApplicationError, which main() prints and exits 2 on.
    report = report_build(timebank=timebank, period=ReportPeriod.checked(*dates))
    body: bytes
    if args.fmt == "pdf":
        body = report_pdf(report)
    elif args.fmt == "csv":
        body = report_csv(report, FUNDER).encode()
    else:
        body = (report_json(report, FUNDER) + "\n").encode()
    if args.output:
        try:
            with open(args.output, "wb") as out:
                out.write(body)
        except OSError as exc:
            return fail(f"cannot write {args.output}: {exc.strerror}")
        print(f"wrote {args.fmt} report for {timebank.slug} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return 0


def _timebank_or_none(slug: str) -> TimeBank | None:
    from coproduce.community.models import TimeBank

    timebank = TimeBank.objects.filter(slug=slug).first()
    if timebank is None:
        print(f"coproduce: no time bank with the slug {slug!r}", file=sys.stderr)
    return timebank


def _import(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from coproduce.community.models import Person
    from coproduce.portability.balances import balances_import
    from coproduce.portability.members import members_import

    timebank = _timebank_or_none(args.timebank)
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
    for line in result.summary:
        print(line)
    for note in result.notes:
        print(_("note: %(note)s") % {"note": note})
    if result.dry_run:
        print(_("dry run: nothing was written"))
    return 0


def _export(args: argparse.Namespace) -> int:
    from django.utils.translation import ngettext

    from coproduce.portability.files import write_export
    from coproduce.portability.members import members_export
    from coproduce.portability.transfers import transfers_export

    timebank = _timebank_or_none(args.timebank)
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

    timebank = _timebank_or_none(args.timebank)
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


def _manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["coproduce manage", *args.args])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management.base import CommandError
    from django.db.utils import OperationalError

    from coproduce.core.errors import ApplicationError

    args = build_parser().parse_args(argv)
    try:
        _setup()
        return args.func(args)
    except ImproperlyConfigured as exc:
        print(f"coproduce: bad setting: {exc}", file=sys.stderr)
        return 2
    except ApplicationError as exc:
        print(f"coproduce: {exc.message}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(f"coproduce: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"coproduce: cannot use the database: {reason}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
