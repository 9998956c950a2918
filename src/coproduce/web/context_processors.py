"""What every page needs to know: the time bank the person is working in, the navigation, and
how many unread messages the person has (shown in the menu and on the home page)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coproduce.web.notifications import notifications_unread_count

# (url name, label, coordinators only). A name not (yet) routed is left out of the menu.
NAV = [
    ("exchanges:offers", _("Offers"), False),
    ("exchanges:requests", _("Requests"), False),
    ("exchanges:exchanges", _("My exchanges"), False),
    ("account:statement", _("My account"), False),
    ("community:profile_me", _("My profile"), False),
    ("notifications:list", _("Messages"), False),
    ("codesign:projects", _("Co-design"), False),
    ("coordinator:dashboard", _("Coordinator"), True),
    ("members:list", _("Members"), True),
]


def current_timebank(request: HttpRequest) -> dict[str, object]:
    membership = getattr(request, "membership", None)
    items = []
    unread = 0
    if membership is not None:
        # One count query per page, for the "Messages (3)" menu item.
        unread = notifications_unread_count(person=request.user, timebank=request.timebank)  # type: ignore[arg-type, attr-defined]
        path = request.path
        for name, label, coordinators_only in NAV:
            if coordinators_only and not membership.is_coordinator:
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            item = {"url": url, "label": label, "current": path.startswith(url)}
            if name == "notifications:list" and unread:
                item["count"] = unread
                item["aria_label"] = gettext("%(label)s: %(count)d unread") % {
                    "label": label,
                    "count": unread,
                }
            items.append(item)
    return {
        "current_timebank": getattr(request, "timebank", None),
        "current_membership": membership,
        "nav_items": items,
        "unread_notifications": unread,
    }
