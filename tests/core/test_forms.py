"""What every web form shares (coproduce.core.forms): the two bases, the hours field and the
mapping of a service's refusal onto the form."""

from __future__ import annotations

import pytest
from django import forms

from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.forms import AccessibleForm, Form, HoursField, service_on_form


class Garden(Form):
    name = forms.CharField(label="Your name")


class Gardening(AccessibleForm):
    hours = HoursField(label="How long")
    note = forms.CharField(label="Note", required=False)


class Limits(Form):
    lowest = HoursField(label="Lowest", allow_negative=True, help_text="e.g. -10")
    highest = HoursField(label="Highest", allow_negative=True, required=False)


def test_labels_end_in_no_colon_and_control_characters_are_refused():
    form = Garden({"name": "Ali\x00ce"})
    assert 'for="id_name">Your name</label>' in form["name"].label_tag()
    assert not form.is_valid()
    assert "control character" in form.errors["name"][0]


def test_an_accessible_form_links_each_field_to_its_help_and_error():
    form = Gardening({"hours": "soon"})
    assert form.fields["hours"].widget.attrs["aria-describedby"] == "id_hours_help"
    assert not form.is_valid()
    attrs = form.fields["hours"].widget.attrs
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"] == "id_hours_error id_hours_help"
    assert "aria-invalid" not in form.fields["note"].widget.attrs


@pytest.mark.parametrize(
    ("typed", "minutes"), [("1:30", 90), ("1.5", 90), ("2", 120), ("90 min", 90), ("", None)]
)
def test_hours_are_read_as_people_write_them(typed, minutes):
    form = Gardening({"hours": typed})
    form.fields["hours"].required = False
    assert form.is_valid(), form.errors
    assert form.cleaned_data["hours"] == minutes


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("0", "more than zero"),
        ("-1", "more than zero"),
        ("soon", "is not a length of time"),
        ("1" * 21, "too long for a length of time"),
    ],
)
def test_a_piece_of_help_takes_more_than_zero_time(typed, says):
    form = Gardening({"hours": typed})
    assert not form.is_valid()
    assert says in form.errors["hours"][0]


def test_a_maximum_set_after_the_form_is_made_is_kept():
    form = Gardening({"hours": "13"})
    form.fields["hours"].max_minutes = 12 * 60  # type: ignore[attr-defined]
    assert not form.is_valid()
    assert "at most 12:00 hours" in form.errors["hours"][0]


def test_a_message_can_be_changed_by_its_code():
    class Gift(Form):
        hours = HoursField(label="Hours", error_messages={"zero": "Give at least one minute."})

    form = Gift({"hours": "0"})
    assert not form.is_valid()
    assert form.errors["hours"] == ["Give at least one minute."]


def test_limits_take_negatives_and_blank_and_a_plain_text_input():
    form = Limits({"lowest": "-10", "highest": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"lowest": -600, "highest": None}
    attrs = form.fields["lowest"].widget.attrs
    assert "inputmode" not in attrs and attrs["maxlength"] == "20"
    assert form.fields["highest"].help_text == ""


def test_a_service_refusal_lands_on_the_form_and_a_success_returns_the_result():
    form = Garden({"name": "Alice"})
    assert form.is_valid()

    def refuse(*, name: str) -> str:
        raise ApplicationError(f"{name} may not do that.")

    assert service_on_form(form, lambda *, name: name.upper(), name="Alice") == "ALICE"
    assert not form.errors
    assert service_on_form(form, refuse, name="Alice") is None
    assert form.non_field_errors() == ["Alice may not do that."]


def test_a_not_found_from_the_service_is_shown_on_the_form_too():
    form = Garden({"name": "Alice"})
    form.is_valid()

    def missing() -> None:
        raise NotFound("No such member.")

    assert service_on_form(form, missing) is None
    assert form.non_field_errors() == ["No such member."]
