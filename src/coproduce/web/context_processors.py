"""What every page needs to know: the time bank the person is working in, the navigation, and
how many unread notices and conversations with unread messages the person has (shown in the menu
and on the home page)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coproduce.community.permissions import (
    is_active_professional,
    is_site_admin,
    membership_is_coordinator,
)
from coproduce.web.notifications import unread_counts

# (url name, label, coordinators only). A name not (yet) routed is left out of the menu.
# (url name, label, who sees it, in the primary row). A name not (yet) routed is left out.
# Who: "all" members, "partner" (professionals and coordinators), "coordinator".
NAV = [
    ("exchanges:offers", _("Offers"), "all", True),
    ("exchanges:requests", _("Requests"), "all", True),
    ("exchanges:exchanges", _("My exchanges"), "all", True),
    # Issue 13: "Messages" are conversations between members; the time bank's own news to a
    # person are "Notices" (before, "Messages" held only notices and members could not write).
    ("conversations:list", _("Messages"), "all", True),
    ("notifications:list", _("Notices"), "all", True),
    ("account:statement", _("My account"), "all", False),
    ("community:profile_me", _("My profile"), "all", False),
    ("privacy:settings", _("Privacy and my data"), "all", False),
    ("matching:preferences", _("Matching me"), "all", False),
    ("codesign:projects", _("Co-design"), "all", False),
    ("partners:organisations", _("Partners"), "all", False),
    ("partners:pools", _("Pools"), "all", False),
    ("partners:referrals", _("Referrals"), "partner", False),
    ("coordinator:dashboard", _("Coordinator"), "coordinator", False),
    ("matching:queue", _("Broker queue"), "coordinator", False),
    ("members:list", _("Members"), "coordinator", False),
    ("insights:report", _("Insights"), "coordinator", False),
]


@lru_cache(maxsize=16)
def _nav_urls(prefix: str, urlconf: object) -> dict[str, str]:
    """The menu's addresses, reversed once per process (and per script prefix and URLconf, so
    a test that swaps them gets its own) instead of seventeen `reverse()` calls on every page."""
    return {name: reverse(name) for name, _label, _audience, _primary in NAV}


def _sees(membership, audience: str) -> bool:
    if audience == "all":
        return True
    if audience == "partner":
        return membership_is_coordinator(membership) or is_active_professional(membership)
    return membership_is_coordinator(membership)


def current_timebank(request: HttpRequest) -> dict[str, object]:
    membership = getattr(request, "membership", None)
    items = []
    unread = unread_messages = 0
    if membership is not None:
        # One query per page, for the "Notices (3)" and "Messages (2)" menu items.
        unread, unread_messages = unread_counts(person=request.user, timebank=request.timebank)  # type: ignore[arg-type, attr-defined]
        path = request.path
        urls = _nav_urls(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        for name, label, audience, primary in NAV:
            if not _sees(membership, audience):
                continue
            url = urls[name]
            item = {
                "url": url,
                "label": label,
                "current": path.startswith(url),
                "primary": primary,
            }
            count = {"notifications:list": unread, "conversations:list": unread_messages}.get(name)
            if count:
                item["count"] = count
                item["aria_label"] = gettext("%(label)s: %(count)d unread") % {
                    "label": label,
                    "count": count,
                }
            items.append(item)
    user = getattr(request, "user", None)
    if is_site_admin(user):  # no query: the flags are on the signed-in person
        url = reverse("site_admin:home")
        items.append(
            {
                "url": url,
                "label": gettext("Site administration"),
                "current": request.path.startswith(url),
                # In the first row when it is their only item (they belong to no time bank).
                "primary": membership is None,
            }
        )
    return {
        # Easy read (issue 16): the signed-in person's choice, read without a query.
        "easy_read": bool(getattr(user, "easy_read", False)),
        "current_timebank": getattr(request, "timebank", None),
        "current_membership": membership,
        "nav_items": items,
        "unread_notifications": unread,
        "unread_conversations": unread_messages,
    }
