"""`{% link_to 'members:induct' person.public_id as href %}`: the URL of the page that resolves a
dashboard row. Unlike `{% url … as href %}`, it never hides a renamed or missing route behind an
empty link: the page fails, so a test does too."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def link_to(name: str, *args: Any) -> str:
    return reverse(name, args=[str(arg) for arg in args])
