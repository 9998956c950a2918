"""Pages about a member's privacy: their choices of who sees their phone, email and area, the
download of their data, erasing themselves, and a coordinator erasing a member. Thin: each
calls one service and maps its error onto the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.community import selectors
from coproduce.community.forms import EraseForm, MemberEraseForm, PrivacyForm
from coproduce.community.services import VISIBILITY_FIELDS, contact_visibility_set
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_membership, current_person, current_timebank
from coproduce.privacy.download import person_data_download
from coproduce.privacy.erasure import has_membership_elsewhere, member_erase, person_erase


@login_required
def privacy_settings(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    form = None
    if membership is not None:
        initial = {name: getattr(membership, name) for name in VISIBILITY_FIELDS}
        form = PrivacyForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            service_on_form(
                form,
                contact_visibility_set,
                membership=membership,
                acting=current_person(request),
                **form.cleaned_data,
            )
            if not form.errors:
                messages.success(request, _("Your privacy choices are saved."))
                return redirect("privacy:settings")
    return render(request, "privacy/settings.html", {"form": form, "membership": membership})


@login_required
@require_POST
def data_download(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    body = person_data_download(person=person)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"coproduce-my-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def erase_me(request: HttpRequest) -> HttpResponse:
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service_on_form(
            form,
            person_erase,
            person=current_person(request),
            password=form.cleaned_data["password"],
        )
        if not form.errors:
            logout(request)
            return redirect("privacy:erased")
    return render(request, "privacy/erase.html", {"form": form})


def erased(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/erased.html")


@login_required
def member_erase_page(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = current_timebank(request)
    membership = selectors.member_get_for(current_person(request), timebank, public_id)
    form = MemberEraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        erasure = service_on_form(
            form,
            member_erase,
            membership=membership,
            acting=current_person(request),
            reason=form.cleaned_data["reason"],
        )
        if erasure is not None:
            messages.success(
                request,
                _("The member is erased.")
                if erasure.whole_person
                else _("Their membership of this time bank is erased."),
            )
            return redirect("members:list")
    context = {
        "membership": membership,
        "form": form,
        "elsewhere": has_membership_elsewhere(membership.person, timebank),
    }
    return render(request, "privacy/member_erase.html", context)
