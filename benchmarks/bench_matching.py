#!/usr/bin/env python
"""Latency of `matching.selectors.candidates_for_request` (top 10) in a large time bank.

    .venv/bin/python benchmarks/bench_matching.py [--members N] [--requests R] [--seed S]

It migrates the database named by DATABASE_URL (or the SQLite file under COPRODUCE_DATA_DIR), so
point it at a throwaway one. It bulk-creates a time bank of N active members (each with an hour
account, an area out of 12, a few free slots, one to three offers out of a vocabulary of 60
titles in the 12 kinds of help, a fifth of them with something written under "what I can give";
no exchanges, so everyone has yet to give and fairness ties), builds the matching index with
`timebank_reindex` (timed: the bulk path), runs ANALYZE on PostgreSQL, then asks
for the top 10 candidates of R random open requests (one warm-up each is not counted) and
prints the median and p95 time per call, the index build time and the queries per call.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

AREAS = [f"Ward {n}" for n in range(1, 13)]
TITLES = {
    "gardening": ["Gardening", "Weeding and lawn mowing", "Hedge trimming", "Allotment help"],
    "transport": ["Lifts to appointments", "Driving to the shops", "Hospital transport"],
    "household": ["Small DIY jobs", "Putting up shelves", "Flatpack furniture", "Cleaning help"],
    "companionship": ["A friendly chat", "Visiting for a cuppa", "Befriending"],
    "care": ["Respite sitting", "Personal care support"],
    "learning": ["English conversation", "Maths tutoring", "Homework club"],
    "admin": ["Filling in forms", "Help with letters and bills", "Benefits paperwork"],
    "creative": ["Knitting lessons", "Painting and crafts", "Singing group"],
    "health": ["Walking buddy", "Chair yoga", "Exercise for beginners"],
    "children": ["Babysitting", "School run", "Childcare for toddlers"],
    "neighbourhood": ["Litter picking", "Street clean-up"],
    "civic": ["Council consultation", "Co-design meeting notes"],
}
REQUESTS = [
    ("gardening", "Weeding my front garden"),
    ("transport", "A lift to the hospital on Tuesday"),
    ("household", "Shelves put up in the kitchen"),
    ("companionship", "Someone to chat with once a week"),
    ("learning", "Help with maths homework"),
    ("admin", "Help filling in a benefits form"),
    ("creative", "Learn to knit"),
    ("health", "Walking partner for my fitness"),
]


def _build(members: int, seed: int):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from coproduce.community.availability import SLOTS
    from coproduce.community.models import Membership, MembershipStatus, Person, TimeBank
    from coproduce.exchanges.models import Offer, Request
    from coproduce.ledger.models import Account, AccountKind

    rng = random.Random(seed)
    tag = uuid.uuid4().hex[:8]
    timebank = TimeBank.objects.create(slug=f"bench-{tag}", name=f"Matching benchmark {tag}")
    no_login = make_password(None)
    now = timezone.now()
    people = Person.objects.bulk_create(
        (
            Person(
                username=f"m-{tag}-{i}",
                first_name="Member",
                last_name=str(i),
                password=no_login,
                availability=rng.sample(SLOTS, rng.choice([0, 2, 4, 6])),
                gives="I can help with gardening and DIY" if rng.random() < 0.2 else "",
            )
            for i in range(members)
        ),
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        (
            Membership(
                timebank=timebank,
                person=p,
                status=MembershipStatus.ACTIVE,
                area=rng.choice(AREAS),
            )
            for p in people
        ),
        batch_size=5000,
    )
    Account.objects.bulk_create(
        (
            Account(
                timebank=timebank,
                kind=AccountKind.MEMBER,
                person=p,
                min_balance=-600,
                balance=0,
            )
            for p in people
        ),
        batch_size=5000,
    )
    categories = list(TITLES)
    offers = []
    for p in people:
        for _ in range(rng.choice([1, 1, 2, 3])):
            category = rng.choice(categories)
            offers.append(
                Offer(
                    timebank=timebank,
                    person=p,
                    title=rng.choice(TITLES[category]),
                    category=category,
                    area=rng.choice(AREAS),
                    created_at=now,
                )
            )
    Offer.objects.bulk_create(offers, batch_size=5000)
    requests = Request.objects.bulk_create(
        Request(
            timebank=timebank,
            person=rng.choice(people),
            title=title,
            category=category,
            area=rng.choice(AREAS),
            availability=rng.sample(SLOTS, rng.choice([0, 2])),
            created_at=now,
        )
        for category, title in REQUESTS * 25
    )
    return timebank, requests, len(offers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coproduce.exchanges.models import Request
    from coproduce.matching.index import timebank_reindex
    from coproduce.matching.selectors import candidates_for_request

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    timebank, requests, offers = _build(args.members, args.seed)
    built = time.perf_counter() - started
    started = time.perf_counter()
    summary = timebank_reindex(timebank=timebank)
    indexed = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(args.seed)
    chosen = [rng.choice(requests) for _ in range(args.requests)]
    chosen = list(
        Request.objects.filter(pk__in=[r.pk for r in chosen]).select_related("person", "timebank")
    )
    times, queries, found = [], [], []
    for request in chosen:
        candidates_for_request(request)  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            result = candidates_for_request(request)
            times.append((time.perf_counter() - t) * 1000)
        queries.append(len(ctx.captured_queries))
        found.append(len(result))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(f"database:      {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"members:       {args.members:,} ({offers:,} offers); built in {built:.1f} s")
    print(f"index:         {summary} ({indexed:.1f} s)")
    print(f"requests:      {len(times)} calls of candidates_for_request(limit=10)")
    print(f"median:        {statistics.median(times):.1f} ms")
    print(f"p95:           {p95:.1f} ms")
    print(
        f"queries/call:  {statistics.median(queries):.0f}; "
        f"candidates/call {min(found)}-{max(found)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
