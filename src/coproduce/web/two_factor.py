"""My two-step sign-in (mounted at /two-step/): set it up with an authenticator app (the secret
as text and as a QR code drawn on the server as SVG), confirm it with a first code, see the
recovery codes once, make new ones, or turn it off with a current code. And the coordinator's
small "Security" form that requires it of the time bank's coordinators and admins."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from coproduce.community.permissions import membership_is_coordinator
from coproduce.community.two_factor import (
    app_device_for,
    app_device_start,
    recovery_codes_left,
    recovery_codes_regenerate,
    timebank_two_factor_set,
    two_factor_confirm,
    two_factor_required,
    two_factor_turn_off,
)
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.requests import current_person
from coproduce.core.text import TypedTextFormMixin
from coproduce.core.throttle import SECOND_STEP_PER_PERSON, throttle_record, throttle_refuses
from coproduce.web.sign_in import CodeForm


def _required(request: HttpRequest) -> bool:
    memberships = getattr(request, "memberships", [])
    return two_factor_required(person=current_person(request), memberships=memberships)


def _check_code(request: HttpRequest, form: CodeForm, action: Any) -> Any:
    """Run `action(code)` for a valid form, counting wrong codes against the person's limit;
    the error goes on the form and None comes back."""
    identifier = str(request.user.pk)
    if throttle_refuses(SECOND_STEP_PER_PERSON, identifier):
        form.add_error(
            None,
            _("There have been too many wrong codes. Please wait %(minutes)d minutes.")
            % {"minutes": SECOND_STEP_PER_PERSON.minutes},
        )
        return None
    try:
        return action(form.cleaned_data["code"])
    except ApplicationError as exc:
        if exc.code == "wrong_code":
            throttle_record(SECOND_STEP_PER_PERSON, identifier)
        form.add_error("code", exc.message)
        return None


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    me = current_person(request)
    device = app_device_for(me)
    context = {
        "device": device,
        "codes_left": recovery_codes_left(me) if device else 0,
        "required": _required(request),
        "off_form": CodeForm(prefix="off"),
        "codes_form": CodeForm(prefix="codes"),
    }
    return render(request, "web/two_factor/manage.html", context)


def _qr_svg(config_url: str) -> str:
    # segno draws the code as an SVG path with no script or style, so it works under any
    # Content-Security-Policy and without JavaScript; nothing leaves the server.
    return mark_safe(  # noqa: S308 (segno's own output, no user text in it)
        segno.make(config_url, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff")
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    me = current_person(request)
    if app_device_for(me) is not None:
        return redirect("two_factor:manage")
    device = app_device_start(person=me)
    form = CodeForm(request.POST or None, autofocus=True)
    if request.method == "POST" and form.is_valid():
        confirmed = _check_code(
            request, form, lambda code: two_factor_confirm(person=me, code=code)
        )
        if confirmed is not None:
            app, codes = confirmed
            otp_login(request, app)  # this session has just proved it holds the phone
            return render(
                request, "web/two_factor/codes.html", {"codes": codes, "first_time": True}
            )
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr_svg": _qr_svg(device.config_url),
        "required": _required(request),
    }
    return render(request, "web/two_factor/setup.html", context)


@login_required
@require_POST
def turn_off(request: HttpRequest) -> HttpResponse:
    me = current_person(request)
    form = CodeForm(request.POST, prefix="off")

    def turn_off_with(code: str) -> bool:
        two_factor_turn_off(person=me, code=code)
        return True

    if form.is_valid() and _check_code(request, form, turn_off_with):
        messages.success(request, _("Two-step sign-in is off."))
        return redirect("two_factor:manage")
    device = app_device_for(me)
    context = {
        "device": device,
        "codes_left": recovery_codes_left(me) if device else 0,
        "required": _required(request),
        "off_form": form,
        "codes_form": CodeForm(prefix="codes"),
    }
    return render(request, "web/two_factor/manage.html", context, status=400)


@login_required
@require_POST
def new_codes(request: HttpRequest) -> HttpResponse:
    me = current_person(request)
    form = CodeForm(request.POST, prefix="codes")
    if form.is_valid():
        codes = _check_code(
            request, form, lambda code: recovery_codes_regenerate(person=me, code=code)
        )
        if codes is not None:
            return render(request, "web/two_factor/codes.html", {"codes": codes})
    device = app_device_for(me)
    context = {
        "device": device,
        "codes_left": recovery_codes_left(me) if device else 0,
        "required": _required(request),
        "off_form": CodeForm(prefix="off"),
        "codes_form": form,
    }
    return render(request, "web/two_factor/manage.html", context, status=400)


# --- the coordinator's "Security" section ---------------------------------------------------


class SecurityForm(TypedTextFormMixin, forms.Form):
    require_two_factor = forms.BooleanField(
        label=_lazy(
            "Coordinators, administrators and organisation admins must use two-step sign-in"
        ),
        required=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if not membership_is_coordinator(membership):
        # A member who finds this address sees what a stranger would: nothing here.
        raise NotFound(_("There is no such page."))
    timebank = membership.timebank
    # An unticked box sends nothing, so an empty POST is still a submitted form.
    form = SecurityForm(
        request.POST if request.method == "POST" else None,
        initial={"require_two_factor": timebank.require_two_factor},
    )
    if request.method == "POST" and form.is_valid():
        required = form.cleaned_data["require_two_factor"]
        timebank_two_factor_set(
            timebank=timebank, acting=current_person(request), required=required
        )
        if required:
            messages.success(
                request,
                _(
                    "Two-step sign-in is now required. Anyone it applies to who has not set it "
                    "up will be asked to the next time they open a page."
                ),
            )
        else:
            messages.success(request, _("Two-step sign-in is no longer required."))
        return redirect("coordinator:security")
    return render(request, "web/coordinator/security.html", {"form": form, "timebank": timebank})
