"""`{% requests_for_you as suggestions %}`: the requests the signed-in person could help with,
for the home page include matching/_requests_for_you.html. `{% candidates_visible %}` and
`{% who_could_help %}`: who could help with a request, for its page (a coordinator's link to
the candidates page; the section the person who asked sees, matching/_who_could_help.html)."""

from __future__ import annotations

from typing import Any

from django import template

from coproduce.community.permissions import membership_is_coordinator
from coproduce.exchanges.models import Request
from coproduce.matching.asking import Helper, helpers_for_requester, may_see_helpers
from coproduce.matching.for_you import requests_for_home
from coproduce.matching.suggestions import Suggestion

register = template.Library()
HOME_LIMIT = 5


@register.simple_tag(takes_context=True)
def requests_for_you(context: Any, limit: int = HOME_LIMIT) -> list[Suggestion]:
    request = context.get("request")
    user = getattr(request, "user", None)
    timebank = getattr(request, "timebank", None)
    membership = getattr(request, "membership", None)
    if user is None or not user.is_authenticated or timebank is None or membership is None:
        return []
    if not membership.can_trade:
        return []
    return requests_for_home(user, limit=limit, timebank=timebank)


@register.simple_tag(takes_context=True)
def candidates_visible(context: Any, help_request: Any) -> bool:
    """`{% candidates_visible listing as show %}`: does the signed-in person coordinate the
    request's time bank, and so see the candidates page (scores and every reason)? The person
    who asked sees `who_could_help` on the request's own page instead. No query."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    if membership is None or help_request is None:
        return False
    return membership.timebank_id == help_request.timebank_id and membership_is_coordinator(
        membership
    )


@register.simple_tag(takes_context=True)
def who_could_help(context: Any, help_request: Any) -> list[Helper] | None:
    """`{% who_could_help listing as helpers %}`: the people who could help with the signed-in
    person's own open request (matching.asking), or None when the section is not theirs to
    see (someone else's request, a closed one, or a time bank that turned it off)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    membership = getattr(request, "membership", None)
    if user is None or not user.is_authenticated or not isinstance(help_request, Request):
        return None
    if not may_see_helpers(person=user, membership=membership, request=help_request):
        return None
    return helpers_for_requester(request=help_request, viewer=user, membership=membership)
