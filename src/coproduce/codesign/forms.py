"""Forms for co-design projects. Each marks its invalid fields with aria-invalid and links them
to their messages (AccessibleForm); times are typed as people say them (1:30, 1.5, 90 min)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.codesign.models import (
    PROPOSAL_TRANSITIONS,
    PaidFrom,
    ParticipantRole,
    Proposal,
    ProposalStatus,
)
from coproduce.codesign.services import LONG_TEXT_MAX, SHORT_TEXT_MAX, TITLE_MAX
from coproduce.community.member_picker import MemberField, member_search_for
from coproduce.community.models import Organisation, Person, TimeBank
from coproduce.core.forms import AccessibleForm, HoursField


def _area(rows: int, max_length: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": str(max_length)})


class ProjectForm(AccessibleForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    question = forms.CharField(
        label=_("The question the project works on"),
        max_length=1000,
        widget=_area(3, 1000),
        help_text=_("For example: How should the surgery's waiting room work?"),
    )
    description = forms.CharField(
        label=_("More about the project"),
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=_area(5, LONG_TEXT_MAX),
    )
    meetings_paid_from = forms.ChoiceField(
        label=_("Who pays the time credits members earn at meetings"),
        choices=PaidFrom.choices,
        widget=forms.RadioSelect,
        initial=PaidFrom.ORGANISATION,
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations


class PhaseForm(AccessibleForm):
    name = forms.CharField(label=_("Name of the phase"), max_length=120)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A phase cannot end before it starts."))
        return data


class ParticipantAddForm(AccessibleForm):
    username = MemberField(
        label=_("Their username"),
        help_text=_("As shown on their profile. They must be an active member."),
    )
    role = forms.ChoiceField(
        label=_("Role in the project"), choices=ParticipantRole.choices, widget=forms.RadioSelect
    )

    def __init__(
        self, *args: Any, timebank: TimeBank, viewer: Person | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.timebank = timebank
        self.fields["role"].initial = ParticipantRole.MEMBER
        member_search_for(self, timebank=timebank, viewer=viewer)


class MeetingForm(AccessibleForm):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("For example 2025-03-14 10:30."),
    )
    length = HoursField(
        label=_("How long"), help_text=_("For example 2 for two hours, or 1:30."), initial="2"
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    agenda = forms.CharField(
        label=_("Agenda"), max_length=LONG_TEXT_MAX, required=False, widget=_area(5, LONG_TEXT_MAX)
    )


class MinutesForm(AccessibleForm):
    text = forms.CharField(
        label=_("Minutes: what was discussed and decided"),
        max_length=20000,
        widget=_area(8, 20000),
    )


class AttendanceForm(AccessibleForm):
    """One tick box and one time per person taking part who is not yet recorded."""

    def __init__(self, *args: Any, participants: list, planned_minutes: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[Person, str, str]] = []
        initial_time = f"{planned_minutes // 60}:{planned_minutes % 60:02d}"
        for participant in participants:
            person = participant.person
            key = person.public_id.hex
            self.fields[f"came_{key}"] = forms.BooleanField(
                label=_("%(name)s came") % {"name": person.display_name}, required=False
            )
            self.fields[f"time_{key}"] = HoursField(
                label=_("Time at the meeting for %(name)s") % {"name": person.display_name},
                required=False,
                initial=initial_time,
                help_text="",
            )
            self.rows.append((person, f"came_{key}", f"time_{key}"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        attendees = []
        for person, came, time in self.rows:
            if not data.get(came):
                continue
            minutes = data.get(time)
            if minutes is None:
                if time not in self.errors:
                    self.add_error(time, _("Say how long they were there."))
                continue
            attendees.append((person, minutes))
        if not attendees and not self.errors:
            raise forms.ValidationError(_("Tick at least one person who came."))
        data["attendees"] = attendees
        return data

    def bound_rows(self) -> list[tuple[Person, forms.BoundField, forms.BoundField]]:
        return [(person, self[came], self[time]) for person, came, time in self.rows]


class ProposalForm(AccessibleForm):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    text = forms.CharField(
        label=_("Your proposal"),
        max_length=LONG_TEXT_MAX,
        widget=_area(6, LONG_TEXT_MAX),
        help_text=_("What would you change, and why?"),
    )


class CommentForm(AccessibleForm):
    text = forms.CharField(
        label=_("Your comment"), max_length=SHORT_TEXT_MAX, widget=_area(4, SHORT_TEXT_MAX)
    )


class StatusForm(AccessibleForm):
    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    response = forms.CharField(
        label=_("Public response from the organisation"),
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=_area(5, LONG_TEXT_MAX),
        help_text=_(
            "Everyone can read it. It is needed when you accept a proposal or do not take it up: "
            "say what you will do, or why not."
        ),
    )

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (value, ProposalStatus(value).label) for value in PROPOSAL_TRANSITIONS[proposal.status]
        ]


class ProgressForm(AccessibleForm):
    text = forms.CharField(
        label=_("What has happened, or what will"),
        max_length=SHORT_TEXT_MAX,
        widget=_area(4, SHORT_TEXT_MAX),
    )
    is_milestone = forms.BooleanField(label=_("This is a milestone"), required=False)
    milestone_on = forms.DateField(
        label=_("Milestone date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Needed for a milestone."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            data.get("is_milestone")
            and not data.get("milestone_on")
            and "milestone_on" not in (self.errors)
        ):
            self.add_error("milestone_on", _("Give the milestone a date."))
        return data


class DissentForm(AccessibleForm):
    text = forms.CharField(
        label=_("Why you disagree with the decision"),
        max_length=SHORT_TEXT_MAX,
        widget=_area(4, SHORT_TEXT_MAX),
        help_text=_("Your view stays on the record beside the decision. It cannot be removed."),
    )


MEETING_DEFAULT_HOUR = 10


def default_meeting_start(now: datetime | None = None) -> str:
    """A week from today at 10:00 in the time bank's time zone: a first guess for the form that
    gives people notice and is a time people meet, whatever the hour the form is opened at
    ("next week, same time" offered 23:00 to a coordinator working late)."""
    day = timezone.localtime(now).date() + timedelta(days=7)
    return f"{day.isoformat()}T{MEETING_DEFAULT_HOUR:02d}:00"
