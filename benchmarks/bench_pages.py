"""Median and p95 time of the pages people use most, on a demo community.

    COPRODUCE_DATA_DIR=/tmp/pages-demo .venv/bin/coproduce demo --members 10000 --months 12 --seed 1
    COPRODUCE_DATA_DIR=/tmp/pages-demo .venv/bin/python benchmarks/bench_pages.py [--runs 30]

Each page is requested through Django's test client (the whole middleware and template stack,
no network), signed in as the person who would use it: the browse pages and a public profile as
alice, the coordinator dashboard as carol. One untimed warm-up request per page, then `--runs`
timed requests; the number of queries of the last request is printed beside the times, and
the median CPU time of this process (on SQLite that includes the database's work; on
PostgreSQL the server's share is not in it), which a busy machine disturbs less than the clock.

`--timebank`, `--member` and `--coordinator` measure another community than the demo's
riverside, alice and carol (e.g. the 1,000,000-exchange set of `bench_insights.py`, after making
one of its members a coordinator); `--search` is the word searched for. `--json FILE` also writes
the figures as JSON (for `benchmarks/targets.py`), with the community's size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
os.environ.setdefault(
    "COPRODUCE_STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--timebank", default="riverside", help="the time bank's slug")
    parser.add_argument("--member", default="alice", help="who browses (a member)")
    parser.add_argument("--coordinator", default="carol", help="who opens the dashboard")
    parser.add_argument("--search", default="garden", help="the word searched for in offers")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from coproduce.community.models import Membership, Person

    settings.ALLOWED_HOSTS = ["testserver"]
    try:
        alice = Person.objects.get(username=args.member)
        carol = Person.objects.get(username=args.coordinator)
        someone = (
            Membership.objects.filter(timebank__slug=args.timebank, status="active", role="member")
            .exclude(person=alice)
            .select_related("person")
            .order_by("id")[50]
            .person
        )
    except (Person.DoesNotExist, IndexError):
        print(
            f"no {args.member!r} and {args.coordinator!r} with 51 other active members in "
            f"{args.timebank!r}: is this the right data dir?",
            file=sys.stderr,
        )
        return 2
    members = Membership.objects.filter(timebank__slug=args.timebank).count()
    pages = [
        ("offers", "browse offers", alice, "/offers/"),
        ("search", f"browse offers, search '{args.search}'", alice, f"/offers/?q={args.search}"),
        ("requests", "browse requests, filtered", alice, "/requests/?category=transport&day=tue"),
        ("profile", "public profile", alice, f"/people/{someone.public_id}/"),
        ("home", "home", alice, "/"),
        ("dashboard", "coordinator dashboard", carol, "/coordinator/"),
    ]
    figures: dict = {
        "benchmark": "pages",
        "database": connection.vendor,
        "timebank": args.timebank,
        "members": members,
        "runs": args.runs,
        "load_before": list(os.getloadavg()),
        "pages": {},
    }
    print(f"{members} memberships in {args.timebank}; {args.runs} timed requests per page")
    print(f"{'page':<34} {'median':>9} {'p95':>9} {'CPU':>9} {'queries':>8}")
    for key, label, person, url in pages:
        client = Client()
        client.force_login(person)
        response = client.get(url)
        if response.status_code != 200:
            print(f"{label}: {url} answered {response.status_code}", file=sys.stderr)
            return 1
        times, cpu = [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start, start_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(
            f"{label:<34} {statistics.median(times):>7.1f}ms {p95:>7.1f}ms "
            f"{statistics.median(cpu):>7.1f}ms {len(queries):>8}"
        )
        figures["pages"][key] = {
            "label": label,
            "url": url,
            "median_ms": statistics.median(times),
            "p95_ms": p95,
            "cpu_ms": statistics.median(cpu),
            "queries": len(queries),
        }
    if args.json:
        from coproduce.exchanges.models import Exchange, ExchangeStatus

        figures["exchanges"] = Exchange.objects.filter(
            timebank__slug=args.timebank, status=ExchangeStatus.CONFIRMED
        ).count()
        figures["load_after"] = list(os.getloadavg())
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
