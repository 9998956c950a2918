"""Forms for partnerships between time banks (coordinators) and for proposing an exchange to a
partner bank's member."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.community.models import TimeBank
from coproduce.core.forms import AccessibleForm, HoursField


def _limit_field() -> HoursField:
    return HoursField(
        allow_negative=True,
        label=_("How far they may go into debt to us (hours)"),
        help_text=_(
            "The most your members may give to theirs beyond what theirs gave back. "
            "0: only as much as they have given."
        ),
        initial="10",
    )


class PartnershipProposeForm(AccessibleForm):
    partner = forms.ModelChoiceField(
        label=_("Time bank"),
        queryset=TimeBank.objects.none(),
        to_field_name="slug",
        empty_label=_("Choose a time bank"),
    )
    limit = _limit_field()
    message = forms.CharField(
        label=_("A word to their coordinators"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, banks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = banks  # type: ignore[attr-defined]


class PartnershipAcceptForm(AccessibleForm):
    limit = _limit_field()


class PartnershipLimitForm(AccessibleForm):
    limit = _limit_field()


class PartnershipStepForm(AccessibleForm):
    """Decline, pause, resume or stop: nothing to fill in."""


class CrossingProposeForm(AccessibleForm):
    hours = HoursField(label=_("How long do you expect it to take?"), initial="1:00")
    notes = forms.CharField(
        label=_("A note for them"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, max_minutes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hours"].max_minutes = max_minutes  # type: ignore[attr-defined]
