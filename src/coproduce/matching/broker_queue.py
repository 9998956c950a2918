"""The coordinators' broker queue: open requests that nobody is helping with yet, the longest
waiting first, each with the best person to ask.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from coproduce.community.models import TimeBank
from coproduce.community.safeguarding import paused_person_ids
from coproduce.exchanges.models import (
    ListingStatus,
    Participant,
    Request,
)
from coproduce.matching.ranking import OPEN_EXCHANGE, Candidate, rank_needs
from coproduce.matching.selectors import needs_of, settings_for

QUEUE_PAGE_SIZE = 10


def open_requests_by_waiting(timebank: TimeBank) -> QuerySet[Request]:
    """Open requests, the longest waiting first, without an exchange under way."""
    now = timezone.now()
    return (
        Request.objects.filter(timebank=timebank, status=ListingStatus.ACTIVE)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        # A member under a safeguarding pause is helped by the coordinator, not by matching.
        .exclude(person_id__in=paused_person_ids(timebank))
        .exclude(
            Exists(
                Participant.objects.filter(
                    exchange__request=OuterRef("pk"), exchange__status__in=OPEN_EXCHANGE
                )
            )
        )
        .select_related("person", "organisation", "timebank")
        .order_by("created_at", "pk")
    )


@dataclass
class QueueRow:
    request: Request
    waiting_days: int
    best: Candidate | None


def broker_queue_rows(requests: list[Request]) -> list[QueueRow]:
    """The best candidate for each request of one page only, in the same few queries however
    many requests the page holds (`rank_needs` scores them all in one pass)."""
    if not requests:
        return []
    today = timezone.now()
    settings = settings_for(requests[0].timebank)
    needs = needs_of(requests)
    bests = rank_needs(list(zip(needs, requests, strict=True)), settings, limit=1)
    return [
        QueueRow(
            request=request,
            waiting_days=(today - request.created_at).days,
            best=best[0] if best else None,
        )
        for request, best in zip(requests, bests, strict=True)
    ]
