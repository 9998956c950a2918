"""The time bank's settings page for its coordinators: /coordinator/settings/
(`coordinator:settings`). The form only reads what people typed; community.settings checks and
saves it, so a refusal there (a wrong time zone, limits out of order, a file that is no picture)
comes back as a message on the form and nothing changes."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from coproduce.community.models import CheckKind, TimeBank
from coproduce.community.permissions import is_coordinator
from coproduce.community.settings import timebank_settings_update
from coproduce.core.categories import Category
from coproduce.core.errors import NotFound
from coproduce.core.forms import AccessibleForm, HoursField, service_on_form
from coproduce.core.money import currency_choices
from coproduce.core.requests import current_person
from coproduce.core.units import format_hmm


def _text(label: Any, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class TimeBankSettingsForm(AccessibleForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = _text(_("Description"), max_length=2000)
    welcome_text = _text(
        _("Welcome text"),
        rows=4,
        max_length=2000,
        help_text=_("Shown on the home page and to people joining."),
    )
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    contact_details = _text(_("Address and opening hours"), max_length=1000)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A PNG, JPEG, GIF or WebP picture of at most 2 MB; it is shown square."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )
    logo_remove = forms.BooleanField(label=_("Remove the logo"), required=False)
    areas = _text(
        _("Areas"),
        rows=5,
        help_text=_(
            "One per line. Members pick theirs from this list; leave it empty to let them write it."
        ),
    )
    categories_on = forms.MultipleChoiceField(
        label=_("Kinds of help offered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    category_new = forms.CharField(label=_("Add a kind of help"), max_length=60, required=False)
    category_new_check = forms.ChoiceField(
        label=_("Check needed to give it"),
        required=False,
        choices=[("", _("No check")), *CheckKind.choices],
    )
    default_min_balance = HoursField(
        label=_("Lowest balance of a new member (hours)"),
        allow_negative=True,
        help_text=_("Zero or below, such as -10 so a newcomer can receive first."),
    )
    default_max_balance = HoursField(
        label=_("Highest balance of a new member (hours)"),
        allow_negative=True,
        required=False,
        help_text=_("Leave empty for no highest balance."),
    )
    max_exchange_minutes = HoursField(label=_("Longest single exchange (hours)"))
    induction_required = forms.BooleanField(
        label=_("Newcomers meet a coordinator (an induction) before they can trade"),
        required=False,
    )
    references_needed = forms.IntegerField(
        label=_("References needed to join"), min_value=0, max_value=5
    )
    hourly_value = forms.DecimalField(
        label=_("Value of an hour for reports, in the time bank's currency"),
        min_value=Decimal(0),
        max_value=Decimal(1000),
        decimal_places=2,
        localize=True,
        help_text=_("Used only for the estimate of value in reports, e.g. the living wage."),
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=currency_choices,
        required=False,  # a page from before the field was added keeps the currency
        help_text=_("The money pools and reports count in."),
    )
    language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    require_two_factor = forms.BooleanField(
        label=_("Coordinators and organisation admins must use two-step sign-in"), required=False
    )

    def __init__(self, *args: Any, timebank: TimeBank, **kwargs: Any) -> None:
        own = list(timebank.own_categories.order_by("name"))
        kwargs.setdefault(
            "initial",
            {
                **{
                    name: getattr(timebank, name)
                    for name in (
                        "name",
                        "description",
                        "welcome_text",
                        "contact_email",
                        "contact_phone",
                        "contact_details",
                        "induction_required",
                        "references_needed",
                        "currency",
                        "language",
                        "time_zone",
                        "require_two_factor",
                    )
                },
                "areas": "\n".join(timebank.areas or []),
                "categories_on": [
                    *(c for c in Category.values if c not in (timebank.categories_off or [])),
                    *(c.value for c in own if c.active),
                ],
                "default_min_balance": format_hmm(timebank.default_min_balance),
                "default_max_balance": (
                    format_hmm(timebank.default_max_balance)
                    if timebank.default_max_balance is not None
                    else ""
                ),
                "max_exchange_minutes": format_hmm(timebank.max_exchange_minutes),
                "hourly_value": (Decimal(timebank.hourly_value_pence) / 100).quantize(
                    Decimal("0.01")
                ),
            },
        )
        super().__init__(*args, **kwargs)
        self.own_values = {c.value for c in own}
        self.fields["categories_on"].choices = [  # type: ignore[attr-defined]
            *Category.choices,
            *((c.value, c.name) for c in own),
        ]
        self.fields["time_zone"].choices = [  # type: ignore[attr-defined]
            (zone, zone) for zone in sorted(zoneinfo.available_timezones())
        ]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        on = set(data["categories_on"])
        changes = {
            name: data[name]
            for name in (
                "name",
                "description",
                "welcome_text",
                "contact_email",
                "contact_phone",
                "contact_details",
                "default_min_balance",
                "default_max_balance",
                "max_exchange_minutes",
                "induction_required",
                "references_needed",
                "language",
                "time_zone",
                "require_two_factor",
                "logo_remove",
                "category_new",
                "category_new_check",
            )
        }
        changes["areas"] = data["areas"].splitlines()
        changes["categories_off"] = [c for c in Category.values if c not in on]
        changes["own_categories_on"] = sorted(on & self.own_values)
        changes["hourly_value_pence"] = int(data["hourly_value"] * 100)
        if data["currency"]:
            changes["currency"] = data["currency"]
        if data["logo"]:
            changes["logo"] = data["logo"]
        return changes


@login_required
def timebank_settings(request: HttpRequest) -> HttpResponse:
    timebank = request.timebank  # type: ignore[attr-defined]
    if timebank is None or not is_coordinator(person=request.user, timebank=timebank):  # type: ignore[arg-type]
        raise NotFound(str(_("There is no such page.")))
    if request.method == "POST":
        form = TimeBankSettingsForm(request.POST, request.FILES, timebank=timebank)
        if form.is_valid():
            saved = service_on_form(
                form,
                timebank_settings_update,
                timebank=timebank,
                acting=current_person(request),
                **form.changes(),
            )
            if saved is not None:
                messages.success(request, _("The settings are saved."))
                return redirect("coordinator:settings")
    else:
        form = TimeBankSettingsForm(timebank=timebank)
    return render(
        request,
        "coordination/settings.html",
        {"form": form, "timebank": timebank},
        status=400 if form.errors else 200,
    )
