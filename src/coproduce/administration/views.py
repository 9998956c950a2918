"""The site administrator's pages: the installation's time banks with their size and health, a
form to make a time bank, and each time bank's coordinators with their invitations. Anyone but
a site administrator gets a 404 (someone signed out is asked to sign in first). Nothing here
deletes anything."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coproduce.administration import selectors, services
from coproduce.administration.forms import CoordinatorInviteForm, TimeBankForm
from coproduce.community import contact_reads
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_person

F = TypeVar("F", bound=Callable[..., HttpResponse])


def site_admin_only(view: F) -> F:
    """Signed in (or sent to sign in), then a site administrator (or a 404, whatever the method,
    before any other check): the pages say nothing to anyone else."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        selectors.require_site_admin(current_person(request))
        return view(request, *args, **kwargs)

    return cast(F, login_required(wrapped))


@site_admin_only
def home(request: HttpRequest) -> HttpResponse:
    rows = selectors.timebanks_overview(acting=current_person(request))
    return render(request, "administration/home.html", {"rows": rows})


@never_cache
@site_admin_only
def timebank_new(request: HttpRequest) -> HttpResponse:
    me = current_person(request)
    form = TimeBankForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = service_on_form(
            form,
            services.timebank_create,
            name=data["name"],
            slug=data["slug"],
            coordinator_email=data["coordinator_email"],
            language=data["language"],
            timezone=data["timezone"],
            acting=me,
        )
        if created is not None:
            # The link is shown on this answer only: it is stored hashed and never again.
            context = {"timebank": created.timebank, "invited": created.invited, "new": True}
            return render(request, "administration/invited.html", context)
    return render(request, "administration/timebank_new.html", {"form": form})


@site_admin_only
def timebank(request: HttpRequest, slug: str) -> HttpResponse:
    me = current_person(request)
    bank = selectors.timebank_for_site_admin(acting=me, slug=slug)
    (overview,) = selectors.timebanks_overview(
        acting=me, timebanks=type(bank).objects.filter(pk=bank.pk)
    )
    coordinators = selectors.coordinator_memberships(bank)
    if coordinators:  # the page shows their email addresses: a read that is audited
        contact_reads.members_contacts_listed(
            viewer=me,
            timebank=bank,
            page="site_admin:timebank",
            people=[m.person for m in coordinators],
        )
    context = {
        "timebank": bank,
        "row": overview,
        "coordinators": coordinators,
        "invitations": selectors.coordinator_invitations_pending(bank),
        "form": CoordinatorInviteForm(),
    }
    return render(request, "administration/timebank.html", context)


@never_cache
@site_admin_only
def coordinator_invite(request: HttpRequest, slug: str) -> HttpResponse:
    me = current_person(request)
    bank = selectors.timebank_for_site_admin(acting=me, slug=slug)
    form = CoordinatorInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invited = service_on_form(
            form,
            services.coordinator_invite,
            timebank=bank,
            acting=me,
            email=form.cleaned_data["email"],
            name=form.cleaned_data["name"],
        )
        if invited is not None:
            context = {"timebank": bank, "invited": invited, "new": False}
            return render(request, "administration/invited.html", context)
    return render(request, "administration/invite.html", {"timebank": bank, "form": form})


@never_cache
@site_admin_only
@require_POST
def invitation_resend(request: HttpRequest, public_id: str) -> HttpResponse:
    me = current_person(request)
    invitation = selectors.coordinator_invitation_for_site_admin(acting=me, public_id=public_id)
    invited = services.coordinator_invitation_resend(invitation=invitation, acting=me)
    context = {"timebank": invitation.timebank, "invited": invited, "new": False, "resent": True}
    return render(request, "administration/invited.html", context)


@site_admin_only
@require_POST
def invitation_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    me = current_person(request)
    invitation = selectors.coordinator_invitation_for_site_admin(acting=me, public_id=public_id)
    services.coordinator_invitation_revoke(invitation=invitation, acting=me)
    messages.success(request, _("The invitation is withdrawn: its link no longer works."))
    return redirect("site_admin:timebank", slug=invitation.timebank.slug)
