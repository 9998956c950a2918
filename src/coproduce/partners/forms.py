"""Forms for partner organisations, referrals, outcomes and pools.

Labels are short and plain, and each says when a field is optional. Django renders
`aria-invalid` and links each error and hint to its field with `aria-describedby`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.community.member_picker import MemberPickerInput
from coproduce.community.models import (
    ContactPreference,
    Organisation,
    OrganisationKind,
    StaffRole,
)
from coproduce.core.errors import ApplicationError
from coproduce.core.forms import Form, HoursField
from coproduce.core.money import DEFAULT_CURRENCY, currency_symbol, parse_money
from coproduce.core.units import parse_minutes
from coproduce.exchanges.models import Offer
from coproduce.partners.models import (
    OTHER_GOAL,
    ConsentHow,
    Goal,
    GoalProgress,
    OutcomeStage,
    Referral,
    ReferralStatus,
)
from coproduce.partners.swemwbs import ANSWERS, ITEMS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y"]


def _date(label: Any, *, help_text: Any = "", initial_today: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        initial=timezone.localdate if initial_today else None,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _text(label: Any, *, help_text: Any = "", rows: int = 3, required: bool = False) -> Any:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def parse_amount(text: str, unit: str) -> int:
    """Hours as `1:30`, `1.5` or `90 min`; money as `12.50`, `£12.50` or `1.234,50 €`, in
    pence or cents (core.money)."""
    if unit == "hour":
        return parse_minutes(text)
    return parse_money(text)


def _amount_field(label: Any, unit: str) -> forms.CharField:
    help_text = (
        _("In hours, for example 1:30 or 1.5.") if unit == "hour" else _("For example 12.50.")
    )
    return forms.CharField(
        label=label,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class AmountMixin:
    unit = "hour"

    def clean_amount(self) -> int:
        try:
            amount = parse_amount(self.cleaned_data["amount"], self.unit)  # type: ignore[attr-defined]
        except ApplicationError as exc:
            raise ValidationError(exc.message) from exc
        if amount <= 0:
            raise ValidationError(_("Give an amount above zero."))
        return amount


# --- organisations ------------------------------------------------------------------------------


class OrganisationForm(Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=OrganisationKind.choices)
    description = _text(_("What it does (optional)"), rows=4)


class OrganisationDescriptionForm(Form):
    description = _text(
        _("What it does"),
        rows=6,
        help_text=_("Members read this on the organisation's page."),
    )


class StaffForm(Form):
    username = forms.CharField(
        label=_("Their username"),
        max_length=150,
        help_text=_("They must already be a member of this time bank."),
        widget=MemberPickerInput(),
    )
    role = forms.ChoiceField(
        label=_("Their role"), choices=StaffRole.choices, widget=forms.RadioSelect
    )
    may_refer = forms.BooleanField(
        label=_("They may refer people to the time bank"),
        required=False,
        initial=True,
        help_text=_("Only staff who may refer see the organisation's referrals."),
    )


class StaffInviteForm(Form):
    """An organisation's admin (or a coordinator) invites someone to its staff, by email or with
    a letter to print. A coordinator may invite its admin instead."""

    role = forms.ChoiceField(
        label=_("Invite them as"),
        choices=[
            ("organisation_staff", _("A member of its staff")),
            ("organisation_admin", _("Its admin, who manages its staff")),
        ],
        initial="organisation_staff",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Their name"),
        max_length=150,
        help_text=_("Used to greet them in the email or letter."),
    )
    email = forms.EmailField(
        label=_("Their email address (optional)"),
        required=False,
        help_text=_("Leave it empty to print a letter with the link instead."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    may_refer = forms.BooleanField(
        label=_("They may refer people to the time bank"),
        required=False,
        initial=True,
        help_text=_("Only staff who may refer see the organisation's referrals."),
    )

    def __init__(self, *args: Any, may_invite_admin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_invite_admin:
            # Only a coordinator invites an organisation's admin.
            del self.fields["role"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data.setdefault("role", "organisation_staff")
        return data


class MayReferForm(Form):
    may_refer = forms.TypedChoiceField(
        choices=[("yes", _("May refer")), ("no", _("May not refer"))],
        coerce=lambda value: value == "yes",
    )


class LimitsForm(Form):
    min_hours = HoursField(
        label=_("Lowest balance (hours)"),
        allow_negative=True,
        help_text=_("How far below zero it may go, for example -20."),
        error_messages={"required": _("Give the lowest balance, for example -20.")},
    )
    max_hours = HoursField(
        label=_("Highest balance (hours, optional)"),
        allow_negative=True,
        required=False,
        help_text=_("Leave empty for no maximum."),
    )
    reason = forms.CharField(label=_("Why the change"), max_length=300)


# --- referrals ----------------------------------------------------------------------------------


class ReferralForm(Form):
    organisation = forms.ModelChoiceField(
        label=_("Referring for"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        to_field_name="public_id",
    )
    first_name = forms.CharField(label=_("Their first name"), max_length=150)
    last_name = forms.CharField(label=_("Family name (optional)"), max_length=150, required=False)
    contact_preference = forms.ChoiceField(
        label=_("How would they like to be contacted?"),
        choices=ContactPreference.choices,
        initial=ContactPreference.PHONE,
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    email = forms.EmailField(label=_("Email address"), required=False)
    area = forms.CharField(
        label=_("Where they live (optional)"),
        max_length=80,
        required=False,
        help_text=_("Their neighbourhood, so we can find help near them."),
    )
    what_matters = _text(
        _("What matters to them"),
        required=True,
        help_text=_("In their words if you can: what they enjoy, what they would like to change."),
    )
    goals = forms.MultipleChoiceField(
        label=_("Their goals"),
        choices=Goal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_goal = forms.CharField(
        label=_("Another goal, in their words (optional)"), max_length=200, required=False
    )
    support_notes = _text(
        _("Support or risk notes (optional)"),
        rows=4,
        help_text=_(
            "Only the time bank's coordinators and you can read these, and each reading is "
            "recorded."
        ),
    )
    consent = forms.BooleanField(
        label=_("They have agreed to be referred and for us to hold these details"),
        required=False,
    )
    consent_given_by = forms.CharField(
        label=_("Who gave consent"),
        max_length=150,
        required=False,
        help_text=_("Usually the person themselves; or, for example, their carer."),
    )
    consent_given_on = forms.DateField(
        label=_("When consent was given"),
        required=False,
        input_formats=DATE_FORMATS,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    consent_how = forms.ChoiceField(
        label=_("How consent was given"),
        choices=ConsentHow.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("consent"):
            self.add_error(
                "consent",
                _(
                    "We can only take a referral the person has agreed to. "
                    "Tick to confirm they have."
                ),
            )
        for name, message in (
            ("consent_given_by", _("Say who gave consent.")),
            ("consent_given_on", _("Say when consent was given.")),
            ("consent_how", _("Say how consent was given.")),
        ):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        preference = cleaned.get("contact_preference")
        if (
            preference == ContactPreference.EMAIL
            and not cleaned.get("email")
            and "email" not in self.errors
        ):
            self.add_error("email", _("They would like an email: give their address."))
        if preference in {ContactPreference.PHONE, ContactPreference.TEXT} and not cleaned.get(
            "phone"
        ):
            self.add_error("phone", _("They would like a call or text: give their number."))
        if not cleaned.get("goals") and not (cleaned.get("other_goal") or "").strip():
            self.add_error("goals", _("Choose at least one goal, or write one in their words."))
        return cleaned


class MoveForm(Form):
    to_status = forms.ChoiceField(label=_("What happened"), widget=forms.RadioSelect)
    on = _date(_("When"))
    reason = _text(
        _("Reason"),
        rows=2,
        help_text=_("Needed when they declined or could not be reached; the referrer sees it."),
    )

    def __init__(self, *args: Any, steps: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [  # type: ignore[attr-defined]
            (s, ReferralStatus(s).label) for s in steps if s != ReferralStatus.INDUCTED
        ]


class InductForm(Form):
    inducted_on = _date(_("Date of the induction"))
    notes = _text(_("Induction notes (optional)"), rows=3)


class SuggestForm(Form):
    offer = forms.ChoiceField(label=_("Suggest this offer"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, offers: list[Offer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offer"].choices = [  # type: ignore[attr-defined]
            (str(o.public_id), f"{o.title} — {o.person or o.organisation}") for o in offers
        ]


class OutcomeForm(Form):
    stage = forms.ChoiceField(
        label=_("When is this?"), choices=OutcomeStage.choices, widget=forms.RadioSelect
    )
    measured_on = _date(_("Date"))
    own_words = _text(
        _("In their own words (optional)"),
        rows=4,
        help_text=_("What has changed for them, as they say it."),
    )

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, statement in enumerate(ITEMS, start=1):
            # A plain integer field would accept 0 or 6 from a hand-made request; the service
            # checks 1 to 5 again.
            self.fields[f"item_{number}"] = forms.TypedChoiceField(
                label=statement,
                choices=ANSWERS,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer for this statement.")},
            )
        self.goal_names: list[str] = []
        goals: list[tuple[str, Any]] = [
            (g, Goal(g).label) for g in referral.goals if g in Goal.values
        ]
        if referral.other_goal:
            goals.append((OTHER_GOAL, referral.other_goal))
        for code, label in goals:
            name = f"goal_{code}"
            self.goal_names.append(name)
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[("", _("Not asked yet")), *GoalProgress.choices],
                required=False,
                help_text=_("At review only."),
            )

    def item_fields(self) -> list[Any]:
        return [self[f"item_{n}"] for n in range(1, len(ITEMS) + 1)]

    def goal_fields(self) -> list[Any]:
        return [self[name] for name in self.goal_names]

    def items(self) -> list[int]:
        return [self.cleaned_data[f"item_{n}"] for n in range(1, len(ITEMS) + 1)]

    def goal_progress(self) -> dict[str, str]:
        return {
            name.removeprefix("goal_"): self.cleaned_data.get(name, "")
            for name in self.goal_names
            if self.cleaned_data.get(name)
        }


# --- pools --------------------------------------------------------------------------------------


class PoolForm(Form):
    """A new pool: it holds hours, or money in the time bank's currency."""

    name = forms.CharField(label=_("Name of the pool"), max_length=120)
    description = _text(_("What it is for (optional)"), rows=3)
    unit = forms.ChoiceField(
        label=_("What it holds"),
        choices=[("hour", _("Time credits (hours)"))],
        widget=forms.RadioSelect,
        initial="hour",
    )
    other_holder = forms.CharField(
        label=_("Second holder's username (optional)"),
        max_length=150,
        required=False,
        help_text=_("You hold it; a second holder can approve spending with you."),
        widget=MemberPickerInput(),
    )
    approvals_required = forms.TypedChoiceField(
        label=_("Who must agree to spend from it"),
        choices=[(1, _("One holder")), (2, _("Two holders"))],
        coerce=int,
        initial=1,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, currency: str = DEFAULT_CURRENCY, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            ("hour", _("Time credits (hours)")),
            (
                currency,
                _("Money (%(currency)s), as a record") % {"currency": currency_symbol(currency)},
            ),
        ]


class ContributeForm(AmountMixin, Form):
    # The pool page shows this form beside SpendForm: prefixes keep their ids apart.
    prefix = "contribute"
    memo = forms.CharField(label=_("A note (optional)"), max_length=200, required=False)
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, unit: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"token": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["amount"] = _amount_field(_("How much to put in"), unit)
        self.order_fields(["amount", "memo", "token"])


class SpendForm(AmountMixin, Form):
    prefix = "spend"
    payee_username = forms.CharField(
        label=_("Pay a member: their username"),
        max_length=150,
        required=False,
        widget=MemberPickerInput(),
    )
    payee_organisation = forms.ModelChoiceField(
        label=_("Or pay an organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("No organisation"),
        to_field_name="public_id",
    )
    purpose = forms.CharField(label=_("What it is for"), max_length=200)

    def __init__(self, *args: Any, unit: str, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["amount"] = _amount_field(_("How much"), unit)
        self.fields["payee_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.order_fields(["payee_username", "payee_organisation", "amount", "purpose"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_member = bool((cleaned.get("payee_username") or "").strip())
        if has_member == bool(cleaned.get("payee_organisation")):
            self.add_error(
                "payee_username", _("Give either a member's username or an organisation.")
            )
        return cleaned


class RefuseForm(Form):
    reason = forms.CharField(
        label=_("Why not"),
        max_length=300,
        required=False,
        help_text=_("Needed when you say no to someone else's proposal."),
    )
