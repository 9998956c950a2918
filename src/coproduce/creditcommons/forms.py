"""The forms of the Credit Commons pages: a member paying someone in another network, and a
coordinator pausing a link."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from coproduce.core.forms import AccessibleForm, HoursField


class PayForm(AccessibleForm):
    address = forms.CharField(
        label=_lazy("Their address in the other network"),
        help_text=_lazy("For example trunk/hillside/sam: the network's path, then their name."),
        max_length=300,
        error_messages={"required": _lazy("Give the address of the person to pay.")},
    )
    minutes = HoursField(
        label=_lazy("How many hours"),
        help_text=_lazy("A multiple of 3 minutes, for example 1:30, 1.5 or 0:45."),
        error_messages={"required": _lazy("Say how many hours to pay.")},
    )
    description = forms.CharField(
        label=_lazy("What it was for"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Drawn with the form and sent back with it: the payment's uuid, so a double-clicked submit
    # sends one payment.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4()


class PauseForm(AccessibleForm):
    paused = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_lazy("Why (optional)"), max_length=200, required=False)
