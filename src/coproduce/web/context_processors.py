"""What every page needs to know: the time bank the person is working in, the navigation, and
how many unread notices and conversations with unread messages the person has (shown in the menu
and on the home page)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.translation import get_language, gettext
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


@dataclass(frozen=True)
class MenuEntry:
    """A menu item's parts that are the same on every page of a process and language: its
    address and label, and both escaped for the page (`web.templatetags.menu`)."""

    name: str
    audience: str
    primary: bool
    url: str
    label: str
    url_html: str
    label_html: str


@lru_cache(maxsize=64)
def _menu(language: str | None, prefix: str, urlconf: object) -> tuple[MenuEntry, ...]:
    """The menu, its addresses reversed and its labels translated once per process, language,
    script prefix and URLconf (a test that swaps the last two gets its own) instead of on every
    page. Who sees which item, which is current and the unread counts are the request's."""
    entries = []
    for name, label, audience, primary in NAV:
        url, text = reverse(name), str(label)
        entries.append(MenuEntry(name, audience, primary, url, text, escape(url), escape(text)))
    return tuple(entries)


@lru_cache(maxsize=16)
def _site_admin_entry(
    language: str | None, prefix: str, urlconf: object, primary: bool
) -> MenuEntry:
    """The site administrator's item, made once per process as the others are (`_menu`)."""
    url, label = reverse("site_admin:home"), gettext("Site administration")
    return MenuEntry(
        "site_admin:home", "site_admin", primary, url, label, escape(url), escape(label)
    )


def _sees(membership, audience: str) -> bool:
    if audience == "all":
        return True
    if audience == "partner":
        return membership_is_coordinator(membership) or is_active_professional(membership)
    return membership_is_coordinator(membership)


def current_timebank(request: HttpRequest) -> dict[str, object]:
    membership = getattr(request, "membership", None)
    items: list[dict[str, object]] = []
    unread = unread_messages = 0
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    if membership is not None:
        # One query per page, for the "Notices (3)" and "Messages (2)" menu items.
        unread, unread_messages = unread_counts(person=request.user, timebank=request.timebank)  # type: ignore[arg-type, attr-defined]
        counts = {"notifications:list": unread, "conversations:list": unread_messages}
        sees = {
            audience: _sees(membership, audience) for audience in ("all", "partner", "coordinator")
        }
        path = request.path
        for entry in _menu(get_language(), prefix, urlconf):
            if not sees[entry.audience]:
                continue
            item: dict[str, object] = {
                "current": path.startswith(entry.url),
                "primary": entry.primary,
                "entry": entry,
            }
            count = counts.get(entry.name)
            if count:
                item["count"] = count
                item["aria_label"] = gettext("%(label)s: %(count)d unread") % {
                    "label": entry.label,
                    "count": count,
                }
            items.append(item)
    user = getattr(request, "user", None)
    if is_site_admin(user):  # no query: the flags are on the signed-in person
        # In the first row when it is their only item (they belong to no time bank).
        entry = _site_admin_entry(get_language(), prefix, urlconf, membership is None)
        items.append(
            {
                "current": request.path.startswith(entry.url),
                "primary": entry.primary,
                "entry": entry,
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
