"""The page an invitation's link opens: who invited whom to what, and taking it up, either with
a new login or, for someone signed in, with their own."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from coproduce.community.authentication import PERSON_BACKEND
from coproduce.community.invitations import (
    INVITATION_LIFETIME,
    Newcomer,
    invitation_accept,
    invitation_by_token,
)
from coproduce.core.errors import NotFound
from coproduce.core.forms import Form, service_on_form
from coproduce.core.requests import TIMEBANK_SESSION_KEY
from coproduce.core.throttle import (
    PASSWORD_LINK_PER_ADDRESS,
    client_address,
    throttle_record,
    throttle_refuses,
)


class NewcomerForm(Form):
    first_name = forms.CharField(label=gettext_lazy("Your first name"), max_length=150)
    email = forms.EmailField(
        label=gettext_lazy("Email address (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    username = forms.CharField(
        label=gettext_lazy("Choose a username"),
        max_length=150,
        help_text=gettext_lazy(
            "You will use it to sign in. Letters, numbers and . _ - only, no spaces."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Choose a password"),
        strip=False,
        help_text=gettext_lazy(
            "At least 8 characters. A short sentence you will remember works well."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def _gone(request: HttpRequest, *, status: int = 404) -> HttpResponse:
    # One page for every invitation that does not work (unknown, used, expired, withdrawn).
    context = {"throttled": status == 429, "days": INVITATION_LIFETIME.days}
    return render(request, "community/invitation_gone.html", context, status=status)


@never_cache
@sensitive_post_parameters("password")
def invitation_accept_page(request: HttpRequest, token: str) -> HttpResponse:
    address = client_address(request)
    if throttle_refuses(PASSWORD_LINK_PER_ADDRESS, address):
        return _gone(request, status=429)
    invitation = invitation_by_token(token)
    if invitation is None:
        throttle_record(PASSWORD_LINK_PER_ADDRESS, address)
        return _gone(request)
    signed_in = request.user if request.user.is_authenticated else None
    form = None
    if signed_in is None:
        form = NewcomerForm(
            request.POST or None,
            initial={"first_name": invitation.name, "email": invitation.email},
        )
    if request.method == "POST":
        person = None
        try:
            if signed_in is not None:
                person = invitation_accept(token=token, person=signed_in)
            elif form is not None and form.is_valid():
                data = form.cleaned_data
                person = service_on_form(
                    form,
                    invitation_accept,
                    token=token,
                    newcomer=Newcomer(
                        username=data["username"],
                        password=data["password"],
                        first_name=data["first_name"],
                        email=data["email"] or "",
                    ),
                )
        except NotFound:
            return _gone(request)
        if person is not None:
            if signed_in is None:
                login(request, person, backend=PERSON_BACKEND)
            request.session[TIMEBANK_SESSION_KEY] = invitation.timebank.slug
            messages.success(
                request,
                _("Welcome to %(timebank)s, %(name)s. You are in.")
                % {"timebank": invitation.timebank.name, "name": person.display_name},
            )
            return redirect("web:home")
    context = {"invitation": invitation, "form": form, "signed_in_as": signed_in}
    return render(request, "community/invitation_accept.html", context)
