"""The page where a member adds, changes or takes away their profile photo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from coproduce.community.photos import person_photo_remove, person_photo_set
from coproduce.core.forms import PhotoForm, service_on_form
from coproduce.core.requests import current_person


@login_required
def profile_photo(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    form = PhotoForm(request.POST or None, request.FILES or None, initial={"alt": person.photo_alt})
    if request.method == "POST" and form.is_valid():
        if request.POST.get("do") == "remove":
            person_photo_remove(person=person, acting=person)
            messages.success(request, _("Your photo is taken away."))
            return redirect("community:profile_me")
        if not form.cleaned_data["photo"]:
            form.add_error("photo", _("Choose a picture to upload."))
        elif service_on_form(
            form,
            person_photo_set,
            person=person,
            acting=person,
            upload=form.cleaned_data["photo"],
            alt=form.cleaned_data["alt"],
        ):
            messages.success(request, _("Your photo is saved."))
            return redirect("community:profile_me")
    context = {
        "title": _("Your photo"),
        "form": form,
        "current": person.photo,
        "current_alt": person.photo_alt,
        "back_url": reverse("community:profile_me"),
    }
    return render(request, "core/photo_form.html", context)
