"""The `coproduce insights refresh` command: fold what the ledger gained since the last refresh
into the insights report's kept summaries (`insights.summary`).

A thin wrapper for `coproduce.cli`; models are imported inside the function, because the command
line reads its options before Django is set up.
"""

from __future__ import annotations

import argparse
import sys


def add_insights(sub: argparse._SubParsersAction) -> None:
    insights = sub.add_parser(
        "insights",
        help="keep the insights report's summaries of the ledger",
        description="Tools for the insights and funder's reports.",
    )
    insights_sub = insights.add_subparsers(dest="insights_command", metavar="ACTION", required=True)
    refresh = insights_sub.add_parser(
        "refresh",
        help="fold new ledger entries into the report's summaries (schedule it, e.g. hourly)",
        description="Fold every ledger entry posted since the last refresh into the summaries "
        "the insights report reads, so that it reads fewer entries live. The report is exact "
        "whenever this last ran; running it only makes the report faster. Safe while the app "
        "runs; waits a moment for postings under way. Run it on the primary database.",
    )
    refresh.add_argument(
        "--rebuild",
        action="store_true",
        help="throw the summaries away and build them again from every entry",
    )
    refresh.set_defaults(func=_refresh)


def _refresh(args: argparse.Namespace) -> int:
    from coproduce.insights.summary import SummaryBusy, summary_refresh

    try:
        done = summary_refresh(rebuild=args.rebuild)
    except SummaryBusy:
        print(
            "coproduce: postings stayed under way too long for the refresh to start; "
            "nothing changed, try again later",
            file=sys.stderr,
        )
        return 1
    print(f"entries folded: {done.folded}")
    print(f"watermark:      {done.watermark}")
    if done.rebuilt:
        print("rebuilt from every entry (asked for, first run, or a new time zone)")
    return 0
