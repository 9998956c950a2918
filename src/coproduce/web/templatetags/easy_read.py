"""Easy read in templates (issue 16): `{% category_icon listing.category %}` draws the picture
of a kind of help, beside its name, when the person reads the site in easy read (and nothing
otherwise). The picture is hidden from screen readers: the name beside it says it all."""

from __future__ import annotations

from django import template

from coproduce.core.categories import category_icon_html

register = template.Library()


@register.simple_tag(takes_context=True)
def category_icon(context: template.Context, key: str | None) -> str:
    if not context.get("easy_read"):
        return ""
    return category_icon_html(key)
