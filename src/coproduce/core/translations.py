"""Each language's translation of a message looked up once per process (issue 17).

Django's `gettext` asks the active language's catalogue, and on a miss its fallbacks one after
the other. In English, the default language, nearly every message is a miss (the source text is
English): the catalogue is five dictionaries (one per app's `.mo` file: Django merges one only
when its plural rule is the very same function object, so each app's is kept apart), followed by
a chain of five fallback catalogues (the `en` files of Django's own apps), each asked in Python.
One `gettext` cost about 9 µs in English against 1.8 µs in Welsh, and a page asks 150 to 300 times
(templates' `{% translate %}`, lazy labels, and `get_FOO_display`, which translates every label
of a field's choices to look one up): 1.5 to 3 ms of CPU a page.

`install()` (called by `CoreConfig.ready`) gives every `DjangoTranslation` a dictionary of the
answers it has given: the same message asked again is one dictionary lookup. The answer is a
function of the message alone, because a translation's catalogues do not change once loaded
(when a `.mo` file changes under the development server, Django drops its translation objects and
builds new ones, each with an empty dictionary). Only plain `str` messages are kept (the ones
Django's `gettext` passes on); at most `KEPT` per language, so a caller translating text it did
not write (`gettext(variable)`) cannot grow it without bound: past that, misses are asked as
before. Plural forms (`ngettext`) are not kept: few, and their answer depends on the number.

A model's `get_FOO_display()` is Django's `Model._get_FIELD_display`, which on every call builds
a dictionary of the field's choices with `make_hashable`, hashing (so translating) every label
to find one: 60 to 150 µs for a field of twelve kinds of help, and home asks ~20 times. `install()`
gives each such method of a field with fixed choices (a list, as every model here has; not a
callable) a dictionary of its values built once, holding the labels untranslated: the one label
asked for is translated when it is read, in the reader's language, with Django's own
`make_hashable` and `force_str`, so the answer is the same text.
"""

from __future__ import annotations

from functools import partialmethod
from typing import Any

from django.apps import apps
from django.db.models import Field, Model
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation.trans_real import DjangoTranslation

KEPT = 20_000

_asked = DjangoTranslation.gettext  # GNUTranslations.gettext: catalogues, then the fallbacks


def _gettext(self: DjangoTranslation, message: str) -> str:
    try:
        kept: dict[str, str] = self._coproduce_kept  # type: ignore[attr-defined]
    except AttributeError:
        kept = self._coproduce_kept = {}  # type: ignore[attr-defined]
    try:
        return kept[message]
    except (KeyError, TypeError):
        pass
    answer: str = _asked(self, message)
    if type(message) is str and type(answer) is str and len(kept) < KEPT:
        kept[message] = answer
    return answer


def _labels(field: Field) -> dict[Any, Any]:
    try:
        return field.__dict__["_coproduce_labels"]
    except KeyError:
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        field.__dict__["_coproduce_labels"] = labels
        return labels


def _display(self: Model, field: Field) -> Any:
    """`Model._get_FIELD_display`, the field's labels looked up in a dictionary kept on it."""
    value = getattr(self, field.attname)
    return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


def _displays() -> None:
    for model in apps.get_models(include_auto_created=True):
        for name, method in list(vars(model).items()):
            if (
                isinstance(method, partialmethod)
                and method.func is Model._get_FIELD_display  # type: ignore[attr-defined]
                and isinstance(method.keywords.get("field"), Field)
                and isinstance(method.keywords["field"].choices, list | tuple)
            ):
                setattr(model, name, partialmethod(_display, field=method.keywords["field"]))


def install() -> None:
    """Keep each translation's answers, and each field's labels (idempotent)."""
    DjangoTranslation.gettext = _gettext  # type: ignore[method-assign, assignment]
    _displays()


def asked(translation: DjangoTranslation, message: str) -> str:
    """What the translation answers without the kept answers (for tests)."""
    return _asked(translation, message)
