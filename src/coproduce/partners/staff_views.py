"""Pages with which an organisation's admin (or a coordinator of the time bank) manages its staff:
inviting someone by email or with a printed letter, resending or withdrawing an invitation,
saying whether each of the staff may refer, and removing someone.

Anyone else gets a 404 (`selectors.organisation_staff_manage_get_for`). The one-time link of an
invitation is shown once, on the page answering the POST that made it (never in a URL, never
cached), with a letter to print for someone without email.
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

from coproduce.community.invitations import (
    invitation_create,
    invitation_get_for,
    invitation_resend,
    invitation_revoke,
    invitation_url,
)
from coproduce.community.models import Invitation, Organisation
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_person, current_timebank
from coproduce.partners import forms, selectors
from coproduce.partners.services import organisations as organisation_services


def _managed(request: HttpRequest, public_id: str) -> tuple[Organisation, bool]:
    """The organisation, for its admin or a coordinator; and whether the asker coordinates."""
    return selectors.organisation_staff_manage_get_for(
        current_person(request), current_timebank(request), public_id
    )


def _invitation_made(
    request: HttpRequest, organisation: Organisation, invitation: Invitation, token: str
) -> HttpResponse:
    """The page that shows a new link once, with its letter to print."""
    back = reverse("partners:organisation", kwargs={"public_id": organisation.public_id})
    context = {
        "invitation": invitation,
        "url": invitation_url(token),
        "inviter": current_person(request),
        "back_url": back,
        "back_label": _("Back to %(name)s") % {"name": organisation.name},
    }
    return render(request, "community/invitation_made.html", context)


@login_required
@never_cache
def organisation_invite(request: HttpRequest, public_id: str) -> HttpResponse:
    organisation, coordinates = _managed(request, public_id)
    form = forms.StaffInviteForm(request.POST or None, may_invite_admin=coordinates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = service_on_form(
            form,
            invitation_create,
            timebank=current_timebank(request),
            kind=data["role"],
            acting=current_person(request),
            email=data["email"],
            name=data["name"],
            organisation=organisation,
            may_refer=data["may_refer"],
        )
        if made is not None:
            invitation, token = made
            return _invitation_made(request, organisation, invitation, token)
    return render(
        request, "partners/organisation_invite.html", {"organisation": organisation, "form": form}
    )


def _organisation_invitation(
    request: HttpRequest, public_id: str, invitation_id: str
) -> tuple[Organisation, Invitation]:
    organisation, _coordinates = _managed(request, public_id)
    invitation = invitation_get_for(public_id=invitation_id, acting=current_person(request))
    if invitation.organisation_id != organisation.pk:
        raise NotFound(_("There is no such invitation."))
    return organisation, invitation


@login_required
@never_cache
@require_POST
def organisation_invitation_resend(
    request: HttpRequest, public_id: str, invitation_id: str
) -> HttpResponse:
    organisation, invitation = _organisation_invitation(request, public_id, invitation_id)
    try:
        invitation, token = invitation_resend(invitation=invitation, acting=current_person(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("partners:organisation", public_id=organisation.public_id)
    return _invitation_made(request, organisation, invitation, token)


@login_required
@require_POST
def organisation_invitation_revoke(
    request: HttpRequest, public_id: str, invitation_id: str
) -> HttpResponse:
    organisation, invitation = _organisation_invitation(request, public_id, invitation_id)
    try:
        invitation_revoke(invitation=invitation, acting=current_person(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation is withdrawn: its link no longer works."))
    return redirect("partners:organisation", public_id=organisation.public_id)


@login_required
@require_POST
def organisation_staff_refer(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    organisation, _coordinates = _managed(request, public_id)
    staff = selectors.organisation_staff_member(organisation, person_id)
    form = forms.MayReferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether they may refer."))
    else:
        try:
            organisation_services.organisation_staff_may_refer_set(
                organisation=organisation,
                acting=current_person(request),
                person=staff.person,
                may_refer=form.cleaned_data["may_refer"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            text = (
                _("%(name)s may refer people now.")
                if form.cleaned_data["may_refer"]
                else _("%(name)s no longer refers people, nor sees the referrals.")
            )
            messages.success(request, text % {"name": staff.person.display_name})
    return redirect("partners:organisation", public_id=organisation.public_id)


@login_required
@require_POST
def organisation_staff_remove(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    organisation, _coordinates = _managed(request, public_id)
    staff = selectors.organisation_staff_member(organisation, person_id)
    try:
        organisation_services.organisation_staff_remove(
            organisation=organisation, acting=current_person(request), person=staff.person
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "%(name)s is no longer on the staff of %(org)s; "
                "they remain a member of the time bank."
            )
            % {"name": staff.person.display_name, "org": organisation.name},
        )
    return redirect("partners:organisation", public_id=organisation.public_id)
