#!/usr/bin/env python
"""How fast a TimeOverflow bank moves in: `coproduce import timeoverflow` on a generated
"Download all" ZIP (tests/portability/timeoverflow_reports.py writes it exactly as TimeOverflow's
Ruby does), on whatever database the environment gives.

    .venv/bin/python benchmarks/bench_import.py [--members N] [--transfers N]

It migrates the database named by DATABASE_URL (or the SQLite file under COPRODUCE_DATA_DIR), so
point it at a throwaway one, makes a time bank with a coordinator, imports the ZIP once (timed:
rows per second, peak memory of the process) and again (timed: a second run adds nothing), and
checks every balance against the Members report and `ledger_verify`. The target (issue 14):
500 members and 20,000 transfers in under 30 s on SQLite. `--json FILE` also writes the figures
as JSON (for `benchmarks/targets.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--transfers", type=int, default=20_000)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from coproduce.community.models import Membership, Person, TimeBank
    from coproduce.ledger.models import Account
    from coproduce.ledger.selectors import ledger_verify
    from coproduce.portability.models import ExternalRecord
    from coproduce.portability.timeoverflow.importer import timeoverflow_import
    from tests.portability.timeoverflow_reports import generated

    call_command("migrate", verbosity=0, interactive=False)
    stamp = str(int(time.time()))
    timebank = TimeBank.objects.create(slug=f"bench-to-{stamp}", name="Import benchmark")
    carol = Person.objects.create_user(username=f"bench-carol-{stamp}", password=None)
    Membership.objects.create(timebank=timebank, person=carol, role="coordinator", status="active")

    bank = generated(args.members, args.transfers)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "download-all.zip")
        Path(path).write_bytes(bank.download_all())
        rows = (
            len([m for m in bank.members if m.active and not m.deleted])
            + len(bank.posts)
            + len(bank.transfers)
        )
        print(
            f"database: {connection.vendor}; {args.members} members, {len(bank.posts)} posts, "
            f"{len(bank.transfers)} transfers ({rows} rows)"
        )
        started = time.perf_counter()
        result = timeoverflow_import(timebank=timebank, acting=carol, paths=[path])
        first = time.perf_counter() - started
        if not result.ok:
            print("\n".join(map(str, result.problems)))
            return 1
        started = time.perf_counter()
        again = timeoverflow_import(timebank=timebank, acting=carol, paths=[path])
        second = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"first run:  {first:6.1f} s  ({rows / first:,.0f} rows/s)")
    print(f"second run: {second:6.1f} s  (adds nothing: {again.ok})")
    print(f"peak memory of the process: {peak:,.0f} MiB")

    people = {
        int(uid): public_id
        for uid, public_id in ExternalRecord.objects.filter(
            timebank=timebank, kind="member"
        ).values_list("external_id", "public_id")
    }
    balances = dict(
        Account.objects.filter(timebank=timebank, person__isnull=False).values_list(
            "person__public_id", "balance"
        )
    )
    wrong = [
        m.uid
        for m in bank.members
        if m.active and not m.deleted and balances[people[m.uid]] * 60 != bank.balance(m.uid)
    ]
    verified = ledger_verify(timebank_id=timebank.pk).ok
    print(f"balances equal to the Members report: {not wrong}; ledger verify: {verified}")
    if args.json:
        figures = {
            "benchmark": "import",
            "database": connection.vendor,
            "members": args.members,
            "transfers": len(bank.transfers),
            "rows": rows,
            "first_s": first,
            "rows_per_s": rows / first,
            "second_s": second,
            "second_adds_nothing": again.ok,
            "peak_mib": peak,
            "balances_ok": not wrong,
            "verify_ok": verified,
        }
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0 if not wrong and verified else 1


if __name__ == "__main__":
    raise SystemExit(main())
