"""Who is asking, and in which time bank: the two things almost every page reads first.

`CurrentTimeBankMiddleware` (web/middleware.py) sets `request.timebank` and `request.membership`
from the session; a page behind `login_required` reads them here, so the signed-in person's type
and the one refusal for someone in no time bank live in one place. Core imports no app: the
community types are named for the type checker only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _

from coproduce.core.errors import NotFound

if TYPE_CHECKING:
    from coproduce.community.models import Membership, Person, TimeBank

# Where the session keeps the slug of the time bank a person chose to work in.
TIMEBANK_SESSION_KEY = "timebank_slug"


def current_person(request: HttpRequest) -> Person:
    """The signed-in person (for views behind `login_required`)."""
    return cast("Person", request.user)


def current_timebank(request: HttpRequest) -> TimeBank:
    """The time bank the person is working in; someone in none gets a 404 that says so."""
    timebank = getattr(request, "timebank", None)
    if timebank is None:
        raise NotFound(_("You are not a member of a time bank yet."))
    return cast("TimeBank", timebank)


def current_membership(request: HttpRequest) -> Membership | None:
    """The person's membership of the current time bank, or None when they are in none."""
    return cast("Membership | None", getattr(request, "membership", None))
