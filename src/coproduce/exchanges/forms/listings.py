"""Forms for offers and requests: finding them, and posting or changing one."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.community.availability import DAYS, slot_choices
from coproduce.community.models import TimeBank
from coproduce.community.settings import category_choices, category_label
from coproduce.core.categories import Category
from coproduce.core.text import TypedTextFormMixin


def kinds_of_help(form: forms.Form, timebank: TimeBank | None, *, blank: str = "") -> None:
    """Offer the kinds of help the time bank uses (its settings), keeping a listing's own kind
    when it has since been turned off."""
    field = cast(forms.ChoiceField, form.fields["category"])
    choices = category_choices(timebank)
    kept = form.initial.get("category")
    if kept and kept not in dict(choices):
        choices.append((kept, category_label(timebank, kept)))
    field.choices = [("", blank), *choices] if blank else choices


class ListingFilterForm(TypedTextFormMixin, forms.Form):
    """The search box and filters above the list. Every field may be left empty."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("A word or two, such as “garden” or “shopping”."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.ChoiceField(
        label=_("Kind of help"),
        required=False,
        choices=[("", _("Any kind of help")), *Category.choices],
    )
    area = forms.ChoiceField(label=_("Area"), required=False)
    day = forms.ChoiceField(label=_("Day"), required=False, choices=[("", _("Any day")), *DAYS])

    def __init__(
        self, *args: Any, areas: list[str], timebank: TimeBank | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kinds_of_help(self, timebank, blank=str(_("Any kind of help")))
        self.set_areas(areas)

    def set_areas(self, areas: list[str]) -> None:
        """The area filter's choices; the form is checked again on the next `is_valid()`."""
        area = cast(forms.ChoiceField, self.fields["area"])
        area.choices = [("", _("Anywhere")), *((a, a) for a in areas)]
        self._errors = None  # type: ignore[assignment]


class ListingForm(TypedTextFormMixin, forms.Form):
    """Posting or changing an offer or a request."""

    title = forms.CharField(
        label=_("What help, in a few words"),
        max_length=140,
        help_text=_("For example “Help with weeding” or “A lift to the surgery”."),
    )
    category = forms.ChoiceField(
        label=_("Kind of help"), choices=[("", _("Choose one")), *Category.choices]
    )
    description = forms.CharField(
        label=_("More about it"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=200,
        help_text=_("Words that help people find it, separated by commas."),
    )
    area = forms.CharField(
        label=_("Area"),
        required=False,
        max_length=80,
        help_text=_("Left empty, the member's own area is used."),
    )
    availability = forms.MultipleChoiceField(
        label=_("When"),
        required=False,
        choices=slot_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the times that suit. Tick none for any time."),
    )

    def __init__(self, *args: Any, timebank: TimeBank | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds_of_help(self, timebank, blank=str(_("Choose one")))


class ListingCreateForm(ListingForm):
    """Adds, on a coordinator's form only, the member the listing is posted for."""

    field_order = ["for_member"]

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["for_member"] = forms.ModelChoiceField(
                label=_("Post it for"),
                queryset=members,
                required=False,
                empty_label=_("Myself"),
                to_field_name="public_id",
                help_text=_("A member who is not online: they will be told about it."),
            )
            self.order_fields(self.field_order)
