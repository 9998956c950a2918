"""The rule for text a person may type (coproduce.core.text), and that every form follows it."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms

import coproduce
from coproduce.core.text import TypedTextFormMixin, bad_character, text_argument, text_problem


@pytest.mark.parametrize(
    "value",
    [
        "Alice Ahmed",
        "Siân Øvergård",
        "日本語のテキスト",
        "Zoë\u2019s café \u2014 10% off!",
        "😀",
        "",
    ],
)
def test_every_letter_and_symbol_a_person_types_is_welcome(value):
    assert text_problem(value) is None
    assert text_problem(value, multiline=True) is None


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x1b", "\x7f", "\x85", "\x9f"])
def test_control_characters_are_refused_saying_which(char):
    problem = text_problem(f"a{char}b")

    assert problem is not None
    assert f"U+{ord(char):04X}" in problem
    assert text_problem(f"a{char}b", multiline=True) is not None


def test_tab_and_line_breaks_are_refused_in_one_line_but_allowed_in_many():
    for char in "\t\n\r":
        assert "single line" in text_problem(f"a{char}b")
        assert text_problem(f"a{char}b", multiline=True) is None


def test_half_a_surrogate_pair_is_refused():
    assert "U+D800" in text_problem("a\ud800")
    assert bad_character("ok\udcff", multiline=True) == "\udcff"


def test_a_command_line_value_with_a_control_character_is_a_usage_error():
    import argparse

    assert text_argument("riverside") == "riverside"
    with pytest.raises(argparse.ArgumentTypeError, match="U\\+0001"):
        text_argument("river\x01side")


class _Sample(TypedTextFormMixin, forms.Form):
    title = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea, required=False)
    day = forms.DateField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A")], required=False)
    tags = forms.MultipleChoiceField(choices=[("x", "X")], required=False)


def test_a_form_refuses_a_control_character_in_any_field_before_reading_it():
    form = _Sample(
        {
            "title": "Tea\x01",
            "notes": "ok",
            "day": "2025-01-01\x00",
            "kind": "a\x00",
            "tags": ["x\x00"],
        }
    )

    assert not form.is_valid()
    assert set(form.errors) == {"title", "day", "kind", "tags"}
    assert "U+0001" in form.errors["title"][0]


def test_a_textarea_keeps_its_line_breaks_and_a_line_keeps_none():
    form = _Sample({"title": "Tea", "notes": "Line one\r\n\tLine two"})
    assert form.is_valid(), form.errors
    assert _Sample({"title": "Tea\nfor two"}).errors["title"]


def test_a_field_added_in_a_forms_own_init_is_guarded_too():
    class Later(_Sample):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["extra"] = forms.CharField(required=False)

    form = Later({"title": "Tea", "extra": "x\x00"})
    assert not form.is_valid()
    assert "extra" in form.errors


def _all_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(coproduce.__path__, "coproduce."):
        if ".migrations" in module.name or module.name.endswith(("wsgi", "asgi")):
            continue
        importlib.import_module(module.name)
    found, stack = [], [forms.BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("coproduce."):
                found.append(sub)
    return found


def test_every_form_in_coproduce_follows_the_text_rule():
    found = _all_forms()

    assert len(found) > 40
    outside = [
        f"{f.__module__}.{f.__qualname__}" for f in found if not issubclass(f, TypedTextFormMixin)
    ]
    assert outside == []
