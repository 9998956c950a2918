"""The member picker: one field for every form where a coordinator names a member (logging an
exchange for someone, grants, pools, an organisation's staff, a co-design project's people).

`MemberField` accepts what a coordinator can see or copy: a username (any capitals, spaces
around it) or a member's public id, and resolves it within the form's time bank with
`community.permissions.member_get_by_reference` (anyone but those who left). Its widget,
`MemberPickerInput`, is a plain text input that works without JavaScript; when the form's
viewer coordinates the time bank (`member_search_for`), it also names the coordinators' search
(`community:member_search`): `web/member-picker.js` then fills a `<datalist>` as they type,
and without JavaScript a link opens the same search as a page that lists usernames to copy.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coproduce.community.models import Person, TimeBank
from coproduce.community.permissions import is_coordinator, member_get_by_reference


class MemberPickerInput(forms.TextInput):
    """A text input for a username; with `searchable`, a datalist filled as one types and a
    link to the search page for browsers without JavaScript."""

    template_name = "community/widgets/member_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}
            | (attrs or {})
        )
        self.searchable = False

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if self.searchable:
            widget = context["widget"]
            list_id = f"{widget['attrs'].get('id') or name}-members"
            widget["attrs"]["list"] = list_id
            widget["attrs"]["data-member-search"] = reverse("community:member_search")
            widget["list_id"] = list_id
            widget["search_url"] = reverse("community:member_search")
        return context


class MemberField(forms.CharField):
    """A member of the form's time bank, named by username or public id; cleans to the Person.
    The form sets `timebank` before it is validated (`member_search_for` does)."""

    widget = MemberPickerInput
    default_error_messages = {
        "unknown_member": _("No one in this time bank has the username “%(name)s”."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 150)
        kwargs.setdefault("help_text", _("Their username, as shown on their profile."))
        super().__init__(**kwargs)
        self.timebank: TimeBank | None = None

    def clean(self, value: Any) -> Person | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        person = (
            member_get_by_reference(timebank=self.timebank, reference=text)
            if self.timebank is not None
            else None
        )
        if person is None:
            raise forms.ValidationError(
                self.error_messages["unknown_member"],
                code="unknown_member",
                params={"name": text.strip()},
            )
        return person


def member_search_for(
    form: forms.BaseForm, *, timebank: TimeBank, viewer: Person | None = None
) -> None:
    """Give the form's MemberFields their time bank, and turn on the search in every member
    picker of the form when `viewer` coordinates it (None: the page is a coordinator's only,
    already checked). One query when a viewer is given."""
    searchable = viewer is None or is_coordinator(person=viewer, timebank=timebank)
    for field in form.fields.values():
        if isinstance(field, MemberField):
            field.timebank = timebank
        if isinstance(field.widget, MemberPickerInput):
            field.widget.searchable = searchable
