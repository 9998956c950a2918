"""Reads of offers, requests and exchanges, always within one time bank."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from coproduce.community.models import Person, TimeBank
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    ListingStatus,
    Offer,
    Participant,
    Request,
)


def offers_recent(*, timebank: TimeBank, limit: int = 6) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(timebank=timebank, status=ListingStatus.ACTIVE)
        .select_related("person", "organisation")
        .order_by("-created_at")[:limit]
    )


def requests_recent(*, timebank: TimeBank, limit: int = 6) -> QuerySet[Request]:
    return (
        Request.objects.filter(timebank=timebank, status=ListingStatus.ACTIVE)
        .select_related("person", "organisation")
        .order_by("-created_at")[:limit]
    )


def exchanges_for_person(*, timebank: TimeBank, person: Person, limit: int = 10) -> list[Exchange]:
    """A person's own exchanges, newest first, with everyone taking part (two queries)."""
    return list(
        Exchange.objects.filter(timebank=timebank, participants__person=person)
        .prefetch_related("participants__person", "participants__organisation")
        .order_by("-created_at")
        .distinct()[:limit]
    )


def community_figures(*, timebank: TimeBank, days: int = 30) -> dict[str, int]:
    """Headline figures for the home page: one aggregate query per table."""
    since = timezone.now() - timedelta(days=days)
    exchanges = Exchange.objects.filter(timebank=timebank).aggregate(
        confirmed=Count("id", filter=Q(status=ExchangeStatus.CONFIRMED, confirmed_at__gte=since)),
        minutes=Sum(
            "actual_minutes", filter=Q(status=ExchangeStatus.CONFIRMED, confirmed_at__gte=since)
        ),
    )
    people = Participant.objects.filter(
        timebank=timebank,
        exchange__status=ExchangeStatus.CONFIRMED,
        exchange__confirmed_at__gte=since,
        person__isnull=False,
    ).aggregate(n=Count("person", distinct=True))
    return {
        "exchanges": exchanges["confirmed"] or 0,
        "minutes": exchanges["minutes"] or 0,
        "people": people["n"] or 0,
        "offers": Offer.objects.filter(timebank=timebank, status=ListingStatus.ACTIVE).count(),
        "requests": Request.objects.filter(timebank=timebank, status=ListingStatus.ACTIVE).count(),
    }
