"""The coordinator's dashboard: what needs doing in the time bank, each row linked to the page
that resolves it, and a "see all" page for each list.

Only an active coordinator or administrator of the current time bank sees them; anyone else is
told there is no such page (a 404), as for every private page.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coproduce.coordination.first_steps import first_steps_for
from coproduce.coordination.kept_sql import planned_on_postgresql
from coproduce.coordination.rows import escape, rows_html
from coproduce.coordination.sections_html import sections_html, summary_html
from coproduce.coordination.selectors import dashboard_for, section_queryset_for
from coproduce.core.requests import current_membership, current_person, current_timebank

SECTION_PAGE_SIZE = 50

# (url name, label): the things a coordinator does most for members who are offline.
QUICK_LINKS = [
    ("exchanges:exchange_log", _("Log a finished exchange for an offline member")),
    ("exchanges:offer_new", _("Post an offer for a member")),
    ("exchanges:request_new", _("Post a request for a member")),
    ("account:grant", _("Grant hours from the community chest")),
    ("members:list", _("Members")),
    ("coordinator:invitations", _("Invitations: coordinators, members, organisations")),
    ("federation:partnerships", _("Partner time banks")),
    ("creditcommons:federation", _("Other networks (Credit Commons)")),
    ("coordinator:security", _("Security: two-step sign-in")),
    ("coordinator:settings", _("Time bank settings")),
]


@lru_cache(maxsize=16)
def _quick_links_html(urlconf: str, prefix: str, language: str | None) -> SafeString:
    """The quick links' list items, their addresses reversed and their labels translated and
    escaped once per process, URLconf, script prefix and language (the caller reads them for
    the key) instead of on every view."""
    return mark_safe(  # noqa: S308 (each address and label escaped)
        "".join(
            f'<li><a href="{escape(reverse(name))}">{escape(label)}</a></li>'
            for name, label in QUICK_LINKS
        )
    )


@lru_cache(maxsize=64)
def _see_all_url(key: str, urlconf: str, prefix: str, language: str | None) -> str:
    """A section's "see all" address, reversed once per process, URLconf, script prefix and
    language (the caller reads them for the key), as the template's `{% url %}` gave it."""
    return reverse("coordinator:section", args=[key])


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    urlconf, prefix, language = (
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        get_language(),
    )
    sections = [
        {
            "key": section.key,
            "title": section.title,
            "explanation": section.explanation,
            "total": section.total,
            "more": section.more,
            "shown": len(section.rows),
            "rows": rows_html(section.key, section.rows),
            # Only a section with more rows than it shows links to them all.
            "see_all": _see_all_url(section.key, urlconf, prefix, language) if section.more else "",
        }
        # The coordinator rule read from the request's membership of the bank (no query).
        for section in dashboard_for(
            current_person(request), timebank, membership=current_membership(request)
        )
    ]
    return render(
        request,
        "coordination/dashboard.html",
        {
            # Marked up in Python (coordination.sections_html), not by the template's loops.
            "summary": summary_html(sections),
            "lists": sections_html(sections),
            "quick_links": _quick_links_html(urlconf, prefix, language),
            # After dashboard_for, which refuses anyone but the bank's coordinators.
            "first_steps": first_steps_for(timebank),
        },
    )


@login_required
def section(request: HttpRequest, key: str) -> HttpResponse:
    kind, queryset = section_queryset_for(
        current_person(request),
        current_timebank(request),
        key,
        printed=True,
    )
    # Counted and read with the settings the dashboard reads it with.
    database = connections[router.db_for_read(queryset.model)]
    with planned_on_postgresql(database, kind.planner):
        page = Paginator(queryset, SECTION_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = rows_html(key, page.object_list)
    return render(
        request,
        "coordination/section.html",
        {
            "key": key,
            "title": kind.title,
            "explanation": kind.explanation,
            "page": page,
            "rows": rows,
        },
    )
