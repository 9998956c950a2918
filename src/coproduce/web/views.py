"""The pages every signed-in person starts from: home, and switching time bank."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from coproduce.community.models import Person
from coproduce.community.selectors import timebank_get_for
from coproduce.core.throttle import (
    SIGN_IN_PER_ADDRESS,
    SIGN_IN_PER_USERNAME,
    client_address,
    throttle_forget,
    throttle_record,
    throttle_refuses,
)
from coproduce.exchanges.selectors import (
    community_figures,
    exchanges_for_person,
    offers_recent,
    requests_recent,
)
from coproduce.ledger.models import Account, AccountKind
from coproduce.web.middleware import SESSION_KEY


def _me(request: HttpRequest) -> Person:
    """The signed-in person (for views behind login_required)."""
    return cast(Person, request.user)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    timebank = request.timebank  # type: ignore[attr-defined]
    if timebank is None:
        return render(request, "web/no_timebank.html")
    account = Account.objects.filter(timebank=timebank, person=me, kind=AccountKind.MEMBER).first()
    context = {
        "membership": request.membership,  # type: ignore[attr-defined]
        "account": account,
        "figures": community_figures(timebank=timebank),
        "offers": offers_recent(timebank=timebank),
        "requests": requests_recent(timebank=timebank),
        "my_exchanges": exchanges_for_person(timebank=timebank, person=me, limit=5),
        # The middleware already read them (any status but left), for the switcher.
        "memberships": request.memberships,  # type: ignore[attr-defined]
    }
    return render(request, "web/home.html", context)


@login_required
@require_POST
def timebank_switch(request: HttpRequest) -> HttpResponse:
    timebank = timebank_get_for(_me(request), request.POST.get("timebank", ""))
    request.session[SESSION_KEY] = timebank.slug
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)


class SignInView(auth_views.LoginView):
    """Django's sign-in, with a limit on wrong passwords: after ten for one username (or fifty
    from one address) in 15 minutes, sign-in is refused for a while without checking the
    password (429), so a member's password cannot be guessed by trying. A successful sign-in
    clears the username's count."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def _username(self) -> str:
        return str(self.request.POST.get("username") or "").strip().lower()[:150]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if throttle_refuses(SIGN_IN_PER_USERNAME, self._username()) or throttle_refuses(
            SIGN_IN_PER_ADDRESS, client_address(request)
        ):
            context = self.get_context_data(
                form=AuthenticationForm(request), throttled_minutes=SIGN_IN_PER_USERNAME.minutes
            )
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        throttle_record(SIGN_IN_PER_USERNAME, self._username())
        throttle_record(SIGN_IN_PER_ADDRESS, client_address(self.request))
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        throttle_forget(SIGN_IN_PER_USERNAME, self._username())
        return super().form_valid(form)
