"""The coordinator's invitations, under /coordinator/invitations/: invite another coordinator, a
member already met (who starts active) or an organisation's first admin, by email or with a
letter to print; see who is still to accept (who invited them, to what, until when); make a new
link or withdraw one; and the latest accepted, withdrawn and expired ones, briefly.

Only the time bank's coordinators see these pages; anyone else is told there is no such page (a
404), as on the dashboard. A one-time link is shown once, on the page answering the POST that
made it (never in a URL, never cached).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coproduce.community import invitations as invitation_services
from coproduce.community.invitations import invitation_get_for, invitation_url, invitations_pending
from coproduce.community.models import Invitation, Organisation, TimeBank
from coproduce.community.permissions import is_coordinator
from coproduce.coordination.invitation_forms import InvitationForm
from coproduce.coordination.invitation_selectors import invitations_settled
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_person, current_timebank


def _coordinated(request: HttpRequest) -> TimeBank:
    """The current time bank, for its coordinators; a 404 for anyone else."""
    timebank = current_timebank(request)
    if not is_coordinator(person=current_person(request), timebank=timebank):
        raise NotFound(_("There is no such page."))
    return timebank


def _made(request: HttpRequest, invitation: Invitation, token: str) -> HttpResponse:
    """The page that shows a new link once, with its letter to print."""
    context = {
        "invitation": invitation,
        "url": invitation_url(token),
        "inviter": current_person(request),
        "back_url": reverse("coordinator:invitations"),
        "back_label": _("Back to the invitations"),
    }
    return render(request, "community/invitation_made.html", context)


@login_required
def invitations(request: HttpRequest) -> HttpResponse:
    timebank = _coordinated(request)
    pending = invitations_pending(timebank=timebank, acting=current_person(request))
    context = {
        "pending": list(pending),
        "settled": list(invitations_settled(timebank=timebank)),
    }
    return render(request, "coordination/invitations.html", context)


@login_required
@never_cache
def invitation_new(request: HttpRequest) -> HttpResponse:
    timebank = _coordinated(request)
    organisations = list(Organisation.objects.filter(timebank=timebank).order_by("name", "pk"))
    initial = {}
    if request.GET.get("kind") in {"coordinator", "member", "organisation_admin"}:
        initial["kind"] = request.GET["kind"]
    if request.GET.get("organisation"):
        initial["organisation"] = request.GET["organisation"]
    form = InvitationForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = service_on_form(
            form,
            invitation_services.invitation_create,
            timebank=timebank,
            kind=data["kind"],
            acting=current_person(request),
            email=data["email"],
            name=data["name"],
            organisation=data["organisation"],
            may_refer=data["may_refer"],
        )
        if made is not None:
            return _made(request, *made)
    return render(
        request,
        "coordination/invitation_new.html",
        {"form": form, "has_organisations": bool(organisations)},
    )


def _invitation(request: HttpRequest, public_id: str) -> Invitation:
    timebank = _coordinated(request)
    invitation = invitation_get_for(public_id=public_id, acting=current_person(request))
    if invitation.timebank_id != timebank.pk:
        raise NotFound(_("There is no such invitation."))
    return invitation


@login_required
@never_cache
@require_POST
def invitation_resend(request: HttpRequest, public_id: str) -> HttpResponse:
    invitation = _invitation(request, public_id)
    try:
        invitation, token = invitation_services.invitation_resend(
            invitation=invitation, acting=current_person(request)
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("coordinator:invitations")
    return _made(request, invitation, token)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    invitation = _invitation(request, public_id)
    try:
        invitation_services.invitation_revoke(invitation=invitation, acting=current_person(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation is withdrawn: its link no longer works."))
    return redirect("coordinator:invitations")
