"""What a dashboard row says, worked out once in Python for the row templates to print.

A row used to be a template included per row (and three more included inside it), each with a
`{% link_to %}`, translated sentences and `timesince`/`date` filters: ~150 includes a page and
about 40% of the dashboard's time. Here each row becomes a `RowView`: the link (reversed once
per section and filled in with each row's id) and every sentence, built with `gettext`/`ngettext`
on exactly the msgids the `{% blocktranslate %}` tags had (so every translation still applies)
and escaped as the tag escaped them: the translated text as it is, the values put into it
escaped. The templates in `rows/` keep the markup and loop over the rows, one include a section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import conditional_escape
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


def gettext(message: str) -> str:
    key = (translation.get_language(), message, "", 0)
    found = _TRANSLATED.get(key)
    if found is None:
        found = _TRANSLATED[key] = translation.gettext(message)
    return found


def ngettext(singular: str, plural: str, number: int) -> str:
    key = (translation.get_language(), singular, plural, number)
    found = _TRANSLATED.get(key)
    if found is None:
        if len(_TRANSLATED) > 5000:  # one entry per count met: bounded all the same
            _TRANSLATED.clear()
        found = _TRANSLATED[key] = translation.ngettext(singular, plural, number)
    return found


@dataclass
class RowView:
    """One row: the model object (`row`, for plain fields), its link and its sentences."""

    row: Any
    href: str
    text: dict[str, Any] = field(default_factory=dict)


def _value(value: Any) -> str:
    # As a template prints a value inside {% blocktranslate %}: local time, localized, escaped.
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return conditional_escape(formats.localize(value))


def _say(translated: str, **values: Any) -> SafeString:
    """What `{% blocktranslate with … %}` printed: the translation kept as written, each value
    put in escaped. (The msgid is given to `gettext`/`ngettext` at the call, where
    `makemessages` finds it.)"""
    # The translation is the catalogue's text, as {% blocktranslate %} prints it; every value
    # put in it is escaped.
    return mark_safe(translated % {k: _value(v) for k, v in values.items()})  # noqa: S308


def _day(value: date | datetime) -> str:
    # The `date:"j M Y"` filter, which reads a moment in local time.
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return formats.date_format(value, "j M Y")


def _since(value: datetime | None) -> str:
    # The `timesince` filter.
    return timesince(value) if value else ""


def _linker(name: str) -> Callable[[Any], str]:
    """The URL of `name` for an id: reversed once (a missing route fails the page, as
    `{% link_to %}` did) and the id put in its place for each row."""
    before, _sep, after = reverse(name, args=[_ID]).partition(_ID)
    return lambda public_id: f"{before}{public_id}{after}"


def _applications(row: Any) -> dict[str, Any]:
    return {
        "waiting": _say(gettext("Waiting for %(since)s"), since=_since(row.applied_at)),
        "applied": _say(gettext("applied on %(day)s"), day=_day(row.applied_at)),
        "note": Truncator(row.application_note).words(20, truncate=" …")
        if row.application_note
        else "",
    }


def _referrals(row: Any) -> dict[str, Any]:
    return {
        "waiting": _say(
            gettext("From %(organisation)s, waiting for %(since)s"),
            organisation=row.organisation.name,
            since=_since(row.received_at),
        ),
        "received": _say(gettext("received on %(day)s"), day=_day(row.received_at)),
    }


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


def _unconfirmed(row: Any) -> dict[str, Any]:
    return {
        "done": _say(gettext("Done %(since)s ago, not confirmed."), since=_since(row.done_since)),
        "hours": _say(
            gettext("%(h)s hours."),
            h=format_hmm(row.actual_minutes or row.expected_minutes or 0),
        ),
        "people": _people(row),
    }


def _disputes(row: Any) -> dict[str, Any]:
    return {
        "reason": _say(
            gettext("What went wrong: “%(reason)s”"),
            reason=Truncator(row.dispute_reason).words(25, truncate=" …"),
        )
        if row.dispute_reason
        else "",
        "people": _people(row),
    }


def _unanswered(row: Any) -> dict[str, Any]:
    asker = row.person.display_name if row.person else None
    if asker is None and row.organisation:
        asker = row.organisation.name
    if asker is None:
        return {"asked": ""}
    return {
        "asked": _say(
            gettext("Asked by %(name)s %(since)s ago."), name=asker, since=_since(row.created_at)
        )
    }


def _inactive(row: Any) -> dict[str, Any]:
    return {
        "last": _say(gettext("Last exchange %(since)s ago."), since=_since(row.last_exchange))
        if row.last_exchange
        else gettext("No exchange yet."),
        "joined": _say(gettext("Member since %(day)s."), day=_day(row.joined)),
    }


def _only_receiving(row: Any) -> dict[str, Any]:
    return {
        "times": _say(
            ngettext(
                "Received help once, gave none.",
                "Received help %(n)s times, gave none.",
                row.times,
            ),
            n=row.times,
        )
    }


def _only_giving(row: Any) -> dict[str, Any]:
    return {
        "times": _say(
            ngettext(
                "Gave help once, received none.",
                "Gave help %(n)s times, received none.",
                row.times,
            ),
            n=row.times,
        )
    }


def _paused(row: Any) -> dict[str, Any]:
    return {
        "paused": _say(
            gettext("Paused on %(day)s by %(who)s"),
            day=_day(row.started_at),
            who=row.started_by.display_name,
        )
    }


def _checks_expiring(row: Any) -> dict[str, Any]:
    return {
        "expires": _say(
            gettext("%(check)s expires on %(day)s"),
            check=row.get_kind_display(),
            day=_day(row.expires_on),
        )
    }


def _near_limit_room(row: Any) -> tuple[bool, SafeString]:
    if row.room == row.room_below:
        if row.room_below < 0:
            return True, _say(
                gettext("Already past the lowest balance (%(low)s)."),
                low=format_hmm(row.min_balance or 0),
            )
        return True, _say(
            gettext("Only %(room)s above the lowest balance (%(low)s)."),
            room=format_hmm(row.room_below or 0),
            low=format_hmm(row.min_balance or 0),
        )
    if row.room_above < 0:
        return False, _say(
            gettext("Already past the highest balance (%(high)s)."),
            high=format_hmm(row.max_balance or 0),
        )
    return False, _say(
        gettext("Only %(room)s below the highest balance (%(high)s)."),
        room=format_hmm(row.room_above or 0),
        high=format_hmm(row.max_balance or 0),
    )


def _near_limit(row: Any) -> dict[str, Any]:
    below, room = _near_limit_room(row)
    return {
        "balance": _say(gettext("Balance %(h)s hours."), h=format_hmm(row.balance or 0)),
        "below": below,
        "room": room,
    }


_OWN = attrgetter("public_id")
_PERSON = attrgetter("person.public_id")

# Each section: the page a row links to, whose public id goes in the link, and its sentences.
_SECTIONS: dict[str, tuple[str, Callable[[Any], Any], Callable[[Any], dict[str, Any]]]] = {
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


def row_views(key: str, rows: Iterable[Any]) -> list[RowView]:
    """The rows of section `key` as the row template `rows/<key>.html` prints them."""
    name, public_id, texts = _SECTIONS[key]
    link = _linker(name)
    return [RowView(row, link(public_id(row)), texts(row)) for row in rows]
