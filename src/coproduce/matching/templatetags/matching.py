"""`{% requests_for_you as suggestions %}`: the requests the signed-in person could help with,
for the home page include matching/_requests_for_you.html."""

from __future__ import annotations

from typing import Any

from django import template

from coproduce.matching.suggestions import Suggestion, requests_for_person

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
    return requests_for_person(user, limit=limit, timebank=timebank)


@register.simple_tag(takes_context=True)
def candidates_visible(context: Any, help_request: Any) -> bool:
    """`{% candidates_visible listing as show %}`: may the signed-in person see who could help?"""
    from coproduce.matching.selectors import can_see_candidates, settings_for

    request = context.get("request")
    membership = getattr(request, "membership", None)
    if membership is None or help_request is None:
        return False
    return can_see_candidates(
        person=request.user,
        membership=membership,
        request=help_request,
        settings=settings_for(membership.timebank),
    )
