"""Works out which time bank a signed-in person is working in.

A person may belong to several time banks; the one they chose is kept in the session. Every
domain view then reads `request.timebank` and `request.membership` instead of trusting an id
from the URL, so a lookup can never wander into another community.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Case, When
from django.http import HttpRequest, HttpResponse

from coproduce.community.models import Membership, MembershipStatus
from coproduce.core.requests import TIMEBANK_SESSION_KEY

SESSION_KEY = TIMEBANK_SESSION_KEY


class CurrentTimeBankMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.timebank = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = list(
                Membership.objects.filter(person=user)
                .exclude(status=MembershipStatus.LEFT)
                .select_related("timebank")
                # Without a choice in the session, an active membership comes first.
                .order_by(
                    Case(When(status=MembershipStatus.ACTIVE, then=0), default=1),
                    "timebank__name",
                )
            )
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
