"""The summaries kept beside confirmed exchanges, written in the transaction that confirms them,
so that the pages counting a year of exchanges read one row per person instead.

Two things are kept: each participation's copy of its exchange's `confirmed_at`
(`Participant.exchange_confirmed_at`, indexed with the person and side, so "how many did she
give since" is one index range), and each person's `PersonActivity` (when they last gave and
last received). The activity rows are never incremented, only recomputed from the
participations of the people concerned (two index look-ups each), so they cannot drift: every
path that confirms an exchange (a member's confirmation, a coordinator's log or resolution,
past exchanges brought in, the demo) calls `activity_refresh` for the people it touched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from coproduce.exchanges.models import Exchange, ExchangeStatus, Participant, PersonActivity, Side

_BATCH = 500


def _last(side: str) -> Subquery:
    # One seek down the (person, side, timebank, exchange_confirmed_at) index.
    return Subquery(
        Participant.objects.filter(
            person=OuterRef("person"),
            side=side,
            timebank=OuterRef("timebank"),
            exchange_confirmed_at__isnull=False,
        )
        .order_by("-exchange_confirmed_at")
        .values("exchange_confirmed_at")[:1]
    )


def _later(field: str, recount: Subquery) -> Greatest:
    # Never earlier than what the row holds: two confirmations for one person committed at the
    # same moment each recount from their own snapshot (on PostgreSQL the second, having waited
    # for the first's row lock, still reads its own), so the later moment must win.
    return Greatest(Coalesce(F(field), recount), Coalesce(recount, F(field)))


def activity_refresh(*, people: Iterable[tuple[int, int]]) -> None:
    """Recompute the PersonActivity of these (time bank id, person id) pairs from their
    participations, creating the rows that are missing."""
    by_bank: dict[int, set[int]] = defaultdict(set)
    for timebank_id, person_id in people:
        by_bank[timebank_id].add(person_id)
    for timebank_id, ids in by_bank.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), _BATCH):
            batch = ordered[start : start + _BATCH]
            PersonActivity.objects.bulk_create(
                [PersonActivity(timebank_id=timebank_id, person_id=pk) for pk in batch],
                ignore_conflicts=True,
            )
            PersonActivity.objects.filter(timebank_id=timebank_id, person_id__in=batch).update(
                last_gave_at=_later("last_gave_at", _last(Side.PROVIDER)),
                last_received_at=_later("last_received_at", _last(Side.RECEIVER)),
            )


def confirmation_tally(
    *, exchange_id: int, confirmed_at: datetime, parts: Sequence[Participant]
) -> None:
    """An exchange has just been confirmed: copy the moment to its participations and bring
    its people's activity up to date (same transaction)."""
    Participant.objects.filter(exchange_id=exchange_id).update(exchange_confirmed_at=confirmed_at)
    for part in parts:
        part.exchange_confirmed_at = confirmed_at
    activity_refresh(people=[(p.timebank_id, p.person_id) for p in parts if p.person_id])


def tallies_rebuild(*, timebank_id: int) -> None:
    """Rewrite a time bank's summaries from its exchanges: each participation's copy of its
    exchange's confirmation, then everyone's activity. For rows written directly (the demo's
    bulk load, tests' fixtures), and to prove the kept summaries equal a recount."""
    parts = Participant.objects.filter(timebank_id=timebank_id)
    parts.filter(exchange__status=ExchangeStatus.CONFIRMED).update(
        exchange_confirmed_at=Subquery(
            Exchange.objects.filter(pk=OuterRef("exchange_id")).values("confirmed_at")[:1]
        )
    )
    parts.exclude(exchange__status=ExchangeStatus.CONFIRMED).update(exchange_confirmed_at=None)
    # Everyone with a row already (it may have nothing left to show) and everyone taking part.
    people = set(parts.filter(person__isnull=False).values_list("person_id", flat=True))
    people |= set(
        PersonActivity.objects.filter(timebank_id=timebank_id).values_list("person_id", flat=True)
    )
    activity_refresh(people=[(timebank_id, pk) for pk in people])
