"""`{% avatar person %}`: a person's photo, or their initials in a circle when there is none."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


def initials(name: str) -> str:
    words = [word for word in (name or "").split() if word[:1].isalpha()]
    letters = "".join(word[0] for word in words[:2]).upper()
    return letters or "?"


@register.simple_tag
def avatar(person: Any, size: str = "small") -> str:
    name = getattr(person, "display_name", "") or ""
    photo = getattr(person, "photo", None)
    if photo:
        return format_html(
            '<img class="avatar avatar-{}" src="{}" alt="{}" loading="lazy">',
            size,
            photo.url,
            person.photo_alt or name,
        )
    return format_html(
        '<span class="avatar avatar-{} avatar-initials" aria-hidden="true">{}</span>',
        size,
        initials(name),
    )
