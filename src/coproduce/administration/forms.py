"""The site administrator's forms. They check only shapes; the services check the rest (a slug
taken, an unknown time zone) and say so on the form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coproduce.administration.services import NAME_LENGTH, SLUG_LENGTH
from coproduce.core.forms import AccessibleForm


class TimeBankForm(AccessibleForm):
    name = forms.CharField(label=_("Name"), max_length=NAME_LENGTH)
    slug = forms.CharField(
        label=_("Short name for its address"),
        max_length=SLUG_LENGTH,
        help_text=_(
            "Lower-case letters, digits and hyphens, such as north-leeds: people apply at "
            "/join/north-leeds/. It cannot be changed later."
        ),
    )
    coordinator_email = forms.EmailField(
        label=_("First coordinator's email address"),
        help_text=_("They are sent an invitation; you also see its link once, to pass on."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=())
    timezone = forms.CharField(
        label=_("Time zone"), max_length=64, help_text=_("Such as Europe/London.")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["language"].choices = settings.LANGUAGES
        self.fields["language"].initial = settings.LANGUAGE_CODE
        self.fields["timezone"].initial = settings.TIME_ZONE


class CoordinatorInviteForm(AccessibleForm):
    email = forms.EmailField(label=_("Their email address"))
    name = forms.CharField(label=_("Their name"), max_length=150, required=False)
