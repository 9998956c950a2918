"""What a dashboard row says and how it is marked up, worked out once in Python.

A row used to be a template included per row (and three more included inside it); then
(round 6) a `RowView` of sentences printed by a row template per section, whose per-row tags
and look-ups were still a fifth of the page's CPU. Here each section's rows become their list
items directly: the link (reversed once per section and filled in with each row's id), every
sentence built with `gettext`/`ngettext` on exactly the msgids the `{% blocktranslate %}` tags
had (so every translation still applies) and escaped as the tag escaped them (the translated
text as it is, the values put into it escaped), and every name, title and reason escaped as a
template prints a value. The markup is the row templates', byte for byte (their whitespace
included; `tests/coordination/test_dashboard_row_markup.py`); the dashboard and the "see all"
pages print it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, cast

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince

from coproduce.core.units import format_hmm
from coproduce.exchanges.models import Participant

# What `get_side_display()` looks a side up in, built once: it made a hashable copy of the
# choices for every participant, translating each label to hash it (a sixth of the page's
# `gettext` calls).
_SIDES = dict(Participant._meta.get_field("side").flatchoices)

_ID = "00000000-0000-0000-0000-000000000000"

# Each sentence translated once per process and language, not once per row: `gettext` looks a
# message up through every catalogue of the fallback chain (~5), and the page asked ~150 times
# for a dozen messages. Named `gettext`/`ngettext` so `makemessages` still finds the msgids.
_TRANSLATED: dict[tuple[str | None, str, str, int], str] = {}


# The language of the rows being marked up, read once by `rows_html` for all of them (Django's
# `get_language` reads a thread- and task-local each time: a tenth of the rows' time, ~300
# calls a view); unset, each call reads it.
_LANGUAGE: ContextVar[str | None] = ContextVar("rows_language")


def _language() -> str | None:
    try:
        return _LANGUAGE.get()
    except LookupError:
        return translation.get_language()


def gettext(message: str) -> str:
    key = (_language(), message, "", 0)
    found = _TRANSLATED.get(key)
    if found is None:
        found = _TRANSLATED[key] = translation.gettext(message)
    return found


def ngettext(singular: str, plural: str, number: int) -> str:
    key = (_language(), singular, plural, number)
    found = _TRANSLATED.get(key)
    if found is None:
        if len(_TRANSLATED) > 5000:  # one entry per count met: bounded all the same
            _TRANSLATED.clear()
        found = _TRANSLATED[key] = translation.ngettext(singular, plural, number)
    return found


def escape(text: Any) -> str:
    """What `django.utils.html.escape` gives, without its check of every argument for a lazy
    translation (a third of the rows' escaping time): called on plain values only."""
    return html.escape(str(text))


def value_html(value: Any) -> str:
    # As a template prints a value inside {% blocktranslate %}: local time, localized, escaped
    # (conditionally: a value already marked safe is printed as it is).
    if type(value) is str:  # most of them (a time since, a day, a name): escaped, no more
        return escape(value)
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    value = formats.localize(value)
    return value.__html__() if hasattr(value, "__html__") else escape(value)


def say(translated: str, **values: Any) -> SafeString:
    """What `{% blocktranslate with … %}` printed: the translation kept as written, each value
    put in escaped. (The msgid is given to `gettext`/`ngettext` at the call, where
    `makemessages` finds it.)"""
    # The translation is the catalogue's text, as {% blocktranslate %} prints it; every value
    # put in it is escaped.
    return mark_safe(translated % {k: value_html(v) for k, v in values.items()})  # noqa: S308


@lru_cache(maxsize=1024)
def _day_text(day: date, language: str | None) -> str:
    """The `date:"j M Y"` filter's text for a day, worked out once per process, day and
    language (the caller reads the language for the key): the rows share days, and each call
    looked the format up in every format module and translated the month's name again."""
    return formats.date_format(day, "j M Y")


def _day(value: date | datetime) -> str:
    # The `date:"j M Y"` filter, which reads a moment in local time (its day, month and year
    # are all the format prints).
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return _day_text(value, _language())


class _Unit:
    """One of `timesince`'s units ("%(num)d days"), worded as Django's own lazy string words it
    (`ngettext_lazy(…, "num")`: the translation for the number, then the number put in), but
    translated once per process, language and number (`ngettext` above) instead of on every
    use through the lazy string's machinery (a quarter of the rows' time)."""

    def __init__(self, singular: str, plural: str) -> None:
        self.singular, self.plural = singular, plural

    def __mod__(self, values: dict[str, int]) -> str:
        translated = ngettext(self.singular, self.plural, values["num"])
        try:
            return translated % values
        except TypeError:  # a translation without the number in it
            return translated


# The msgids of `django.utils.timesince.TIME_STRINGS` (Django's catalogue has them; a test
# compares the two on every unit and number that shows).
_TIME_STRINGS = {
    unit: _Unit(f"%(num)d {unit}", f"%(num)d {unit}s")
    for unit in ("year", "month", "week", "day", "hour", "minute")
}


def _since(value: datetime | None) -> str:
    # The `timesince` filter. (Its units are formatted with `%`: Django's own are lazy strings,
    # not `str` either, whatever the stubs say.)
    return timesince(value, time_strings=cast(dict[str, str], _TIME_STRINGS)) if value else ""


@lru_cache(maxsize=256)
def _link_parts(name: str, urlconf: str, prefix: str, language: str | None) -> tuple[str, str]:
    """The escaped URL of `name` before and after the id, reversed by Django while `urlconf`,
    `prefix` and `language` are the thread's own (the caller reads them for the key, as
    `core.templatetags.kept_urls` does): once per process, not once per section and view."""
    before, _sep, after = escape(reverse(name, args=[_ID])).partition(_ID)
    return before, after


def _linker(name: str) -> Callable[[Any], str]:
    """The URL of `name` for an id: reversed once (a missing route fails the page, as
    `{% link_to %}` did; a failure is never kept) and the id put in its place for each row."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    before, after = _link_parts(name, urlconf, get_script_prefix(), translation.get_language())
    return lambda public_id: f"{before}{escape(public_id)}{after}"


def _applications(row: Any, href: str) -> str:
    area = row.area
    note = row.application_note
    return (
        f'\n<li><a href="{href}">{escape(row.person.display_name)}</a>\n'
        + (f' <span class="muted">({escape(area)})</span>' if area else "")
        + "<br>\n  "
        + say(gettext("Waiting for %(since)s"), since=_since(row.applied_at))
        + ' <span class="muted">('
        + say(gettext("applied on %(day)s"), day=_day(row.applied_at))
        + ")</span>\n  "
        + (
            '<br><span class="muted">“'
            + escape(Truncator(note).words(20, truncate=" …"))
            + "”</span>"
            if note
            else ""
        )
        + "\n</li>\n"
    )


def _referrals(row: Any, href: str) -> str:
    area = row.area
    return (
        f'\n<li><a href="{href}">{escape(row.display_name)}</a>'
        + (f' <span class="muted">({escape(area)})</span>' if area else "")
        + "<br>\n  "
        + say(
            gettext("From %(organisation)s, waiting for %(since)s"),
            organisation=row.organisation.name,
            since=_since(row.received_at),
        )
        + ' <span class="muted">('
        + say(gettext("received on %(day)s"), day=_day(row.received_at))
        + ")</span>\n</li>\n"
    )


def _people(exchange: Any) -> list[tuple[str, str, bool]]:
    """Who took part in an exchange: (name, side in lower case, not confirmed yet)."""
    return [
        (
            part.person.display_name if part.person else part.organisation.name,
            # As get_side_display(): the choice's label, or the value itself if none.
            str(_SIDES.get(part.side, part.side)).lower(),
            not part.confirmed_at,
        )
        for part in exchange.participants.all()
    ]


def _people_html(exchange: Any) -> str:
    # As `{% translate %}` printed it: the translation escaped.
    not_confirmed = " — " + escape(gettext("has not confirmed"))
    return (
        '  <ul class="muted">'
        + "".join(
            f"<li>{escape(name)}: {escape(side)}{not_confirmed if unconfirmed else ''}</li>"
            for name, side, unconfirmed in _people(exchange)
        )
        + "</ul>\n\n</li>\n"
    )


def _unconfirmed(row: Any, href: str) -> str:
    return (
        f'\n<li><a href="{href}">{escape(row.title)}</a>\n<br>\n  '
        + say(gettext("Done %(since)s ago, not confirmed."), since=_since(row.done_since))
        + "\n  "
        + say(
            gettext("%(h)s hours."),
            h=format_hmm(row.actual_minutes or row.expected_minutes or 0),
        )
        + "\n"
        + _people_html(row)
    )


def _disputes(row: Any, href: str) -> str:
    reason = row.dispute_reason
    return (
        f'\n<li><a href="{href}">{escape(row.title)}</a>\n<br>\n  '
        + (
            say(
                gettext("What went wrong: “%(reason)s”"),
                reason=Truncator(reason).words(25, truncate=" …"),
            )
            + "<br>"
            if reason
            else ""
        )
        + "\n"
        + _people_html(row)
    )


def _unanswered(row: Any, href: str) -> str:
    asker = row.person.display_name if row.person else None
    if asker is None and row.organisation:
        asker = row.organisation.name
    asked = (
        ""
        if asker is None
        else say(
            gettext("Asked by %(name)s %(since)s ago."), name=asker, since=_since(row.created_at)
        )
    )
    area = row.area
    return (
        f'\n<li><a href="{href}">{escape(row.title)}</a>\n'
        f' <span class="tag">{escape(row.get_category_display())}</span><br>\n  '
        + asked
        + "\n  "
        + (f'<span class="muted">{escape(area)}</span>' if area else "")
        + "\n</li>\n"
    )


def _inactive(row: Any, href: str) -> str:
    area = row.area
    return (
        f'\n<li><a href="{href}">{escape(row.person.display_name)}</a>\n'
        + (f' <span class="muted">({escape(area)})</span>' if area else "")
        + "<br>\n  "
        + (
            say(gettext("Last exchange %(since)s ago."), since=_since(row.last_exchange))
            if row.last_exchange
            else escape(gettext("No exchange yet."))
        )
        + '\n  <span class="muted">'
        + say(gettext("Member since %(day)s."), day=_day(row.joined))
        + "</span>\n</li>\n"
    )


def _named(person: Any, href: str, sentence: str) -> str:
    # A person's name linked, and one sentence under it.
    return f'\n<li><a href="{href}">{escape(person.display_name)}</a>\n<br>\n  {sentence}\n</li>\n'


def _only_receiving(row: Any, href: str) -> str:
    times = row.times
    return _named(
        row,
        href,
        say(
            ngettext(
                "Received help once, gave none.",
                "Received help %(n)s times, gave none.",
                times,
            ),
            n=times,
        ),
    )


def _only_giving(row: Any, href: str) -> str:
    times = row.times
    return _named(
        row,
        href,
        say(
            ngettext(
                "Gave help once, received none.",
                "Gave help %(n)s times, received none.",
                times,
            ),
            n=times,
        ),
    )


def _paused(row: Any, href: str) -> str:
    return _named(
        row.person,
        href,
        say(
            gettext("Paused on %(day)s by %(who)s"),
            day=_day(row.started_at),
            who=row.started_by.display_name,
        ),
    )


def _checks_expiring(row: Any, href: str) -> str:
    return _named(
        row.person,
        href,
        say(
            gettext("%(check)s expires on %(day)s"),
            check=row.get_kind_display(),
            day=_day(row.expires_on),
        ),
    )


def _near_limit_room(row: Any) -> SafeString:
    if row.room == row.room_below:
        if row.room_below < 0:
            return say(
                gettext("Already past the lowest balance (%(low)s)."),
                low=format_hmm(row.min_balance or 0),
            )
        return say(
            gettext("Only %(room)s above the lowest balance (%(low)s)."),
            room=format_hmm(row.room_below or 0),
            low=format_hmm(row.min_balance or 0),
        )
    if row.room_above < 0:
        return say(
            gettext("Already past the highest balance (%(high)s)."),
            high=format_hmm(row.max_balance or 0),
        )
    return say(
        gettext("Only %(room)s below the highest balance (%(high)s)."),
        room=format_hmm(row.room_above or 0),
        high=format_hmm(row.max_balance or 0),
    )


def _near_limit(row: Any, href: str) -> str:
    return (
        f'\n<li><a href="{href}">{escape(row.person.display_name)}</a>\n<br>\n  '
        + say(gettext("Balance %(h)s hours."), h=format_hmm(row.balance or 0))
        # The old template's {% if %} printed the room the same way in both branches.
        + "\n  \n    "
        + _near_limit_room(row)
        + "\n  \n</li>\n"
    )


_OWN = attrgetter("public_id")
_PERSON = attrgetter("person.public_id")

# Each section: the page a row links to, whose public id goes in the link, and its markup.
_SECTIONS: dict[str, tuple[str, Callable[[Any], Any], Callable[[Any, str], str]]] = {
    "applications": ("members:induct", _PERSON, _applications),
    "referrals": ("partners:referral", _OWN, _referrals),
    "unconfirmed": ("exchanges:exchange", _OWN, _unconfirmed),
    "disputes": ("exchanges:exchange", _OWN, _disputes),
    "unanswered": ("exchanges:request", _OWN, _unanswered),
    "inactive": ("community:profile", _PERSON, _inactive),
    "only-receiving": ("community:profile", _OWN, _only_receiving),
    "only-giving": ("community:profile", _OWN, _only_giving),
    "paused": ("community:safeguarding", _PERSON, _paused),
    "checks-expiring": ("community:profile", _PERSON, _checks_expiring),
    "near-limit": ("members:edit", _PERSON, _near_limit),
}


def rows_html(key: str, rows: Iterable[Any]) -> SafeString:
    """The rows of section `key` as the list's items (`<li>`), each name, title and reason
    escaped, the sentences in the reader's language."""
    name, public_id, markup = _SECTIONS[key]
    link = _linker(name)
    read = _LANGUAGE.set(translation.get_language())
    try:
        # Every value is escaped where it is put in (`escape`, `say`); the rest is markup.
        return mark_safe("".join(markup(row, link(public_id(row))) for row in rows))  # noqa: S308
    finally:
        _LANGUAGE.reset(read)
