"""`{{ amount|amount:pool.unit }}`: minutes as `1:30 h`, money in the active language's way
(`£12.50`, `12,50 €`: core.money)."""

from __future__ import annotations

from django import template

from coproduce.core.money import format_money
from coproduce.core.units import format_hmm

register = template.Library()


@register.filter
def amount(value: int | None, unit: str) -> str:
    value = int(value or 0)
    if unit == "hour":
        return f"{format_hmm(value)} h"
    return format_money(value, unit)
