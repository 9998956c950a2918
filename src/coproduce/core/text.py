"""Text a person may type: the one rule every form, API field, CSV cell and command line follows.

No one means to write a control character (Unicode category Cc: NUL, escape, backspace, the C1
controls) or half of a surrogate pair. PostgreSQL refuses NUL outright (before this rule that was
a 500 there, while SQLite stored it), and the others hide in names, titles and usernames where a
coordinator cannot see them. So single-line text (titles, usernames, areas, search words) may
hold none of them, and multi-line text (descriptions, notes, reasons) only tab, newline and
carriage return. Everything else, every letter and symbol of every language, is welcome.

`text_problem` says what is wrong in words for a person; `validate_single_line` and
`validate_multi_line` are Django validators; `TypedTextFormMixin` applies the rule to every field
of a form before the field reads its value.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Cc is exactly U+0000 to U+001F and U+007F to U+009F; surrogates are U+D800 to U+DFFF (they
# reach here only as a lone half, from a JSON "\ud800" escape or undecodable bytes in argv).
_CONTROL = "\x00-\x1f\x7f-\x9f"
_SURROGATE = "\ud800-\udfff"
_SINGLE_LINE = re.compile(f"[{_CONTROL}{_SURROGATE}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SURROGATE}]")
CODE = "control_character"


def bad_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character of `value` that typed text may not hold, or None."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    return None if found is None else found.group()


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with `value` as typed text, in words for a person, or None if nothing is."""
    char = bad_character(value, multiline=multiline)
    if char is None:
        return None
    if "\ud800" <= char <= "\udfff":
        return _("This text contains a broken character (U+%(code)04X). Type it again.") % {
            "code": ord(char)
        }
    if char in "\t\n\r":
        return _("This must be a single line: remove the tab or line break.")
    return _(
        "This text contains an invisible control character (U+%(code)04X) that cannot be "
        "stored. Remove it and try again."
    ) % {"code": ord(char)}


def validate_single_line(value: str) -> None:
    problem = text_problem(value)
    if problem:
        raise ValidationError(problem, code=CODE)


def validate_multi_line(value: str) -> None:
    problem = text_problem(value, multiline=True)
    if problem:
        raise ValidationError(problem, code=CODE)


def text_argument(value: str) -> str:
    """An argparse `type=` for a command-line value that becomes data (a slug, a username, a
    name): a control character is a usage error (exit 2), not a traceback."""
    char = bad_character(value)
    if char is not None:  # in English, as argparse's own messages: Django is not set up yet
        raise argparse.ArgumentTypeError(
            f"{value!r} contains a control character (U+{ord(char):04X}); remove it"
        )
    return value


def _raw_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _guarded(clean: Callable[[Any], Any], multiline: bool) -> Callable[[Any], Any]:
    def checked(value: Any, *args: Any) -> Any:  # a file field also passes its initial value
        for text in _raw_strings(value):
            problem = text_problem(text, multiline=multiline)
            if problem:
                raise ValidationError(problem, code=CODE)
        return clean(value, *args)

    checked.text_rule = True  # type: ignore[attr-defined]
    return checked


class TypedTextFormMixin:
    """Every field of the form refuses control characters before it reads its value, so a NUL in
    a choice, a date or a slug lookup is a form error, never a database error. Textareas are
    multi-line (tab and line breaks allowed); every other widget is single-line.

    The guard goes on at cleaning time, so fields a form adds in its own `__init__` are covered.
    """

    fields: dict[str, Any]

    def full_clean(self) -> None:
        from django import forms  # here, so the command line can use this module cheaply

        for field in self.fields.values():
            if not getattr(field.clean, "text_rule", False):
                multiline = isinstance(field.widget, forms.Textarea)
                field.clean = _guarded(field.clean, multiline)  # type: ignore[method-assign]
        super().full_clean()  # type: ignore[misc]
