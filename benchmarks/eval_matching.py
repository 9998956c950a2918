#!/usr/bin/env python
"""Offline evaluation of matching: recall@10 of the real provider, against a baseline.

    COPRODUCE_DATA_DIR=/tmp/demo .venv/bin/coproduce demo --members 10000 --months 12 --seed 1
    COPRODUCE_DATA_DIR=/tmp/demo .venv/bin/python benchmarks/eval_matching.py [--sample N]

The evaluation, precisely:
- Cases: the demo time bank's confirmed exchanges with exactly one provider and one receiver,
  both people, ordered by `confirmed_at` (then id). The last 20% are the test cases; the first
  80% are history.
- Hiding the provider: inside one transaction that is rolled back at the end, every test
  exchange is set to `cancelled` and the matching index is rebuilt (`timebank_reindex`), so
  neither "given in the last year" nor "exchanged with the requester before" can see a test
  exchange. Offers are those active at the end of the demo, for both methods alike.
- Query: the exchange's request when it answers one; otherwise a request written from the
  exchange (its title and category, asked by the receiver, in the receiver's area, any time).
  The receiver is the requester. `rank_need(..., limit=10)` ranks with the time bank's
  default weights.
- Hit: the real provider is among the 10 suggested. recall@10 = hits / cases.
- Baseline, "same category, random order": the active members other than the receiver with
  an active offer in the exchange's category, in random order; its recall@10 is computed
  exactly as the expectation over random orders: 10 / pool size when the provider is in the
  pool (1 when the pool holds 10 or fewer), else 0.
- `--sample N` evaluates N test cases spread evenly over the test period (all of them by
  default when N is 0), for speed; the figures say how many were used.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description="recall@10 of matching on the demo")
    parser.add_argument("--slug", default="riverside")
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Count, Q

    from coproduce.community.models import MembershipStatus, TimeBank
    from coproduce.exchanges.models import (
        Exchange,
        ExchangeStatus,
        ListingStatus,
        Offer,
        Request,
        Side,
    )
    from coproduce.matching.index import timebank_reindex
    from coproduce.matching.ranking import rank_need
    from coproduce.matching.selectors import need_of, settings_for

    timebank = TimeBank.objects.get(slug=args.slug)
    one_to_one = (
        Exchange.objects.filter(timebank=timebank, status=ExchangeStatus.CONFIRMED)
        .annotate(
            providers=Count("participants", filter=Q(participants__side=Side.PROVIDER)),
            receivers=Count("participants", filter=Q(participants__side=Side.RECEIVER)),
            people=Count("participants", filter=Q(participants__person__isnull=False)),
        )
        .filter(providers=1, receivers=1, people=2)
        .order_by("confirmed_at", "pk")
    )
    ids = list(one_to_one.values_list("pk", flat=True))
    test_ids = ids[int(len(ids) * 0.8) :]
    chosen = test_ids
    if args.sample and len(test_ids) > args.sample:
        step = len(test_ids) / args.sample
        chosen = [test_ids[int(i * step)] for i in range(args.sample)]
    print(f"confirmed one-to-one exchanges: {len(ids):,}; test (last 20%): {len(test_ids):,}")
    print(f"evaluated: {len(chosen):,}")

    # Everyone with an active offer, by category, for the baseline.
    offering: dict[str, set[int]] = {}
    for person_id, category in (
        Offer.objects.filter(
            timebank=timebank,
            status=ListingStatus.ACTIVE,
            person__memberships__timebank=timebank,
            person__memberships__status=MembershipStatus.ACTIVE,
        )
        .values_list("person_id", "category")
        .distinct()
    ):
        offering.setdefault(category, set()).add(person_id)

    hits = 0
    baseline = 0.0
    linked = 0
    times = []
    try:
        with transaction.atomic():
            for start in range(0, len(test_ids), 500):  # SQLite limits the size of IN (...)
                Exchange.objects.filter(pk__in=test_ids[start : start + 500]).update(
                    status=ExchangeStatus.CANCELLED
                )
            timebank_reindex(timebank=timebank)
            settings = settings_for(timebank)
            exchanges = [
                exchange
                for start in range(0, len(chosen), 500)
                for exchange in Exchange.objects.filter(pk__in=chosen[start : start + 500])
                .select_related("request__person", "request__timebank")
                .prefetch_related("participants__person")
            ]
            for exchange in exchanges:
                parts = list(exchange.participants.all())
                provider = next(p.person for p in parts if p.side == Side.PROVIDER)
                receiver = next(p.person for p in parts if p.side == Side.RECEIVER)
                if exchange.request is not None and exchange.request.person_id == receiver.pk:
                    request = exchange.request
                    linked += 1
                else:
                    request = Request(
                        timebank=timebank,
                        person=receiver,
                        title=exchange.title,
                        category=exchange.category,
                    )
                started = time.perf_counter()
                found = rank_need(need_of(request), settings, limit=10)
                times.append((time.perf_counter() - started) * 1000)
                hits += any(c.person.pk == provider.pk for c in found)
                pool = offering.get(exchange.category, set()) - {receiver.pk}
                if provider.pk in pool:
                    baseline += min(1.0, 10 / len(pool))
            raise _Rollback
    except _Rollback:
        pass
    timebank_reindex(timebank=timebank)  # the index as it really is again
    n = len(chosen) or 1
    print(f"answering a request they posted: {linked:,} of {len(chosen):,}")
    print(f"recall@10 matching:                      {hits / n:.3f} ({hits:,} hits)")
    print(f"recall@10 baseline (same category, random): {baseline / n:.3f}")
    print(f"median time per ranking: {statistics.median(times or [0]):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
