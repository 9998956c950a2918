"""The base template's fixed parts, written without the template language's loops (issue 17).

Every page drew the menu by two loops over its items in `web/base.html`: a quarter of the base
template's time. `{% menu_primary nav_items %}` and `{% menu_more nav_items %}` write the same
HTML from the items' parts that are the same for every page of a process and language (their
addresses and labels, escaped once: `web.context_processors.MenuEntry`); which item is current
and the unread counts are the request's. `{% language_choices %}` is the language switcher's
list, rendered from `web/language_choices.html` once per process and language.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

_CURRENT = 'aria-current="page"'


@register.simple_tag
def menu_primary(items: Iterable[dict[str, Any]]) -> SafeString:
    """The first row: each item with its unread count, if any."""
    html = []
    for item in items:
        if not item["primary"]:
            continue
        entry = item["entry"]
        current = _CURRENT if item["current"] else ""
        count = item.get("count")
        if count:
            aria_label = escape(item["aria_label"])
            html.append(
                f'<li><a href="{entry.url_html}" {current} aria-label="{aria_label}">'
                f"{entry.label_html} ({localize(count)})</a></li>"
            )
        else:
            html.append(f'<li><a href="{entry.url_html}" {current}>{entry.label_html}</a></li>')
    # Every piece above was escaped where it was made (the entry) or here.
    return mark_safe("".join(html))  # noqa: S308


@register.simple_tag
def menu_more(items: Iterable[dict[str, Any]]) -> SafeString:
    """The "More" list: the other items, without their counts."""
    html = [
        f'<li><a href="{item["entry"].url_html}" dir="ltr" '
        f"{_CURRENT if item['current'] else ''}>{item['entry'].label_html}</a></li>"
        for item in items
        if not item["primary"]
    ]
    return mark_safe("".join(html))  # noqa: S308 - escaped where the entries were made


@lru_cache(maxsize=32)
def _language_choices(language: str | None, languages: tuple[tuple[str, str], ...]) -> str:
    # The template's last newline is the file's, not the list's.
    return render_to_string("web/language_choices.html").removesuffix("\n")


@register.simple_tag
def language_choices() -> SafeString:
    """The switcher's languages, the current one marked: the same on every page in a language."""
    languages = tuple((code, name) for code, name in settings.LANGUAGES)
    return mark_safe(_language_choices(get_language(), languages))  # noqa: S308 - a template's
