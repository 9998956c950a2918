"""My notices: what the time bank has told me, newest first, and marking them read.

Notices of new messages (issue 13) are not listed here: they belong to "Messages"
(conversations), are read by opening the conversation, and are counted apart in the menu.

A person sees their own notifications from the time bank they are working in (and those that
belong to no time bank, such as account messages); nobody else's, ever.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coproduce.members.notices import (
    notifications_for,
    notifications_mark_all_read,
    notifications_unread_count,
    unread_counts,
)

__all__ = [
    "notification_list",
    "notifications_for",
    "notifications_mark_all_read",
    "notifications_unread_count",
    "read_all",
    "unread_counts",
]

PAGE_SIZE = 20


def _safe_link(request: HttpRequest, url: str) -> str:
    # Links are written by our own services, but a link is only drawn if it stays on this site.
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return ""


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    person, timebank = request.user, request.timebank  # type: ignore[attr-defined]
    page = Paginator(notifications_for(person=person, timebank=timebank), PAGE_SIZE).get_page(  # type: ignore[arg-type]
        request.GET.get("page")
    )
    items = [(n, _safe_link(request, n.url)) for n in page.object_list]
    return render(request, "web/notifications/list.html", {"page": page, "items": items})


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(person=request.user, timebank=request.timebank)  # type: ignore[arg-type, attr-defined]
    if count:
        messages.success(
            request,
            ngettext("%(count)d notice marked as read.", "%(count)d notices marked as read.", count)
            % {"count": count},
        )
    else:
        messages.info(request, _("You had no new notices."))
    return redirect("notifications:list")
