"""Easy read (issue 16): a person's choice of larger text, shorter sentences on the core pages
and a picture beside each kind of help. Pages read it from `request.user` (the signed-in Person,
no query) through `web.context_processors.current_timebank`, as `easy_read`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from coproduce.community.models import Person
from coproduce.core.forms import Form
from coproduce.core.requests import current_person


@transaction.atomic
def person_easy_read_set(*, person: Person, easy_read: bool) -> Person:
    person.easy_read = easy_read
    person.save(update_fields=["easy_read"])
    return person


class EasyReadForm(Form):
    easy_read = forms.TypedChoiceField(
        label=_("Easy read"),
        choices=[("on", _("On")), ("off", _("Off"))],
        coerce=lambda value: value == "on",
    )


@login_required
@require_POST
def easy_read(request: HttpRequest) -> HttpResponse:
    """The switch on the person's profile page: turns easy read on or off, then back there."""
    person = current_person(request)
    form = EasyReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose whether easy read is on or off."))
        return redirect("community:profile_me")
    on: Any = form.cleaned_data["easy_read"]
    person_easy_read_set(person=person, easy_read=bool(on))
    messages.success(
        request,
        gettext("Easy read is on.") if on else gettext("Easy read is off."),
    )
    return redirect("community:profile_me")
