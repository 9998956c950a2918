"""What every web form shares: the typed-text rule, labels without a colon, accessible errors,
lengths of time as people write them, and one way to show a service's refusal on the form.

Two partials draw fields, and each needs its own ids, so there are two bases:
- `Form` for fields drawn with Django's own `as_field_group` (`community/_field.html` and the
  pages that loop over `{{ field.as_field_group }}`): Django links the help (`<id>_helptext`) and
  the error (`<id>_error`) to the input itself;
- `AccessibleForm` for fields drawn with `web/_field.html`, whose help and error carry the ids
  `<id>_help` and `<id>_error` and a "Please check:" lead: it sets `aria-describedby` and
  `aria-invalid` on the widget to match.
Unifying the two partials would change the ids and the words a screen reader hears on every
form, so both stay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.core.errors import ApplicationError
from coproduce.core.text import TypedTextFormMixin
from coproduce.core.units import format_hmm, parse_minutes

P = ParamSpec("P")
T = TypeVar("T")


class Form(TypedTextFormMixin, forms.Form):
    """A form whose labels end in no colon (many are questions or say "(optional)") and whose
    fields refuse control characters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AccessibleForm(Form):
    """For `web/_field.html`: links each field to its help text and error message by the ids
    that partial writes, and marks invalid fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_help"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            described = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                described.append(f"{bound.auto_id}_help")
            attrs = self.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = " ".join(described)


class HoursField(forms.CharField):
    """A length of time as people write it (1:30, 1.5, 2, 90 min), cleaned to whole minutes;
    blank is None.

    By default the time must be more than zero: a piece of help, a meeting, a gift. Limits take
    `allow_negative=True` (then zero and negatives are allowed, and the input is plain text,
    because a phone's number pad often has no minus sign). `max_minutes` refuses more than that;
    it may be set after the form is made (a time bank's own maximum). Messages can be changed
    with `error_messages` under the codes `zero`, `too_long` and `long`.
    """

    default_error_messages = {
        "long": _("That is too long for a length of time."),
        "zero": _("The time must be more than zero."),
        "too_long": _("One exchange can be at most %(max)s hours. Split longer help into several."),
    }
    MAX_LENGTH = 20

    def __init__(
        self, *, allow_negative: bool = False, max_minutes: int | None = None, **kwargs: Any
    ) -> None:
        self.allow_negative = allow_negative
        self.max_minutes = max_minutes
        if not allow_negative:
            kwargs.setdefault(
                "help_text", _("For example 1:30 for an hour and a half, or 2 for two hours.")
            )
        super().__init__(**kwargs)
        attrs = {"maxlength": str(self.MAX_LENGTH)}
        if not allow_negative:
            attrs |= {"inputmode": "decimal", "autocomplete": "off"}
        self.widget.attrs.update(attrs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > self.MAX_LENGTH:
            raise forms.ValidationError(self.error_messages["long"], code="long")
        try:
            minutes = parse_minutes(text)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code="bad_duration") from None
        if minutes <= 0 and not self.allow_negative:
            raise forms.ValidationError(self.error_messages["zero"], code="zero")
        if self.max_minutes is not None and minutes > self.max_minutes:
            raise forms.ValidationError(
                self.error_messages["too_long"] % {"max": format_hmm(self.max_minutes)},
                code="too_long",
            )
        return minutes


def service_on_form(
    form: forms.BaseForm, call: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """Runs one service; when it refuses (`ApplicationError`), puts its message on the form as a
    non-field error and returns None. For a service that itself returns None, look at
    `form.errors` afterwards."""
    try:
        return call(*args, **kwargs)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return None


class PhotoForm(AccessibleForm):
    """Add or change a photo, with the words a screen reader says for it; or take it away."""

    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A PNG, JPEG, GIF or WebP picture of at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    alt = forms.CharField(
        label=_("What the photo shows"),
        max_length=200,
        required=False,
        help_text=_("For people who cannot see it, e.g. “Maria smiling in her garden”."),
    )
