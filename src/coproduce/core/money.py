"""Money as people read it: amounts are integer minor units (pence, cents) everywhere, written by
the active language.

The separators come from Django's locale formats (en-gb and cy `1,234.50`, ca `1.234,50`, es
`1 234,50` with a non-breaking space, as the RAE and Django write it); where the symbol goes is a
habit of the language: English and Welsh put it before the number (`£1,234.50`), Spanish and
Catalan after it, with a space (`1.234,50 €`). A time bank counts in its own currency
(`TimeBank.currency`, an ISO 4217 code); a currency without a symbol here is written by its code
(`12.50 CHF`). Hours are not money: they stay `H:MM` in every language (core.units).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.core.errors import ApplicationError

# The currencies a time bank may count in, by ISO 4217 code: (symbol, name).
CURRENCIES = {
    "GBP": ("£", gettext_lazy("Pounds sterling (£)")),
    "EUR": ("€", gettext_lazy("Euros (€)")),
    "USD": ("$", gettext_lazy("US dollars ($)")),
}
DEFAULT_CURRENCY = "GBP"

# Languages that write the symbol after the number, with a non-breaking space.
_SYMBOL_AFTER = {"es", "ca"}
_NBSP = "\u00a0"


def currency_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, (_symbol, name) in CURRENCIES.items()]


def currency_symbol(currency: str) -> str:
    return CURRENCIES.get(currency, (currency, ""))[0]


def _symbol_after(language: str | None) -> bool:
    return (language or "en").split("-")[0].lower() in _SYMBOL_AFTER


def format_money(minor: int, currency: str = DEFAULT_CURRENCY, *, whole: bool = False) -> str:
    """`123450` pence → `£1,234.50` (en-gb, cy) or `1.234,50 €` (ca, in euros). `whole=True`
    rounds to whole pounds or euros (`£1,235`), for estimates. A negative amount: `-£12.50`."""
    value = Decimal(int(minor or 0)) / 100
    if whole:
        value = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    number = number_format(abs(value), 0 if whole else 2, use_l10n=True, force_grouping=True)
    sign = "-" if value < 0 else ""
    symbol = CURRENCIES.get(currency, ("", ""))[0]
    if not symbol:
        return f"{sign}{number}{_NBSP}{currency}"
    if _symbol_after(translation.get_language()):
        return f"{sign}{number}{_NBSP}{symbol}"
    return f"{sign}{symbol}{number}"


def _plain(raw: str) -> str:
    """`1.234,50` → `1234.50`: the grouping dropped, the decimal separator a point."""
    raw = re.sub(r"[\s\u00a0']", "", raw)
    points, commas = raw.count("."), raw.count(",")
    if points and commas:
        decimal = "." if raw.rindex(".") > raw.rindex(",") else ","
    elif points + commas == 0:
        return raw
    else:
        mark = "." if points else ","
        after = len(raw) - raw.rindex(mark) - 1
        # One mark before exactly three digits groups thousands where the reader's language
        # writes decimals with the other mark (`1.234` in Catalan, `1,234` in English).
        grouping = (points + commas > 1) or (after == 3 and get_format("DECIMAL_SEPARATOR") != mark)
        if grouping:
            if not re.fullmatch(rf"\d{{1,3}}(\{mark}\d{{3}})+", raw):
                return "?"
            return raw.replace(mark, "")
        decimal = mark
    whole, _sep, fraction = raw.rpartition(decimal)
    other = "," if decimal == "." else "."
    if not re.fullmatch(rf"\d{{1,3}}(\{other}\d{{3}})*|\d+", whole):
        return "?"
    return whole.replace(other, "") + "." + fraction


def parse_money(text: str) -> int:
    """What a person types for an amount of money, in minor units: `12.50`, `12,50`, `£12.50`,
    `1,234.50`, `1.234,50 €`, `1 234,50`. A lone separator before exactly three digits groups
    thousands when the reader's language writes decimals with the other one (`1.234` is 1234 in
    Catalan; `12.505` is refused in English, not read as twelve thousand)."""
    raw = re.sub(r"[£€$]|[A-Z]{3}", "", (text or "").strip().upper()).strip()
    raw = _plain(raw)
    if not re.fullmatch(r"\d{1,9}(\.\d{1,2})?", raw):
        raise ApplicationError(_("Write an amount of money such as 12.50."), "bad_amount")
    try:
        return int(Decimal(raw) * 100)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ApplicationError(_("Write an amount of money such as 12.50."), "bad_amount") from exc


def currency_checked(text: str) -> str:
    """The currency code `text` names (case forgiven), or an ApplicationError (code
    `bad_currency`) that lists the currencies there are."""
    wanted = (text or "").strip().upper()
    if wanted in CURRENCIES:
        return wanted
    raise ApplicationError(
        _("unknown currency %(currency)r: choose one of %(choices)s")
        % {"currency": text, "choices": ", ".join(CURRENCIES)},
        "bad_currency",
    )
