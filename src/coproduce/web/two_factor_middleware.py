"""Keeps a person whose role requires two-step sign-in to the set-up pages until they have it.

Runs after `CurrentTimeBankMiddleware`, whose memberships it reads, so for nearly everyone (no
time bank of theirs requires it) it costs no query. A person who must use it and has it set up
but whose session never gave a code (one signed in before it was set up, or before it was
required) is signed out and asked to sign in again, with the code this time.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from coproduce.community.two_factor import two_factor_enabled, two_factor_required

# Reachable whatever: health checks, static files, the API (token auth, no session).
ALWAYS_OPEN = ("/healthz", "/static/", "/api/", "/manifest.webmanifest")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(ALWAYS_OPEN)
            and two_factor_required(person=user, memberships=request.memberships)  # type: ignore[attr-defined]
        ):
            if two_factor_enabled(user):
                logout(request)
                login = reverse("web:login")
                return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            open_paths = (reverse("two_factor:manage"), reverse("web:logout"))
            if not request.path.startswith(open_paths):
                return redirect("two_factor:setup")
        return self.get_response(request)
