"""The page where an offer's or request's owner (or a coordinator) adds, changes or takes away
its photo."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coproduce.core.forms import PhotoForm, service_on_form
from coproduce.core.requests import current_person, current_timebank
from coproduce.exchanges.selectors.listings import listing_get_for_change, listing_url
from coproduce.exchanges.services.photos import listing_photo_remove, listing_photo_set


@login_required
def listing_photo(request: HttpRequest, kind: str, public_id: UUID) -> HttpResponse:
    person = current_person(request)
    listing = listing_get_for_change(person, current_timebank(request), kind, public_id)  # type: ignore[arg-type]
    form = PhotoForm(
        request.POST or None, request.FILES or None, initial={"alt": listing.photo_alt}
    )
    if request.method == "POST" and form.is_valid():
        if request.POST.get("do") == "remove":
            listing_photo_remove(listing=listing, acting=person)
            messages.success(request, _("The photo is taken away."))
            return redirect(listing_url(listing))
        if not form.cleaned_data["photo"]:
            form.add_error("photo", _("Choose a picture to upload."))
        elif service_on_form(
            form,
            listing_photo_set,
            listing=listing,
            acting=person,
            upload=form.cleaned_data["photo"],
            alt=form.cleaned_data["alt"],
        ):
            messages.success(request, _("The photo is saved."))
            return redirect(listing_url(listing))
    context = {
        "title": _("A photo for “%(title)s”") % {"title": listing.title},
        "form": form,
        "current": listing.photo,
        "current_alt": listing.photo_alt,
        "back_url": listing_url(listing),
    }
    return render(request, "core/photo_form.html", context)
