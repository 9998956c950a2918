"""Forms for matching: a person's "don't match me for" list and a time bank's settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.community.models import CheckKind
from coproduce.core.categories import Category
from coproduce.core.text import TypedTextFormMixin
from coproduce.matching.services import MAX_WEIGHT


class PreferenceForm(TypedTextFormMixin, forms.Form):
    excluded_categories = forms.MultipleChoiceField(
        label=_("Please don't suggest me for"),
        help_text=_(
            "Tick any kinds of help you would rather not be asked about. Leave all clear "
            "to be suggested for anything you offer."
        ),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _weight(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_WEIGHT,
        help_text=_("From 0 (ignore it) to 10 (matters most)."),
    )


class SettingsForm(TypedTextFormMixin, forms.Form):
    weight_skill = _weight(_("What they can do"))
    weight_place = _weight(_("How near they live"))
    weight_time = _weight(_("When they are free"))
    weight_fairness = _weight(_("Giving everyone a chance to give"))
    weight_new_ties = _weight(_("New connections"))
    requester_sees_candidates = forms.BooleanField(
        label=_("People asking for help may see who could help them"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        choices = [("", _("No check needed")), *CheckKind.choices]
        for value, label in Category.choices:
            self.fields[f"check_{value}"] = forms.ChoiceField(
                label=label, choices=choices, required=False
            )

    def check_fields(self) -> list[forms.BoundField]:
        return [self[f"check_{value}"] for value in Category.values]

    def safeguarding(self) -> dict[str, str]:
        return {
            value: self.cleaned_data.get(f"check_{value}") or ""
            for value in Category.values
            if self.cleaned_data.get(f"check_{value}")
        }
