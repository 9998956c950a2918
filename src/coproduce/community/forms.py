"""Forms for joining, profiles, induction, checks and the coordinator's members list.

Labels and help are written for members who may be new to forms on a phone: short, plain, and
each field says whether it is optional. Django renders `aria-invalid` and links each error and
hint to its field with `aria-describedby`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.community.availability import DAYS, PARTS, slot_choices
from coproduce.community.models import (
    CheckKind,
    ContactPreference,
    MembershipStatus,
    Person,
    Role,
    TimeBank,
    Visibility,
)
from coproduce.community.permissions import coordinators_of
from coproduce.core.forms import Form

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y"]


def _text(label: Any, *, help_text: Any = "", rows: int = 3, required: bool = False) -> forms.Field:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ContactMixin:
    """Checks that the chosen way of contact can be used: an email for email, a number for calls
    and texts. The error is put on the field that is missing."""

    def _check_contact(self, cleaned: dict[str, Any]) -> None:
        preference = cleaned.get("contact_preference")
        if preference == ContactPreference.EMAIL and not cleaned.get("email"):
            self.add_error(  # type: ignore[attr-defined]
                "email", _("You chose to be contacted by email: please give an email address.")
            )
        if preference in {ContactPreference.PHONE, ContactPreference.TEXT} and not cleaned.get(
            "phone"
        ):
            self.add_error(  # type: ignore[attr-defined]
                "phone", _("You chose to be contacted by phone or text: please give a number.")
            )


def areas_offered(form: forms.Form, areas: list[str]) -> None:
    """When the time bank lists its areas (its settings), the area is chosen from that list,
    plus the one already given if it is no longer listed."""
    field = form.fields.get("area")
    if not areas or field is None:
        return
    current = form.initial.get("area") or ""
    choices = [("", _("Choose your area")), *((a, a) for a in areas)]
    if current and current not in areas:
        choices.append((current, current))
    form.fields["area"] = forms.ChoiceField(
        label=field.label, help_text=field.help_text, required=False, choices=choices
    )
    if "aria-describedby" in field.widget.attrs:
        form.fields["area"].widget.attrs["aria-describedby"] = field.widget.attrs[
            "aria-describedby"
        ]


class JoinForm(ContactMixin, Form):
    first_name = forms.CharField(label=_("Your first name"), max_length=150)
    last_name = forms.CharField(
        label=_("Your family name (optional)"), max_length=150, required=False
    )
    username = forms.CharField(
        label=_("Choose a username"),
        max_length=150,
        help_text=_("You will use it to sign in. Letters, numbers and . _ - only, no spaces."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        help_text=_("At least 8 characters. A short sentence you will remember works well."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("Give an email address, a phone number, or both."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    area = forms.CharField(
        label=_("Where you live (optional)"),
        max_length=80,
        required=False,
        help_text=_("Your neighbourhood or village, so we can find help near you."),
    )
    gives = _text(
        _("What you can give (optional)"),
        help_text=_(
            "Everyone has something to give: a chat, a lift, cooking, listening, a skill. "
            "Not sure? Leave it and we will talk about it when we meet."
        ),
    )
    needs = _text(_("What you would like help with (optional)"))
    contact_preference = forms.ChoiceField(
        label=_("How do you prefer to be contacted?"),
        choices=ContactPreference.choices,
        initial=ContactPreference.EMAIL,
        widget=forms.RadioSelect,
    )
    note = _text(
        _("Anything else we should know (optional)"),
        help_text=_("For example, the best time to call, or help you need to take part."),
    )

    def __init__(
        self,
        *args: Any,
        person: Person | None = None,
        areas: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.person = person
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "email": person.email,
                    "phone": person.phone,
                    "gives": person.gives,
                    "needs": person.needs,
                    "contact_preference": person.contact_preference,
                },
            )
        super().__init__(*args, **kwargs)
        areas_offered(self, areas or [])
        if person is not None:
            # Someone signed in applies to another time bank with the login they have.
            del self.fields["username"]
            del self.fields["password"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        Person.username_validator(username)
        if Person.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                _("That username is taken. If it is yours, sign in first; or choose another.")
            )
        return username

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("email") and not cleaned.get("phone") and "email" not in self.errors:
            self.add_error("email", _("Please give an email address or a phone number (or both)."))
        self._check_contact(cleaned)
        password = cleaned.get("password")
        if password and "username" in cleaned:
            try:
                validate_password(
                    password,
                    Person(username=cleaned["username"], first_name=cleaned.get("first_name", "")),
                )
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class AvailabilityField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=slot_choices, **kwargs)


class ProfileForm(ContactMixin, Form):
    gives = _text(
        _("What I can give"),
        rows=4,
        help_text=_("Skills, time, company, a lift: everything counts the same."),
    )
    needs = _text(_("What I would like help with"), rows=3)
    about = _text(_("About me"), rows=3)
    availability = AvailabilityField(label=_("When I am usually free"), required=False)
    area = forms.CharField(label=_("Area"), max_length=80, required=False)
    languages = forms.CharField(label=_("Languages I speak"), max_length=200, required=False)
    accessibility_needs = _text(
        _("Access needs"),
        help_text=_("Only you and your coordinator see this."),
    )
    contact_preference = forms.ChoiceField(
        label=_("How I prefer to be contacted"),
        choices=ContactPreference.choices,
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        help_text=_("Who else sees it is your choice on the Privacy page."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_(
            "A new address is used once you follow the link we email to it. Who else sees it "
            "is your choice on the Privacy page."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    notify_by_email = forms.TypedChoiceField(
        label=_("Emails about my exchanges"),
        choices=[("yes", _("Email me")), ("no", _("No email"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language for pages and emails"),
        required=False,
        widget=forms.RadioSelect,
    )
    digest_by_email = forms.TypedChoiceField(
        label=_("Weekly email of new offers and requests"),
        choices=[("yes", _("Email me")), ("no", _("No email"))],
        coerce=lambda value: value == "yes",
        empty_value=None,  # not given: left as it is
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        person: Person,
        area: str | None,
        areas: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "gives": person.gives,
                "needs": person.needs,
                "about": person.about,
                "availability": list(person.availability or []),
                "area": area or "",
                "languages": person.languages,
                "accessibility_needs": person.accessibility_needs,
                "contact_preference": person.contact_preference,
                "phone": person.phone,
                "email": person.email,
                "notify_by_email": "yes" if person.notify_by_email else "no",
                "digest_by_email": "yes" if person.digest_by_email else "no",
                "language": person.language,
            },
        )
        super().__init__(*args, **kwargs)
        self.person = person
        # Each language named in itself; blank follows the time bank's default.
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("My time bank's language")),
            *settings.LANGUAGES,
        ]
        if area is None:
            # No current time bank: the area lives on a membership, so there is none to edit.
            del self.fields["area"]
        else:
            areas_offered(self, areas or [])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("digest_by_email") is None:
            cleaned["digest_by_email"] = self.person.digest_by_email
        self._check_contact(cleaned)
        if (
            cleaned.get("notify_by_email")
            and not cleaned.get("email")
            and "email" not in self.errors
        ):
            self.add_error("email", _("To be emailed, please give an email address."))
        return cleaned

    def availability_by_day(self) -> list[dict[str, Any]]:
        """The availability checkboxes grouped by day, for one fieldset per day."""
        boxes = {box.data["value"]: box for box in self["availability"]}
        return [
            {
                "day": day,
                "label": day_label,
                "boxes": [(boxes[f"{day}_{part}"], part_label) for part, part_label in PARTS],
            }
            for day, day_label in DAYS
        ]


class InductionForm(Form):
    inducted_on = _date(_("Date of the induction"))
    inducted_by = forms.ModelChoiceField(
        label=_("Who met them"), queryset=Person.objects.none(), to_field_name="public_id"
    )
    notes = _text(
        _("Notes (optional)"),
        rows=4,
        help_text=_("Seen only by coordinators."),
    )

    def __init__(self, *args: Any, timebank: TimeBank, acting: Person, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"inducted_on": timezone.localdate(), "inducted_by": acting})
        super().__init__(*args, prefix="induct", **kwargs)
        leaders = self.fields["inducted_by"]
        leaders.queryset = coordinators_of(timebank)  # type: ignore[attr-defined]
        leaders.label_from_instance = lambda person: person.display_name  # type: ignore[attr-defined]

    def clean_inducted_on(self) -> Any:
        value = self.cleaned_data["inducted_on"]
        if value > timezone.localdate():
            raise ValidationError(_("The induction date cannot be in the future."))
        return value


class DeclineForm(Form):
    reason = _text(
        _("Reason"),
        rows=3,
        required=True,
        help_text=_("The applicant is told this reason. Write it kindly."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="decline", **kwargs)


class CheckForm(Form):
    kind = forms.ChoiceField(label=_("Check"), choices=CheckKind.choices, widget=forms.RadioSelect)
    checked_on = _date(_("Checked on"))
    expires_on = _date(
        _("Expires on"),
        required=False,
        help_text=_("Needed for an enhanced check: the date it should be renewed by."),
    )
    reference = forms.CharField(
        label=_("Certificate or reference number (optional)"),
        max_length=80,
        required=False,
        help_text=_("Seen only by coordinators."),
    )
    notes = _text(_("Notes (optional)"), help_text=_("Seen only by coordinators."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"checked_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        checked_on, expires_on = cleaned.get("checked_on"), cleaned.get("expires_on")
        if checked_on and checked_on > timezone.localdate():
            self.add_error("checked_on", _("A check cannot be dated in the future."))
        if cleaned.get("kind") == CheckKind.ENHANCED and not expires_on:
            if "expires_on" not in self.errors:
                self.add_error("expires_on", _("An enhanced check needs an expiry date."))
        elif checked_on and expires_on and expires_on <= checked_on:
            self.add_error("expires_on", _("The check must expire after the date it was made."))
        return cleaned


class MemberFilterForm(Form):
    """The members list's filters, read from the query string."""

    q = forms.CharField(label=_("Name"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *MembershipStatus.choices],
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices]
    )
    area = forms.ChoiceField(label=_("Area"), required=False, choices=[])

    def __init__(self, *args: Any, areas: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            ("", _("Any area")),
            *((area, area) for area in areas),
        ]

    def filters(self) -> dict[str, str]:
        """The valid filters; an unknown value in the address is ignored, never an error page."""
        if not self.is_valid():
            return {
                name: value
                for name, value in self.cleaned_data.items()
                if name not in self.errors and value
            }
        return {name: value for name, value in self.cleaned_data.items() if value}


# --- Privacy (issue 10) -------------------------------------------------------------------------


class PrivacyForm(Form):
    """Who sees my phone, email and area in the current time bank."""

    phone_visible_to = forms.ChoiceField(
        label=_("Who sees my phone number"), choices=Visibility.choices, widget=forms.RadioSelect
    )
    email_visible_to = forms.ChoiceField(
        label=_("Who sees my email address"), choices=Visibility.choices, widget=forms.RadioSelect
    )
    area_visible_to = forms.ChoiceField(
        label=_("Who sees my area"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Matching and the search by area still use it, so neighbours can find your offers; "
            "only your profile page hides it."
        ),
    )


class EraseForm(Form):
    """The last step before a person erases themselves: their password and a clear yes."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to say you understand.")},
    )


class MemberEraseForm(Form):
    """A coordinator erases a member, after saying why (kept in the log, not the erased data)."""

    reason = forms.CharField(
        label=_("Why"),
        max_length=300,
        help_text=_("For example: “asked in writing on 3 March”. It is kept in the log."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to say you understand.")},
    )


# --- Safeguarding (coordinators only) ---------------------------------------------------------


class PauseForm(Form):
    reason = _text(
        _("Why they are paused"),
        help_text=_("Seen only by coordinators. The member is not told the reason here."),
        required=True,
    )


class ResumeForm(Form):
    note = _text(_("Why the pause ends"), help_text=_("Seen only by coordinators."), required=True)


class IncidentForm(Form):
    occurred_on = _date(_("When it happened"))
    what_happened = _text(_("What happened"), rows=5, required=True)
    people_involved = _text(_("People involved (optional)"), rows=2)
    action_taken = _text(_("Action taken (optional)"), rows=3)
    follow_up_on = _date(_("Follow up by (optional)"), required=False)


class FollowUpForm(Form):
    note = _text(_("What was done"), required=True)
    next_follow_up_on = _date(_("Next follow-up by (optional)"), required=False)


class CloseIncidentForm(Form):
    outcome = _text(_("How it ended"), required=True)
