"""Getting past a paused sign-in, and the second step of signing in.

The unlock link: when wrong passwords from everywhere have paused a username (`core.throttle`),
its owner asks for a link by email. Opening it gives that browser a signed cookie, bound to the
username and good for an hour, with which the shared limits no longer refuse that username
(the browser gets its own small allowance instead). It is spent by the first sign-in it lets
through. The form answers the same whether or not the username exists or has an email address.

The second step: after the right password, a person with two-step sign-in is not signed in yet;
the session remembers who they are for ten minutes while they type the code from their app or
a recovery code.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from coproduce.community.authentication import PERSON_BACKEND
from coproduce.community.models import Person
from coproduce.community.two_factor import second_step_verify
from coproduce.core.audit import audit_record
from coproduce.core.mail import mail_language, mail_send
from coproduce.core.text import TypedTextFormMixin
from coproduce.core.throttle import (
    SECOND_STEP_PER_PERSON,
    UNLOCK_LINK_PER_ADDRESS,
    UNLOCK_LINK_PER_USERNAME,
    Limit,
    client_address,
    throttle_record,
    throttle_refuses,
)

UNLOCK_COOKIE = "coproduce_unlock"
UNLOCK_SALT = "coproduce.sign-in-unlock"
UNLOCK_AGE = 60 * 60  # seconds a link (and the cookie it gives) works
# A spent link's nonce is kept as an Attempt row (a keyed hash only), pruned after a day like the
# others: longer than a link lives, so a spent link can never come back.
UNLOCK_SPENT = Limit("unlock-link-spent", 1, timedelta(days=1))

PENDING_KEY = "two_factor_pending"
PENDING_AGE = 10 * 60  # seconds between the password and the code


def normalise_username(value: object) -> str:
    return str(value or "").strip().lower()[:150]


# --- the unlock link ---------------------------------------------------------------------------


class UnlockRequestForm(TypedTextFormMixin, forms.Form):
    username = forms.CharField(
        label=_lazy("Username"),
        max_length=150,
        error_messages={"required": _lazy("Give the username you sign in with.")},
    )


def _read_unlock(token: str) -> dict[str, str] | None:
    """The username and nonce in a link or cookie that is genuine, unexpired and unspent."""
    try:
        data = signing.loads(token, salt=UNLOCK_SALT, max_age=UNLOCK_AGE)
    except signing.BadSignature:  # also an expired one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str):
        return None
    nonce = data.get("n")
    if not isinstance(nonce, str) or throttle_refuses(UNLOCK_SPENT, nonce):
        return None
    return {"username": data["u"], "nonce": nonce}


def unlock_for(request: HttpRequest, username: str) -> str | None:
    """The nonce of this browser's unlock cookie when it is valid for `username`, else None."""
    token = request.COOKIES.get(UNLOCK_COOKIE)
    if not token or not username:
        return None
    unlock = _read_unlock(token)
    if unlock is None or unlock["username"] != username:
        return None
    return unlock["nonce"]


@transaction.atomic
def unlock_spend(*, nonce: str, person: Person) -> None:
    """The link let its owner in: it cannot be used again."""
    throttle_record(UNLOCK_SPENT, nonce)
    audit_record(
        action="person.sign_in_unlocked", actor=person, target=f"person:{person.public_id}"
    )


@transaction.atomic
def unlock_link_send(*, username: str, address: str | None) -> None:
    """Email an unlock link to the username's address on file, if there is one; quietly nothing
    otherwise, or when links have been asked for too often."""
    if throttle_refuses(UNLOCK_LINK_PER_USERNAME, username) or throttle_refuses(
        UNLOCK_LINK_PER_ADDRESS, address
    ):
        return
    throttle_record(UNLOCK_LINK_PER_USERNAME, username)
    throttle_record(UNLOCK_LINK_PER_ADDRESS, address)
    person = Person.objects.filter(username__iexact=username, is_active=True).order_by("pk").first()
    if person is None or not person.email:
        return
    token = signing.dumps(
        {"u": username, "n": secrets.token_urlsafe(16)}, salt=UNLOCK_SALT, compress=True
    )
    link = settings.SITE_URL + reverse("web:sign_in_unlock", args=[token])
    audit_record(action="person.unlock_link_sent", actor=None, target=f"person:{person.public_id}")
    language = mail_language(person)
    with translation.override(language):
        mail_send(
            to=person.email,
            subject=_("A link to sign in"),
            template="core/email/message",
            context={
                "text": _(
                    "Someone, we hope you, asked for a link to sign in as %(username)s. Signing "
                    "in has been paused because of many wrong passwords, perhaps someone else's "
                    "guesses.\n\nOpen this link in the browser you sign in with, within an hour, "
                    "then sign in with your password as usual:"
                )
                % {"username": person.username},
                "link": link,
                "after": _(
                    "If it was not you, you can ignore this email: your password has not been "
                    "changed. If these emails keep coming, please tell your coordinator."
                ),
            },
            language=language,
            kind="sign_in_unlock",
            person=person,
            # The form answers as fast whoever is asked about: the mail server is not waited for.
            background=True,
        )


@require_http_methods(["GET", "POST"])
def unlock_request(request: HttpRequest) -> HttpResponse:
    """ "Can't sign in? Email me a link": the same answer whoever is asked about."""
    form = UnlockRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unlock_link_send(
            username=normalise_username(form.cleaned_data["username"]),
            address=client_address(request),
        )
        return render(request, "web/sign_in_unlock_sent.html")
    return render(request, "web/sign_in_unlock_request.html", {"form": form})


def unlock_open(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the email: give this browser the cookie, then send it to sign in."""
    unlock = _read_unlock(token)
    if unlock is None:
        return render(request, "web/sign_in_unlock_invalid.html", status=400)
    response = render(request, "web/sign_in_unlock_open.html", {"username": unlock["username"]})
    response.set_cookie(
        UNLOCK_COOKIE,
        token,
        max_age=UNLOCK_AGE,
        path=reverse("web:login"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


# --- the second step ---------------------------------------------------------------------------


def second_step_begin(request: HttpRequest, *, person: Person, next_url: str) -> HttpResponse:
    """The password was right and the person has two-step sign-in: ask for the code."""
    request.session[PENDING_KEY] = {
        "person": str(person.pk),
        "backend": getattr(person, "backend", PERSON_BACKEND),
        "at": time.time(),
        "next": next_url,
    }
    return redirect("web:sign_in_code")


def _pending(request: HttpRequest) -> tuple[Person, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_AGE:
        return None
    person_id = pending.get("person")
    if not isinstance(person_id, str) or not person_id.isdigit():
        return None
    person = Person.objects.filter(pk=int(person_id), is_active=True).first()
    return (person, pending) if person is not None else None


class CodeForm(TypedTextFormMixin, forms.Form):
    code = forms.CharField(
        label=_lazy("Code"),
        max_length=32,
        help_text=_lazy("The six digits your app shows now, or one of your recovery codes."),
        error_messages={"required": _lazy("Type the code from your app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )

    def __init__(self, *args: Any, autofocus: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if autofocus:  # only where it is the page's one form
            self.fields["code"].widget.attrs["autofocus"] = True


@require_http_methods(["GET", "POST"])
def second_step(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("web:login")
    person, pending = found
    form = CodeForm(request.POST or None, autofocus=True)
    context: dict[str, Any] = {"form": form}
    if request.method != "POST":
        return render(request, "web/sign_in_code.html", context)
    identifier = str(person.pk)
    if throttle_refuses(SECOND_STEP_PER_PERSON, identifier):
        context["throttled_minutes"] = SECOND_STEP_PER_PERSON.minutes
        return render(request, "web/sign_in_code.html", context, status=429)
    if form.is_valid():
        device = second_step_verify(person=person, code=form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING_KEY]
            login(request, person, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)
        throttle_record(SECOND_STEP_PER_PERSON, identifier)
        form.add_error("code", _("That code did not match. Try the newest code from your app."))
    return render(request, "web/sign_in_code.html", context)
