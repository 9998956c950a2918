"""The members app's forms: a coordinator's edit of a member (role, status, account limits), the
period of a statement, and the gift and grant forms, which carry an idempotency key so a
double-clicked submit posts once."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy

from coproduce.community.member_picker import MemberField, member_search_for
from coproduce.community.models import Membership, MembershipStatus, Person, Role, TimeBank
from coproduce.core.forms import Form, HoursField
from coproduce.core.text import TypedTextFormMixin
from coproduce.core.units import format_hours
from coproduce.ledger.models import Account
from coproduce.ledger.statements import StatementSpan
from coproduce.members.services import MAX_NOTE

EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


# --- A coordinator's edit of a member ----------------------------------------------------------


class MemberEditForm(Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=[], widget=forms.RadioSelect)
    min_balance = HoursField(
        allow_negative=True,
        label=gettext_lazy("Lowest balance (hours)"),
        help_text=gettext_lazy("How far below zero they may go, e.g. -10."),
    )
    max_balance = HoursField(
        allow_negative=True,
        label=gettext_lazy("Highest balance (hours, optional)"),
        help_text=gettext_lazy("Leave empty for no maximum."),
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for changing the limits"),
        help_text=gettext_lazy("Needed only when you change the limits. It is kept in the log."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, membership: Membership, account: Account | None, **kwargs: Any
    ) -> None:
        timebank = membership.timebank
        low, high = (
            (account.min_balance, account.max_balance)
            if account is not None
            else (timebank.default_min_balance, timebank.default_max_balance)
        )
        self.current_limits = (low, high)
        kwargs.setdefault(
            "initial",
            {
                "role": membership.role,
                "status": membership.status,
                "min_balance": format_hours(low),
                "max_balance": format_hours(high) if high is not None else "",
            },
        )
        super().__init__(*args, **kwargs)
        statuses = [MembershipStatus.ACTIVE, MembershipStatus.PAUSED, MembershipStatus.LEFT]
        if membership.status == MembershipStatus.APPLIED:
            statuses.insert(0, MembershipStatus.APPLIED)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (status.value, status.label) for status in statuses
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        low, high = cleaned.get("min_balance"), cleaned.get("max_balance")
        if "min_balance" in cleaned and "max_balance" in cleaned:
            if high is not None and low is not None and high < low:
                self.add_error(
                    "max_balance", _("The highest balance must not be below the lowest.")
                )
            elif (low, high) != self.current_limits and not cleaned.get("reason", "").strip():
                self.add_error("reason", _("Say why the limits are being changed."))
        return cleaned


# --- Statements, gifts and grants --------------------------------------------------------------


class PeriodForm(TypedTextFormMixin, forms.Form):
    date_from = forms.DateField(
        label=_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _lazy("Enter a date such as 31/12/2024.")},
    )
    date_to = forms.DateField(
        label=_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _lazy("Enter a date such as 31/12/2024.")},
    )

    def _in_range(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(
                _("Choose a date between %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
            )
        return value

    def clean_date_from(self) -> date | None:
        return self._in_range("date_from")

    def clean_date_to(self) -> date | None:
        return self._in_range("date_to")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def period(self) -> StatementSpan:
        """The chosen days, whole days in the time bank's time zone, the end day included."""
        if not self.is_valid():
            return StatementSpan()
        zone = timezone.get_current_timezone()

        def midnight(day: date) -> datetime:
            return timezone.make_aware(datetime.combine(day, time.min), zone)

        start, end = self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        return StatementSpan(
            start=midnight(start) if start else None,
            end=midnight(end + timedelta(days=1)) if end else None,
        )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:  # type: ignore[override]
        return obj.display_name


class IdempotentForm(TypedTextFormMixin, forms.Form):
    # Generated when the form is drawn and sent back with it, so a double-clicked submit is
    # recognised by the ledger as the same request and posts once.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "idempotency_key" in self.errors:
            del self.errors["idempotency_key"]
            self.add_error(None, _("This form has expired. Please check it and send it again."))
            # Drawn again with a fresh key, so sending it again works.
            # Bound to request.POST, which is immutable; its copy is not.
            fresh = cast(QueryDict, self.data).copy()
            fresh["idempotency_key"] = str(uuid.uuid4())
            self.data = fresh
        return data


class GiftForm(IdempotentForm):
    CHEST, MEMBER = "chest", "member"
    CHEST_LABEL = _lazy("The community chest, for members who need help most")
    recipient = forms.ChoiceField(
        label=_lazy("Who would you like to give hours to?"),
        choices=[
            (CHEST, CHEST_LABEL),
            (MEMBER, _lazy("A member I choose")),
        ],
        widget=forms.RadioSelect,
        initial=CHEST,
        error_messages={
            "required": _lazy("Choose who to give hours to."),
            "invalid_choice": _lazy("Choose who to give hours to."),
        },
    )
    person = MemberChoiceField(
        label=_lazy("Which member (only if giving to a member)"),
        queryset=Person.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_lazy("Choose a member"),
        error_messages={"invalid_choice": _lazy("Choose a member from the list.")},
    )
    minutes = HoursField(
        label=_lazy("How many hours"),
        help_text=_lazy("For example 1:30, 1.5 or 90 min."),
        error_messages={
            "required": _lazy("Say how many hours to give."),
            "zero": _lazy("Give at least one minute."),
        },
    )
    note = forms.CharField(
        label=_lazy("A note (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, recipients: QuerySet[Person], to_chest_only: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if to_chest_only:
            # Partner staff do not browse members, so they are shown none to choose from.
            del self.fields["person"]
            recipient = cast(forms.ChoiceField, self.fields["recipient"])
            recipient.choices = [(self.CHEST, self.CHEST_LABEL)]
        else:
            cast(forms.ModelChoiceField, self.fields["person"]).queryset = recipients

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        wants_member = data.get("recipient") == self.MEMBER
        if wants_member and not data.get("person") and "person" not in self.errors:
            self.add_error("person", _("Choose the member you would like to give to."))
        return data


class GrantForm(IdempotentForm):
    # Typed with the member picker: a list of every member does not fit a time bank of
    # thousands (community.member_picker).
    person = MemberField(
        label=_lazy("Member"),
        error_messages={"required": _lazy("Choose the member to grant hours to.")},
    )
    minutes = HoursField(
        label=_lazy("How many hours"),
        help_text=_lazy("For example 1:30, 1.5 or 90 min."),
        error_messages={
            "required": _lazy("Say how many hours to grant."),
            "zero": _lazy("Give at least one minute."),
        },
    )
    reason = forms.CharField(
        label=_lazy("Why"),
        help_text=_lazy("The member sees this on their statement."),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _lazy("Say why these hours are granted.")},
    )

    def __init__(self, *args: Any, timebank: TimeBank, coordinator: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A coordinator's page only (members.views.account.grant).
        member_search_for(self, timebank=timebank)
