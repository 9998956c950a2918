"""Easy read in templates (issue 16): `{% category_icon listing.category %}` draws the picture
of a kind of help, beside its name, when the person reads the site in easy read (and nothing
otherwise). The picture is hidden from screen readers: the name beside it says it all."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from coproduce.core.categories import CATEGORY_ICONS, GENERIC_ICON

register = template.Library()


@register.simple_tag(takes_context=True)
def category_icon(context: template.Context, key: str | None) -> str:
    if not context.get("easy_read"):
        return ""
    name = CATEGORY_ICONS.get(key or "", GENERIC_ICON)
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false" width="24" height="24">'
        '<use href="{}#{}"></use></svg>',
        static("vendor/lucide-static-icons.svg"),
        name,
    )
