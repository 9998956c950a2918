"""`{{ amount|amount:pool.unit }}`: minutes as `1:30 h`, pence as `12.50 GBP`."""

from __future__ import annotations

from django import template

from coproduce.core.units import format_hmm

register = template.Library()

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


@register.filter
def amount(value: int | None, unit: str) -> str:
    value = int(value or 0)
    if unit == "hour":
        return f"{format_hmm(value)} h"
    sign = "-" if value < 0 else ""
    pounds, pence = divmod(abs(value), 100)
    symbol = SYMBOLS.get(unit)
    return (
        f"{sign}{symbol}{pounds:,}.{pence:02d}"
        if symbol
        else f"{sign}{pounds:,}.{pence:02d} {unit}"
    )
