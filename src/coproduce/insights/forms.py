"""The period, time bank and settings a coordinator chooses for a report."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.community.models import TimeBank
from coproduce.core.errors import ApplicationError
from coproduce.core.text import TypedTextFormMixin
from coproduce.insights.period import ReportPeriod
from coproduce.insights.selectors import DEFAULT_ISOLATION_DAYS


class DateInput(forms.DateInput):
    input_type = "date"


class ReportForm(TypedTextFormMixin, forms.Form):
    timebank = forms.ChoiceField(label=_("Time bank"))
    date_from = forms.DateField(
        label=_("From"), widget=DateInput, help_text=_("The first day of the period.")
    )
    date_to = forms.DateField(
        label=_("To"), widget=DateInput, help_text=_("The last day of the period (included).")
    )
    isolation_days = forms.IntegerField(
        label=_("At risk of isolation after (days without help)"),
        min_value=7,
        max_value=730,
        initial=DEFAULT_ISOLATION_DAYS,
    )
    hourly_value = forms.DecimalField(
        label=_("Value of an hour, in the time bank's currency (for the estimate)"),
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        decimal_places=2,
        localize=True,
        required=False,
        help_text=_("Leave empty to use the time bank's own value."),
    )

    def __init__(self, *args: Any, timebanks: list[TimeBank], current: TimeBank, **kwargs: Any):
        period = ReportPeriod.default()
        kwargs.setdefault(
            "initial",
            {
                "timebank": current.slug,
                "date_from": period.start,
                "date_to": period.end,
                "isolation_days": DEFAULT_ISOLATION_DAYS,
            },
        )
        super().__init__(*args, **kwargs)
        self.timebanks = {tb.slug: tb for tb in timebanks}
        choice: Any = self.fields["timebank"]
        choice.choices = [(tb.slug, tb.name) for tb in timebanks]
        if len(timebanks) == 1:
            self.fields["timebank"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            try:
                data["period"] = ReportPeriod.checked(start, end)
            except ApplicationError as exc:
                self.add_error("date_to", exc.message)
        return data

    @property
    def chosen_timebank(self) -> TimeBank:
        return self.timebanks[self.cleaned_data["timebank"]]

    @property
    def hourly_value_pence(self) -> int | None:
        value = self.cleaned_data.get("hourly_value")
        return None if value is None else int(value * 100)
