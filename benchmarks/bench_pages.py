"""Median and p95 time of the pages people use most, on a demo community.

    COPRODUCE_DATA_DIR=/tmp/pages-demo .venv/bin/coproduce demo --members 10000 --months 12 --seed 1
    COPRODUCE_DATA_DIR=/tmp/pages-demo .venv/bin/python benchmarks/bench_pages.py [--runs 30]

Each page is requested through Django's test client (the whole middleware and template stack,
no network), signed in as the person who would use it: the browse pages and a public profile as
alice, the coordinator dashboard as carol. One untimed warm-up request per page, then `--runs`
timed requests; the number of queries of the last request is printed beside the times.
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from coproduce.community.models import Membership, Person

    settings.ALLOWED_HOSTS = ["testserver"]
    alice = Person.objects.get(username="alice")
    carol = Person.objects.get(username="carol")
    someone = (
        Membership.objects.filter(timebank__slug="riverside", status="active", role="member")
        .exclude(person=alice)
        .select_related("person")
        .order_by("id")[50]
        .person
    )
    members = Membership.objects.filter(timebank__slug="riverside").count()
    pages = [
        ("browse offers", alice, "/offers/"),
        ("browse offers, search 'garden'", alice, "/offers/?q=garden"),
        ("browse requests, filtered", alice, "/requests/?category=transport&day=tue"),
        ("public profile", alice, f"/people/{someone.public_id}/"),
        ("home", alice, "/"),
        ("coordinator dashboard", carol, "/coordinator/"),
    ]
    print(f"{members} memberships in riverside; {args.runs} timed requests per page")
    print(f"{'page':<34} {'median':>9} {'p95':>9} {'queries':>8}")
    for label, person, url in pages:
        client = Client()
        client.force_login(person)
        response = client.get(url)
        if response.status_code != 200:
            print(f"{label}: {url} answered {response.status_code}", file=sys.stderr)
            return 1
        times = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(f"{label:<34} {statistics.median(times):>7.1f}ms {p95:>7.1f}ms {len(queries):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
