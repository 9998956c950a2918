"""One value of a model's field as a CSV cell, and back, without losing anything.

Empty means NULL for a field that may be NULL (and "" for text that may not); booleans are
`true`/`false`; dates and times ISO 8601 in UTC; JSON as JSON. Text a spreadsheet would take for a
formula (`= + - @`, and `'` itself so that the guard is never ambiguous) gets a leading `'`, which
the import takes off again.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from coproduce.core.spreadsheets import FORMULA_STARTS

_GUARDED = (*FORMULA_STARTS, "'")


def _is_text(field: models.Field) -> bool:
    return isinstance(field, models.CharField | models.TextField) and not field.is_relation


def encode(field: models.Field, value: Any) -> str:
    if value is None:
        return ""
    if field.is_relation:
        return str(value)
    if isinstance(field, models.BooleanField):
        return "true" if value else "false"
    if isinstance(field, models.JSONField):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(field, models.DateTimeField):
        return value.astimezone(UTC).isoformat()
    if isinstance(field, models.DateField):
        return value.isoformat()
    if _is_text(field):
        text = str(value)
        return "'" + text if text[:1] in _GUARDED else text
    return str(value)


def decode(field: models.Field, cell: str) -> Any:
    """The value of `cell` for `field`, or ValueError saying what is wrong with it."""
    if cell == "":
        if field.null:
            return None
        if _is_text(field):
            return ""
        raise ValueError(_("must not be empty"))
    if field.is_relation:
        try:
            return int(cell)
        except ValueError:
            raise ValueError(_("must be the number of a row")) from None
    if isinstance(field, models.BooleanField):
        if cell not in ("true", "false"):
            raise ValueError(_("must be true or false"))
        return cell == "true"
    if isinstance(field, models.JSONField):
        try:
            return json.loads(cell)
        except ValueError:
            raise ValueError(_("is not JSON")) from None
    if isinstance(field, models.DateTimeField):
        try:
            moment = datetime.fromisoformat(cell)
        except ValueError:
            raise ValueError(_("is not a date and time")) from None
        if moment.tzinfo is None:
            raise ValueError(_("has no time zone"))
        return moment
    if isinstance(field, models.DateField):
        try:
            return date.fromisoformat(cell)
        except ValueError:
            raise ValueError(_("is not a date (YYYY-MM-DD)")) from None
    if isinstance(field, models.UUIDField):
        try:
            return uuid.UUID(cell)
        except ValueError:
            raise ValueError(_("is not a UUID")) from None
    if _is_text(field):
        return cell[1:] if cell[:1] == "'" and cell[1:2] in _GUARDED else cell
    try:
        value = field.to_python(cell)
    except ValidationError as exc:
        raise ValueError("; ".join(str(m) for m in exc.messages)) from None
    return value


def check(field: models.Field, value: Any) -> None:
    """The field's own rules (choices, lengths, ranges, email addresses): ValueError if broken."""
    if value is None or field.is_relation:
        return
    if (
        field.choices
        and value != ""
        and value not in {choice for choice, _label in field.flatchoices}
    ):
        raise ValueError(_("%(value)r is not one of the choices") % {"value": value})
    try:
        field.run_validators(value)
    except ValidationError as exc:
        raise ValueError("; ".join(str(m) for m in exc.messages)) from None
