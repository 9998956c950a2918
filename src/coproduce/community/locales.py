"""A time bank's language and time zone: which values are allowed, and reading them from what an
operator typed (`--language en`, `--timezone europe/london`).

A language is one of `settings.LANGUAGES` (those with a translation); a primary code alone
("en") stands for the first of them it starts ("en-gb"). A time zone is an IANA name that the
system's zone database knows.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from coproduce.core.errors import ApplicationError

if TYPE_CHECKING:
    from coproduce.community.models import Person


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_checked(text: str) -> str:
    """The language code `text` names (case and `_` for `-` forgiven), or an ApplicationError
    (code `bad_language`) that lists the languages there are."""
    wanted = text.strip().lower().replace("_", "-")
    codes = language_codes()
    if wanted in codes:
        return wanted
    for code in codes:
        if code.split("-")[0] == wanted:
            return code
    raise ApplicationError(
        _("unknown language %(language)r: choose one of %(choices)s")
        % {"language": text, "choices": ", ".join(codes)},
        "bad_language",
    )


def language_or_blank(text: str) -> str:
    """A locale written by another program (es, ca_ES, pt-BR) as one of our languages, or blank
    (the time bank's) when we have no translation in it."""
    wanted = text.strip().lower().replace("_", "-")
    for candidate in (wanted, wanted.split("-")[0]):
        try:
            return language_checked(candidate) if candidate else ""
        except ApplicationError:
            continue
    return ""


@cache
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def timezone_checked(text: str) -> str:
    """The IANA time zone `text` names (case forgiven), or an ApplicationError (code
    `bad_timezone`)."""
    name = _zones().get(text.strip().lower())
    if name is None:
        raise ApplicationError(
            _("unknown time zone %(zone)r: give a name such as Europe/London or America/Toronto")
            % {"zone": text},
            "bad_timezone",
        )
    return name


@transaction.atomic
def person_language_set(*, person: Person, language: str) -> Person:
    """A person's own language for pages and emails: a code from `settings.LANGUAGES`, or blank
    for their time bank's. Saved only when it changes."""
    if language and language not in language_codes():
        language = language_checked(language)
    if person.language != language:
        person.language = language
        person.save(update_fields=["language"])
    return person
