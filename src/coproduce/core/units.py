"""Time credits are integer minutes everywhere; these turn them into words and back."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from coproduce.core.errors import ApplicationError

MINUTES_PER_HOUR = 60

_HMM = re.compile(r"^(?P<sign>-?)(?P<h>\d{1,6}):(?P<m>[0-5]\d)$")
_DECIMAL = re.compile(r"^-?\d{1,6}([.,]\d{1,4})?$")
_MINUTES = re.compile(r"^(?P<m>-?\d{1,7})\s*(m|min|mins|minutes)$")


def format_hmm(minutes: int) -> str:
    """`90` → `1:30`, `-45` → `-0:45`."""
    sign = "-" if minutes < 0 else ""
    hours, mins = divmod(abs(int(minutes)), MINUTES_PER_HOUR)
    return f"{sign}{hours}:{mins:02d}"


def format_hours(minutes: int) -> str:
    """`90` → `1.5`, `60` → `1`, `20` → `0.33` (decimal hours for statements and reports)."""
    value = (Decimal(int(minutes)) / MINUTES_PER_HOUR).quantize(Decimal("0.01"))
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def parse_minutes(text: str) -> int:
    """Reads what a person types for a length of time: `1:30`, `1.5`, `1,5`, `2`, `90 min`."""
    raw = (text or "").strip().lower().replace("hours", "").replace("hour", "").replace("h", "")
    raw = raw.strip()
    if match := _HMM.match(raw):
        total = int(match["h"]) * MINUTES_PER_HOUR + int(match["m"])
        return -total if match["sign"] else total
    if match := _MINUTES.match(raw):
        return int(match["m"])
    if _DECIMAL.match(raw):
        try:
            hours = Decimal(raw.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the regex admits only numbers
            pass
        else:
            minutes = hours * MINUTES_PER_HOUR
            if minutes != minutes.to_integral_value():
                raise ApplicationError(
                    _("%(text)s is not a whole number of minutes.") % {"text": text},
                    "bad_duration",
                )
            return int(minutes)
    raise ApplicationError(
        _("“%(text)s” is not a length of time. Write it as 1:30, 1.5 or 90 min.") % {"text": text},
        "bad_duration",
    )
