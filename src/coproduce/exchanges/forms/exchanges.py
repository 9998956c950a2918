"""Forms for arranging, finishing and settling exchanges.

Times are typed the way people say them (1:30, 1.5, 90 min) and read by `core.units`; people are
named by username and looked up within the current time bank only. Every form marks its invalid
fields with aria-invalid and links them to their messages with aria-describedby.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.community.member_picker import MemberField, member_search_for
from coproduce.community.models import Organisation, Person, TimeBank
from coproduce.community.permissions import is_coordinator, member_get_by_username
from coproduce.core.categories import Category
from coproduce.core.forms import AccessibleForm, HoursField
from coproduce.core.units import format_hmm
from coproduce.exchanges.forms.listings import kinds_of_help
from coproduce.exchanges.models import Exchange, Feedback, PaidBy
from coproduce.exchanges.selectors.exchanges import (
    organisations_for_paying,
)
from coproduce.exchanges.services.disputes import OUTCOME_ADJUST
from coproduce.exchanges.services.feedback import FEEDBACK_MAX_LENGTH


def _lookup(timebank: TimeBank, username: str) -> Person:
    person = member_get_by_username(timebank=timebank, username=username)
    if person is None:
        raise forms.ValidationError(
            _("No one in this time bank has the username “%(name)s”."),
            params={"name": username.strip()},
            code="unknown_member",
        )
    return person


class ProposeForm(AccessibleForm):
    """Arrange an exchange: from an offer or a request (the other person is known), or with
    people named by username."""

    GIVING, RECEIVING = "giving", "receiving"

    my_role = forms.ChoiceField(
        label=_("In this exchange I am"),
        choices=[(GIVING, _("giving help")), (RECEIVING, _("receiving help"))],
        widget=forms.RadioSelect,
        initial=RECEIVING,
    )
    others = forms.CharField(
        label=_("Who with"),
        max_length=500,
        help_text=_(
            "Their username. For a group session or team help, write several usernames "
            "separated by commas."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    title = forms.CharField(label=_("What help"), max_length=140)
    category = forms.ChoiceField(label=_("Kind of help"), choices=Category.choices)
    hours = HoursField(label=_("How long will it take"))
    scheduled_for = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text=_("Leave empty if you have not fixed a time yet."),
    )
    paid_by = forms.ChoiceField(
        label=_("Who pays the time credits"),
        choices=PaidBy.choices,
        initial=PaidBy.RECEIVERS,
        help_text=_("Usually each person receiving help. A partner or the chest may pay instead."),
    )
    paying_organisation = forms.ModelChoiceField(
        label=_("Which organisation pays"),
        queryset=Organisation.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("(none)"),
    )
    notes = forms.CharField(
        label=_("Anything the others should know"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        timebank: TimeBank,
        person: Person,
        listing_known: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.timebank = timebank
        self.fields["hours"].max_minutes = timebank.max_exchange_minutes  # type: ignore[attr-defined]
        kinds_of_help(self, timebank)
        if listing_known:
            # The offer or request says who takes part and on which side.
            del self.fields["my_role"]
            del self.fields["others"]
        # Only a coordinator may spend the chest, and only staff an organisation's credits;
        # everyone else never sees the choice (each receiver pays).
        payers = organisations_for_paying(person=person, timebank=timebank)
        has_payers = payers.exists()
        coordinator = is_coordinator(person=person, timebank=timebank)
        if not has_payers and not coordinator:
            del self.fields["paid_by"]
            del self.fields["paying_organisation"]
            return
        choices = [c for c in PaidBy.choices if coordinator or c[0] != PaidBy.CHEST]
        if not has_payers:
            choices = [c for c in choices if c[0] != PaidBy.ORGANISATION]
            del self.fields["paying_organisation"]
        else:
            self.fields["paying_organisation"].queryset = payers  # type: ignore[attr-defined]
        self.fields["paid_by"].choices = choices  # type: ignore[attr-defined]

    def clean_others(self) -> list[Person]:
        names = [n.strip() for n in self.cleaned_data["others"].split(",") if n.strip()]
        if not names:
            raise forms.ValidationError(_("Write at least one username."), code="required")
        return [_lookup(self.timebank, name) for name in names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("paid_by") == PaidBy.ORGANISATION and not data.get("paying_organisation"):
            self.add_error("paying_organisation", _("Choose the organisation that pays."))
        return data


class DoneForm(AccessibleForm):
    hours = HoursField(label=_("How long did it take"))

    def __init__(self, *args: Any, exchange: Exchange, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"hours": format_hmm(exchange.expected_minutes)})
        super().__init__(*args, **kwargs)
        self.fields["hours"].max_minutes = exchange.timebank.max_exchange_minutes  # type: ignore[attr-defined]


class ConfirmForm(AccessibleForm):
    """Nothing to fill in: the button is the confirmation."""


class AgreeForm(AccessibleForm):
    """Nothing to fill in: the button is the agreement."""


class CancelForm(AccessibleForm):
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DisputeForm(AccessibleForm):
    reason = forms.CharField(
        label=_("What went wrong"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The coordinator will read this and get in touch with both of you."),
    )


class ResolveForm(AccessibleForm):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("confirm", _("Confirm it as it was marked done")),
            (OUTCOME_ADJUST, _("Confirm it with a different time")),
            ("cancel", _("Cancel it: no credits move")),
        ],
        widget=forms.RadioSelect,
    )
    hours = HoursField(label=_("The time agreed"), required=False)
    note = forms.CharField(
        label=_("Note to both sides"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, exchange: Exchange, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hours"].max_minutes = exchange.timebank.max_exchange_minutes  # type: ignore[attr-defined]
        self.fields["hours"].help_text = _("Only when confirming with a different time.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("outcome") == OUTCOME_ADJUST
            and not data.get("hours")
            and "hours" not in self.errors
        ):
            self.add_error("hours", _("Give the time agreed."))
        return data


class ReverseForm(AccessibleForm):
    reason = forms.CharField(
        label=_("Why the credits are being reversed"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FeedbackForm(AccessibleForm):
    about = forms.ChoiceField(label=_("Who you are thanking"))
    message = forms.CharField(
        label=_("Your thanks"),
        max_length=FEEDBACK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few words. There are no star ratings here."),
    )
    private = forms.BooleanField(
        label=_("Keep it between me and the person I thank"), required=False
    )

    def __init__(
        self, *args: Any, exchange: Exchange, author: Person, may_keep_private: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        thanked = set(
            Feedback.objects.filter(exchange=exchange, author=author).values_list(
                "about_person_id", "about_organisation_id"
            )
        )
        self.targets: dict[str, Person | Organisation] = {}
        for part in exchange.participants.all():
            if part.person is not None:
                if part.person_id != author.pk and (part.person_id, None) not in thanked:
                    self.targets[f"person:{part.person.public_id}"] = part.person
            elif part.organisation is not None and (None, part.organisation_id) not in thanked:
                self.targets[f"organisation:{part.organisation.public_id}"] = part.organisation
        about = self.fields["about"]
        assert isinstance(about, forms.ChoiceField)
        about.choices = [(key, str(who)) for key, who in self.targets.items()]
        if not may_keep_private:
            del self.fields["private"]

    def clean_about(self) -> Person | Organisation:
        return self.targets[self.cleaned_data["about"]]


class LogFinishedForm(AccessibleForm):
    """A coordinator records help that already happened between two offline members."""

    provider = MemberField(label=_("Who gave the help"))
    receiver = MemberField(label=_("Who received the help"))
    title = forms.CharField(label=_("What help"), max_length=140)
    category = forms.ChoiceField(label=_("Kind of help"), choices=Category.choices)
    hours = HoursField(label=_("How long it took"))
    done_on = forms.DateField(
        label=_("On which day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    note = forms.CharField(
        label=_("Note (how you heard about it)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, timebank: TimeBank, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"done_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.timebank = timebank
        self.fields["hours"].max_minutes = timebank.max_exchange_minutes  # type: ignore[attr-defined]
        kinds_of_help(self, timebank)
        # A coordinator's page only (exchanges.views.exchanges.exchange_log).
        member_search_for(self, timebank=timebank)
