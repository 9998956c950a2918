"""`{% link_to 'members:induct' person.public_id as href %}`: a URL, or "" while that page is
not routed yet.

The dashboard links each row to the page that resolves it, and several of those pages are built
by other parts of the project; until one lands, its row is shown without a link instead of
breaking the whole dashboard with NoReverseMatch.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


def url_or_blank(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=[str(arg) for arg in args])
    except NoReverseMatch:
        return ""


@register.simple_tag
def link_to(name: str, *args: Any) -> str:
    return url_or_blank(name, *args)
