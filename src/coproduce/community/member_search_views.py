"""The coordinators' member search (`community:member_search`), for the member picker
(`community.member_picker`): JSON for `web/member-picker.js` when asked for it, otherwise a
plain page with a search form and the usernames found, which works without JavaScript.

Coordinators only (anyone else gets the same 404 as for a page that does not exist), within
their own time bank (`community.selectors.members_found`), at most SEARCH_RESULTS people an
answer, and SEARCH_PER_MINUTE searches a minute each (a 429 beyond).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coproduce.community.permissions import membership_is_coordinator
from coproduce.community.selectors import members_found
from coproduce.core.errors import NotFound
from coproduce.core.requests import current_person, current_timebank
from coproduce.core.throttle import Limit, throttle_record, throttle_refuses

SEARCH_RESULTS = 10
SEARCH_PER_MINUTE = Limit("member-search", 60, timedelta(minutes=1))
MAX_QUERY = 100


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )


@login_required
@require_GET
def member_search(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    if not membership_is_coordinator(request.membership):  # type: ignore[attr-defined]
        raise NotFound(_("No such page."))
    person = current_person(request)
    query = (request.GET.get("q") or "")[:MAX_QUERY].strip()
    wants_json = _wants_json(request)
    people = []
    if query:
        key = str(person.public_id)
        if throttle_refuses(SEARCH_PER_MINUTE, key):
            message = _("Too many searches in a minute. Please wait a moment.")
            if wants_json:
                return JsonResponse({"error": message, "members": []}, status=429)
            return render(
                request,
                "community/member_search.html",
                {"query": query, "members": [], "error": message},
                status=429,
            )
        throttle_record(SEARCH_PER_MINUTE, key)
        people = members_found(viewer=person, timebank=timebank, query=query, limit=SEARCH_RESULTS)
    if wants_json:
        return JsonResponse(
            {
                "members": [
                    {"username": p.username, "name": p.display_name, "id": str(p.public_id)}
                    for p in people
                ]
            }
        )
    return render(
        request,
        "community/member_search.html",
        {"query": query, "members": people, "limit": SEARCH_RESULTS},
    )
