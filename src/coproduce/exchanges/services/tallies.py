"""The summaries kept beside confirmed exchanges, written in the transaction that confirms them, so
that the pages counting a year of exchanges read one row per person instead.

Three things are kept: each participation's copy of its exchange's `confirmed_at`
(`Participant.exchange_confirmed_at`, indexed with the person and side, so "how many did she
give since" is one index range), each person's `PersonActivity` (when they last gave and last
received, and how many they gave and received in all), and its later moment on their membership
of that time bank (`Membership.last_exchange_at`, indexed after the status and role, so the
coordinator's "no exchange lately" is one index range of the quiet members), with copies of the
activity's moments and counts (so "only giving / only receiving" are one index range too). The
activity rows are never incremented, only recomputed from the participations of the people
concerned (four index ranges each), and the membership's copies taken from them, so they cannot
drift: every path that confirms an exchange (a member's confirmation, a coordinator's log or
resolution, past exchanges brought in, the demo) calls `activity_refresh` for the people it
touched, and `tallies_check` (run by `ledger verify`) recounts each membership's moments and
counts and each activity's counts from the participations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Count, DateTimeField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from coproduce.community.models import Membership
from coproduce.core.moments import NEVER, latest_of
from coproduce.exchanges.models import Exchange, ExchangeStatus, Participant, PersonActivity, Side

_BATCH = 500


def _confirmed(side: str) -> QuerySet[Participant]:
    # The outer row's person's confirmed participations on `side` in its time bank: one range
    # of the (person, side, timebank, exchange_confirmed_at) index.
    return Participant.objects.filter(
        person=OuterRef("person"),
        side=side,
        timebank=OuterRef("timebank"),
        exchange_confirmed_at__isnull=False,
    )


def _last(side: str) -> Subquery:
    # One seek down the index.
    return Subquery(
        _confirmed(side).order_by("-exchange_confirmed_at").values("exchange_confirmed_at")[:1]
    )


def _count(side: str) -> Subquery:
    # The range, read from the index alone.
    return Subquery(
        _confirmed(side).order_by().values("person").annotate(n=Count("*")).values("n")[:1]
    )


def _later(field: str, recount: Subquery) -> Greatest:
    # Never earlier than what the row holds: two confirmations for one person committed at the
    # same moment each recount from their own snapshot (on PostgreSQL the second, having waited
    # for the first's row lock, still reads its own), so the later moment must win.
    return Greatest(Coalesce(F(field), recount), Coalesce(recount, F(field)))


def activity_refresh(*, people: Iterable[tuple[int, int]]) -> None:
    """Recompute the PersonActivity of these (time bank id, person id) pairs from their
    participations, creating the rows that are missing. Inside the caller's transaction (the
    one that confirms the exchanges), which it locks the rows in."""
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
            rows = PersonActivity.objects.filter(timebank_id=timebank_id, person_id__in=batch)
            # The counts are recounted, not incremented, so they must see every confirmation
            # committed before: lock the rows first (in order, as every caller does), then
            # recount in the next statement, whose snapshot (READ COMMITTED) then holds what
            # a confirmation of the same people committed while we waited. (One UPDATE would
            # wait for the lock but still count from its own older snapshot.) SQLite writes
            # one transaction at a time.
            list(rows.order_by("person_id").select_for_update().values_list("pk", flat=True))
            rows.update(
                last_gave_at=_later("last_gave_at", _last(Side.PROVIDER)),
                last_received_at=_later("last_received_at", _last(Side.RECEIVER)),
                gave_count=Coalesce(_count(Side.PROVIDER), 0),
                received_count=Coalesce(_count(Side.RECEIVER), 0),
            )
            _memberships_refresh(Q(timebank_id=timebank_id, person_id__in=batch))


def _memberships_refresh(memberships: Q) -> None:
    """Copy each of these memberships' activity from its person's in its time bank: the last
    exchange (the later of the two moments), last giving and receiving and the counts (None and
    0 without one). Each a look-up by the activity's (time bank, person) index."""
    activity = PersonActivity.objects.filter(
        timebank=OuterRef("timebank"), person=OuterRef("person")
    )

    def kept(field: str) -> Subquery:
        return Subquery(activity.values(field)[:1])

    Membership.objects.filter(memberships).update(
        last_exchange_at=Subquery(
            activity.annotate(latest=latest_of("last_gave_at", "last_received_at")).values(
                "latest"
            )[:1]
        ),
        last_gave_at=kept("last_gave_at"),
        last_received_at=kept("last_received_at"),
        gave_count=Coalesce(kept("gave_count"), 0),
        received_count=Coalesce(kept("received_count"), 0),
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


@transaction.atomic
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
    # And every other membership of the bank (none should hold a moment: no activity).
    _memberships_refresh(Q(timebank_id=timebank_id))


def tallies_check(timebank_id: int | None, show: int) -> list[str]:
    """`coproduce ledger verify`: each membership's last exchange is the latest confirmation
    among its person's giving and receiving in that time bank, recounted from the
    participations (registered in ExchangesConfig.ready). Mended by `tallies_rebuild`."""
    recount = Subquery(
        Participant.objects.filter(
            person=OuterRef("person"),
            timebank=OuterRef("timebank"),
            side__in=[Side.PROVIDER, Side.RECEIVER],
            exchange_confirmed_at__isnull=False,
        )
        .order_by("-exchange_confirmed_at")
        .values("exchange_confirmed_at")[:1]
    )
    memberships = Membership.objects.all()
    if timebank_id is not None:
        memberships = memberships.filter(timebank_id=timebank_id)
    wrong = (
        memberships.alias(recount=recount)
        .exclude(Q(recount__isnull=True, last_exchange_at__isnull=True))
        .exclude(last_exchange_at=F("recount"))
        .order_by("timebank_id", "id")
        .values_list("timebank__slug", "person__username", "last_exchange_at")
    )
    problems = [
        f"The last exchange kept on {username}'s membership of {slug} ({kept}) is not the"
        " latest of their confirmed exchanges there (exchanges.services.tallies.tallies_rebuild"
        " rewrites it)"
        for slug, username, kept in wrong[:show]
    ]
    # The copies of each person's giving and receiving kept on their membership, recounted.
    never = Value(NEVER, output_field=DateTimeField())
    copied = (
        memberships.alias(
            kept_gave=Coalesce("last_gave_at", never),
            kept_received=Coalesce("last_received_at", never),
            gave=Coalesce(_last(Side.PROVIDER), never),
            received=Coalesce(_last(Side.RECEIVER), never),
            n_gave=Coalesce(_count(Side.PROVIDER), 0),
            n_received=Coalesce(_count(Side.RECEIVER), 0),
        )
        .exclude(
            kept_gave=F("gave"),
            kept_received=F("received"),
            gave_count=F("n_gave"),
            received_count=F("n_received"),
        )
        .order_by("timebank_id", "id")
        .values_list("timebank__slug", "person__username")
    )
    problems += [
        f"The giving and receiving kept on {username}'s membership of {slug} are not their"
        " confirmed exchanges there, recounted (exchanges.services.tallies.tallies_rebuild"
        " rewrites them)"
        for slug, username in copied[: max(0, show - len(problems))]
    ]
    # Each person's counts of confirmed exchanges given and received, recounted.
    activity = PersonActivity.objects.all()
    if timebank_id is not None:
        activity = activity.filter(timebank_id=timebank_id)
    miscounted = (
        activity.alias(
            gave=Coalesce(_count(Side.PROVIDER), 0), received=Coalesce(_count(Side.RECEIVER), 0)
        )
        .exclude(gave_count=F("gave"), received_count=F("received"))
        .order_by("timebank_id", "id")
        .values_list("timebank__slug", "person__username", "gave_count", "received_count")
    )
    problems += [
        f"The exchanges counted for {username} in {slug} (gave {gave}, received {received}) are"
        " not their confirmed exchanges there, recounted"
        " (exchanges.services.tallies.tallies_rebuild rewrites them)"
        for slug, username, gave, received in miscounted[: max(0, show - len(problems))]
    ]
    return problems
