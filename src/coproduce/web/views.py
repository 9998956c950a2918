"""The pages every signed-in person starts from: home, and switching time bank."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from coproduce.community.selectors import timebank_get_for
from coproduce.exchanges.selectors import (
    community_figures,
    exchanges_for_person,
    offers_recent,
    requests_recent,
)
from coproduce.ledger.models import Account, AccountKind
from coproduce.web.middleware import SESSION_KEY


@login_required
def home(request: HttpRequest) -> HttpResponse:
    timebank = request.timebank  # type: ignore[attr-defined]
    if timebank is None:
        return render(request, "web/no_timebank.html")
    account = Account.objects.filter(
        timebank=timebank, person=request.user, kind=AccountKind.MEMBER
    ).first()
    context = {
        "membership": request.membership,  # type: ignore[attr-defined]
        "account": account,
        "figures": community_figures(timebank=timebank),
        "offers": offers_recent(timebank=timebank),
        "requests": requests_recent(timebank=timebank),
        "my_exchanges": exchanges_for_person(timebank=timebank, person=request.user, limit=5),
        # The middleware already read them (any status but left), for the switcher.
        "memberships": request.memberships,  # type: ignore[attr-defined]
    }
    return render(request, "web/home.html", context)


@login_required
@require_POST
def timebank_switch(request: HttpRequest) -> HttpResponse:
    timebank = timebank_get_for(request.user, request.POST.get("timebank", ""))
    request.session[SESSION_KEY] = timebank.slug
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)
