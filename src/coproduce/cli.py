"""The `coproduce` command: serve, demo, ledger verify, report, import, export, admin create,
timebank create (administration.commands), insights refresh (insights.commands), and Django's
own commands via manage.

Each subcommand is a thin wrapper over a service or selector and prints a short summary. Bad
options and bad settings end with a one-line message and exit status 2, never a traceback; an
import with bad rows names every one of them and exits 1, having written nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from coproduce.administration.commands import add_setup_commands
from coproduce.core.statistics import statistics_refresh
from coproduce.core.text import text_argument
from coproduce.creditcommons.commands import add_creditcommons
from coproduce.insights.commands import add_insights
from coproduce.portability.commands import add_backup, add_export, add_import

if TYPE_CHECKING:
    pass

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

    add_import(sub)
    add_backup(sub)
    add_export(sub)
    add_setup_commands(sub)
    add_creditcommons(sub)
    add_insights(sub)

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


# Where a coordinator's shell says which language they read, in gettext's order of precedence.
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def environment_language(environ: Mapping[str, str] | None = None) -> str:
    """The language the command speaks: the first language of ours named by LANGUAGE (a list
    such as `cy:en`), LC_ALL, LC_MESSAGES or LANG (`es_ES.UTF-8` is Spanish, `ca` Catalan),
    else the installation's (English). A value naming none of ours (`C.UTF-8`, `de_DE`) is
    passed over."""
    from django.conf import settings

    environ = os.environ if environ is None else environ
    codes = [code for code, _name in settings.LANGUAGES]
    for variable in LANGUAGE_VARIABLES:
        for entry in environ.get(variable, "").split(":"):
            wanted = entry.split(".")[0].split("@")[0].strip().lower().replace("_", "-")
            if not wanted or wanted in {"c", "posix"}:
                continue
            if wanted in codes:
                return wanted
            for code in codes:
                if code.split("-")[0] == wanted.split("-")[0]:
                    return code
    return str(settings.LANGUAGE_CODE)


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
        statistics_refresh(vacuum=True)
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
    statistics_refresh(vacuum=True)
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
        # Without statistics SQLite can pick an index that turns a 100 ms report into a minute.
        # Not VACUUM: an upgrade need not read a big bank's every table (a bulk load does).
        statistics_refresh()


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
    # The funder's report (no names): nothing only the coordinator's named views show.
    report = report_build(timebank=timebank, period=ReportPeriod.checked(*dates), named=False)
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


def _manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["coproduce manage", *args.args])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from django.core.exceptions import ImproperlyConfigured

    args = build_parser().parse_args(argv)
    try:
        _setup()
        from django.utils import translation

        # What a coordinator reads (reports, refusals) is in their shell's language.
        with translation.override(environment_language()):
            return _run(args)
    except ImproperlyConfigured as exc:
        print(f"coproduce: bad setting: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management.base import CommandError
    from django.db.utils import OperationalError

    from coproduce.core.errors import ApplicationError

    try:
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


if __name__ == "__main__":
    sys.exit(main())
