"""Template filters for time credits: `{{ minutes|hmm }}` → 1:30, `{{ minutes|hours }}` → 1.5."""

from __future__ import annotations

from django import template

from coproduce.core.units import format_hmm, format_hours

register = template.Library()


@register.filter
def hmm(minutes: int | None) -> str:
    return format_hmm(minutes or 0)


@register.filter
def hours(minutes: int | None) -> str:
    return format_hours(minutes or 0)
