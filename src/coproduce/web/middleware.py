"""Works out which time bank a signed-in person is working in.

A person may belong to several time banks; the one they chose is kept in the session. Every
domain view then reads `request.timebank` and `request.membership` instead of trusting an id
from the URL, so a lookup can never wander into another community.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from coproduce.community.models import Membership, MembershipStatus
from coproduce.core.kept_query import KeptQuery
from coproduce.core.requests import TIMEBANK_SESSION_KEY

SESSION_KEY = TIMEBANK_SESSION_KEY

# The person's memberships (any status but left) with their time banks, by time bank name. Every
# signed-in request reads them, so their SQL is kept (issue 17: building this queryset cost more
# CPU than running it).
_memberships_held: KeptQuery[Membership] = KeptQuery(
    Membership,
    lambda person_id: (
        Membership.objects.filter(person_id=person_id)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("timebank")
        .order_by("timebank__name", "id")
    ),
    ids=("person_id",),
)


def memberships_held(person_id: int) -> list[Membership]:
    """Active memberships first, then the others; each group by time bank name."""
    memberships = _memberships_held(person_id=person_id)
    # A stable sort keeps the name order within each group.
    memberships.sort(key=lambda m: m.status != MembershipStatus.ACTIVE)
    return memberships


class CurrentTimeBankMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.timebank = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Without a choice in the session, an active membership comes first.
            memberships = memberships_held(user.pk)
            request.memberships = memberships  # type: ignore[attr-defined]
            chosen = request.session.get(SESSION_KEY)
            membership = None
            for candidate in memberships:
                if candidate.timebank.slug == chosen:
                    membership = candidate
                    break
                if membership is None:
                    membership = candidate
            if membership is not None:
                request.membership = membership  # type: ignore[attr-defined]
                request.timebank = membership.timebank  # type: ignore[attr-defined]
        return self.get_response(request)


class TimeBankTimeZoneMiddleware:
    """Dates and times on a page are shown in the current time bank's time zone (its settings),
    or the site's (TIME_ZONE) when there is none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timebank = getattr(request, "timebank", None)
        name = getattr(timebank, "time_zone", "") or ""
        try:
            zone = zoneinfo.ZoneInfo(name) if name else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
