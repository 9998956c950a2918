"""Showing a message: its text escaped, line breaks kept, and web addresses made into links
safely (only http and https; rel="nofollow noopener noreferrer ugc"). No HTML a member typed
ever reaches the page."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# An address starts with http:// or https:// and runs to the next space or angle bracket;
# a full stop, comma or closing bracket at its end is the sentence's, not the address's.
_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
REL = "nofollow noopener noreferrer ugc"


def _link(address: str) -> str:
    href = escape(address)
    return f'<a href="{href}" rel="{REL}">{href}</a>'


@register.filter(is_safe=True)
def message_text(value: str) -> SafeString:
    parts: list[str] = []
    text = str(value or "")
    position = 0
    for found in _LINK.finditer(text):
        address = found.group()
        trail = ""
        while address and address[-1] in _TRAILING:
            trail = address[-1] + trail
            address = address[:-1]
        parts.append(escape(text[position : found.start()]))
        has_host = bool(address.split("://", 1)[1])
        parts.append(_link(address) if has_host else escape(address))
        parts.append(escape(trail))
        position = found.end()
    parts.append(escape(text[position:]))
    html = "".join(parts).replace("\r\n", "\n").replace("\n", "<br>")
    return mark_safe(html)  # noqa: S308 - every piece above was escaped
