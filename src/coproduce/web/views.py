"""The pages every signed-in person starts from: home, and switching time bank."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from coproduce.community.models import Person
from coproduce.community.selectors import installation_is_empty, timebank_get_for
from coproduce.community.two_factor import two_factor_enabled
from coproduce.community.views import first_run
from coproduce.core.kept_query import KeptQuery
from coproduce.core.requests import current_person
from coproduce.core.throttle import (
    SIGN_IN_PER_ADDRESS,
    SIGN_IN_PER_PAIR,
    SIGN_IN_PER_UNLOCK,
    SIGN_IN_PER_USERNAME,
    client_address,
    pair,
    throttle_forget,
    throttle_record,
    throttle_refuses,
)
from coproduce.exchanges.selectors.exchanges import (
    community_figures,
    exchanges_recent_for_person,
)
from coproduce.exchanges.selectors.listings import offers_recent, requests_recent
from coproduce.ledger.models import Account, AccountKind
from coproduce.web.middleware import SESSION_KEY
from coproduce.web.sign_in import (
    UNLOCK_COOKIE,
    UnlockRequestForm,
    normalise_username,
    second_step_begin,
    unlock_for,
    unlock_spend,
)

# The person's own member account, as `.first()` read it, with its SQL kept (`core.kept_query`).
_member_account: KeptQuery[Account] = KeptQuery(
    Account,
    lambda timebank_id, person_id: Account.objects.filter(
        timebank_id=timebank_id, person_id=person_id, kind=AccountKind.MEMBER
    ).order_by("pk")[:1],
    ids=("timebank_id", "person_id"),
)


def home(request: HttpRequest) -> HttpResponse:
    # An installation with no time bank shows how to make one, to everyone. Someone working in
    # a time bank proves there is one, so only the others cost the question.
    if request.timebank is None and installation_is_empty():  # type: ignore[attr-defined]
        return first_run(request)
    return _home(request)


@login_required
def _home(request: HttpRequest) -> HttpResponse:
    me = current_person(request)
    timebank = request.timebank  # type: ignore[attr-defined]
    if timebank is None:
        return render(request, "web/no_timebank.html")
    accounts = _member_account(timebank_id=timebank.pk, person_id=me.pk)
    account = accounts[0] if accounts else None
    context = {
        "membership": request.membership,  # type: ignore[attr-defined]
        "account": account,
        # The bank's headline figures for the last 30 days move slowly: counted at most every
        # two minutes per web process (docs/DESIGN.md, "home page").
        "figures": cache.get_or_set(
            f"home:figures:{timebank.pk}", lambda: community_figures(timebank=timebank), 120
        ),
        "offers": offers_recent(timebank=timebank),
        "requests": requests_recent(timebank=timebank),
        # Titles, states and who takes part: not the person's part in each (no subqueries).
        "my_exchanges": exchanges_recent_for_person(timebank=timebank, person=me, limit=5),
        # The middleware already read them (any status but left), for the switcher.
        "memberships": request.memberships,  # type: ignore[attr-defined]
    }
    return render(request, "web/home.html", context)


@login_required
@require_POST
def timebank_switch(request: HttpRequest) -> HttpResponse:
    timebank = timebank_get_for(current_person(request), request.POST.get("timebank", ""))
    request.session[SESSION_KEY] = timebank.slug
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)


class SignInView(auth_views.LoginView):
    """Django's sign-in, with limits on wrong passwords (`core.throttle`): ten for one username
    from one address, fifty from one address, or a hundred for one username from anywhere, in
    15 minutes, pause signing in without checking the password (429). A browser holding an
    unlock link's cookie for the username is not held by the shared limits (`web.sign_in`). A
    successful sign-in clears that username and address's count; a person with two-step sign-in
    is then asked for their code before they are signed in."""

    template_name = "web/login.html"
    redirect_authenticated_user = True
    unlock: str | None = None  # the nonce of this browser's unlock link, when it has one

    def _username(self) -> str:
        return normalise_username(self.request.POST.get("username"))

    def _refused(self, username: str, address: str | None) -> bool:
        self.unlock = unlock_for(self.request, username)
        if self.unlock is not None:
            return throttle_refuses(SIGN_IN_PER_UNLOCK, self.unlock)
        return (
            throttle_refuses(SIGN_IN_PER_PAIR, pair(username, address))
            or throttle_refuses(SIGN_IN_PER_USERNAME, username)
            or throttle_refuses(SIGN_IN_PER_ADDRESS, address)
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = self._username()
        if self._refused(username, client_address(request)):
            context = self.get_context_data(
                form=AuthenticationForm(request),
                throttled_minutes=SIGN_IN_PER_PAIR.minutes,
                unlock_form=UnlockRequestForm(initial={"username": username}),
            )
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username, address = self._username(), client_address(self.request)
        throttle_record(SIGN_IN_PER_PAIR, pair(username, address))
        throttle_record(SIGN_IN_PER_USERNAME, username)
        throttle_record(SIGN_IN_PER_ADDRESS, address)
        if self.unlock is not None:
            throttle_record(SIGN_IN_PER_UNLOCK, self.unlock)
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        throttle_forget(SIGN_IN_PER_PAIR, pair(self._username(), client_address(self.request)))
        person = cast(Person, form.get_user())
        if self.unlock is not None:
            unlock_spend(nonce=self.unlock, person=person)
        if two_factor_enabled(person):
            response = second_step_begin(
                self.request, person=person, next_url=self.get_success_url()
            )
        else:
            response = super().form_valid(form)
        if self.unlock is not None:
            response.delete_cookie(UNLOCK_COOKIE, path=reverse("web:login"))
        return response
