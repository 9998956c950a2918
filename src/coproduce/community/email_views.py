"""Pages for the links in emails (community.emails): confirming an address, confirming a new
address, the one-click unsubscribe, and "Forgot your password?".

A link opened (GET) shows a page with one button; only the POST changes anything, so a mail
scanner that opens every link confirms or unsubscribes nothing. The unsubscribe URL also takes
the POST a mail program sends by itself (RFC 8058 "List-Unsubscribe=One-Click"), which carries
no CSRF token: it is exempt, and safe because the signed link is the authority. None of these
pages needs signing in.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from coproduce.community import emails
from coproduce.community.authentication import PERSON_BACKEND
from coproduce.community.models import Person
from coproduce.community.two_factor import two_factor_enabled
from coproduce.core.errors import NotFound
from coproduce.core.forms import Form
from coproduce.core.requests import current_person
from coproduce.core.throttle import client_address


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "community/email_link_gone.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def email_verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = emails.email_verification_read(token)
        if request.method == "POST":
            emails.email_verify(token=token)
            return render(request, "community/email_done.html", {"what": "verified"})
    except NotFound:
        return _gone(request)
    context = {"what": "verify", "address": data.get("e", "")}
    return render(request, "community/email_confirm.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = emails.email_change_read(token)
        if request.method == "POST":
            emails.email_change_confirm(token=token)
            return render(request, "community/email_done.html", {"what": "changed"})
    except NotFound:
        return _gone(request)
    context = {"what": "change", "address": data.get("n", "")}
    return render(request, "community/email_confirm.html", context)


@login_required
@require_POST
def email_verify_resend(request: HttpRequest) -> HttpResponse:
    """From the profile: send the confirmation link again."""
    person = current_person(request)
    if person.email and person.email_verified_at is None:
        emails.email_verification_send(person=person, timebank=request.timebank)  # type: ignore[attr-defined]
        messages.success(
            request,
            _("We have sent a link to %(email)s. Open it to confirm your address.")
            % {"email": person.email},
        )
    return redirect("community:profile_me")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = emails.unsubscribe_read(token)
        if request.method == "POST":
            emails.email_unsubscribe(token=token)
            return render(request, "community/email_done.html", {"what": data["k"]})
    except NotFound:
        return _gone(request)
    return render(request, "community/email_unsubscribe.html", {"kind": data["k"]})


# --- password reset ----------------------------------------------------------------------------


class PasswordForgotForm(Form):
    email = forms.EmailField(
        label=_lazy("Your email address"),
        max_length=254,
        help_text=_lazy("The address on your profile."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    """The same answer whether or not the address belongs to anyone (community.emails)."""
    form = PasswordForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        emails.password_reset_request(
            email=form.cleaned_data["email"], address=client_address(request)
        )
        return render(request, "community/password_forgot_sent.html")
    return render(request, "community/password_forgot.html", {"form": form})


def _reset_person(uidb64: str, token: str) -> Person | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    person = Person.objects.filter(pk=pk, is_active=True, erased_at__isnull=True).first()
    if person is None or not default_token_generator.check_token(person, token):
        return None
    return person


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    person = _reset_person(uidb64, token)
    if person is None:
        return render(request, "community/email_link_gone.html", {"reset": True}, status=404)
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = emails.password_reset_complete(
            person=person, password=form.cleaned_data["new_password1"]
        )
        if two_factor_enabled(person):
            # The password alone never signs in someone with two-step sign-in.
            messages.success(request, _("Your password is set. Sign in with it and your code."))
            return redirect("web:login")
        login(request, person, backend=PERSON_BACKEND)
        messages.success(request, _("Your password is set, and you are signed in."))
        return redirect("web:home")
    return render(request, "community/password_reset.html", {"form": form, "person": person})
