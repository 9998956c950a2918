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
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coproduce.community.models import Person, TimeBank
from coproduce.conversations.selectors import MESSAGE_NOTICE
from coproduce.core.models import Notification

PAGE_SIZE = 20


def _mine(*, person: Person, timebank: TimeBank | None) -> QuerySet[Notification]:
    scope = Q(timebank_id__isnull=True)
    if timebank is not None:
        scope |= Q(timebank_id=timebank.pk)
    return Notification.objects.filter(scope, person=person)


def notifications_for(*, person: Person, timebank: TimeBank | None) -> QuerySet[Notification]:
    """A person's notices in the time bank they are working in, newest first (not those of new
    messages, which "Messages" shows)."""
    return (
        _mine(person=person, timebank=timebank)
        .exclude(kind=MESSAGE_NOTICE)
        .order_by("-created_at", "-id")
    )


def notifications_unread_count(*, person: Person, timebank: TimeBank | None) -> int:
    return notifications_for(person=person, timebank=timebank).filter(read_at__isnull=True).count()


def unread_counts(*, person: Person, timebank: TimeBank | None) -> tuple[int, int]:
    """Unread notices, and conversations with unread messages (each has one unread notice while
    it does): one query for both menu counts."""
    counts = (
        _mine(person=person, timebank=timebank)
        .filter(read_at__isnull=True)
        .aggregate(
            notices=Count("pk", filter=~Q(kind=MESSAGE_NOTICE)),
            messages=Count("pk", filter=Q(kind=MESSAGE_NOTICE)),
        )
    )
    return counts["notices"] or 0, counts["messages"] or 0


@transaction.atomic
def notifications_mark_all_read(*, person: Person, timebank: TimeBank | None) -> int:
    """Mark every unread notification read; returns how many were."""
    return (
        notifications_for(person=person, timebank=timebank)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


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
