"""What every page needs to know: the time bank the person is working in, and the navigation."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, coordinators only). A name not (yet) routed is left out of the menu.
NAV = [
    ("exchanges:offers", _("Offers"), False),
    ("exchanges:requests", _("Requests"), False),
    ("exchanges:exchanges", _("My exchanges"), False),
    ("account:statement", _("My account"), False),
    ("community:profile_me", _("My profile"), False),
    ("notifications:list", _("Messages"), False),
    ("coordinator:dashboard", _("Coordinator"), True),
    ("members:list", _("Members"), True),
]


def current_timebank(request: HttpRequest) -> dict[str, object]:
    membership = getattr(request, "membership", None)
    items = []
    if membership is not None:
        path = request.path
        for name, label, coordinators_only in NAV:
            if coordinators_only and not membership.is_coordinator:
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            items.append({"url": url, "label": label, "current": path.startswith(url)})
    return {
        "current_timebank": getattr(request, "timebank", None),
        "current_membership": membership,
        "nav_items": items,
    }
