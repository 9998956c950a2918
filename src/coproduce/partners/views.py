"""Pages for partner organisations and referrals (social prescribing); pools are
`partners.pool_views`.

Each view finds what it shows through a `*_get_for` selector scoped to the person and their
current time bank (a 404 for anyone who may not see it), validates a form, calls one service,
and redirects with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.community.invitations import invitations_pending
from coproduce.community.member_picker import member_search_for
from coproduce.community.permissions import (
    Standing,
    member_get_by_username,
    organisations_referring_for,
    standing_in,
)
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_person, current_timebank
from coproduce.partners import forms, selectors
from coproduce.partners.models import OutcomeStage, Referral, ReferralStatus
from coproduce.partners.referral_report import referral_report_for
from coproduce.partners.services import organisations as organisation_services
from coproduce.partners.services import referrals as referral_services

# --- organisations ------------------------------------------------------------------------------


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    rows = list(selectors.organisations_for(person=current_person(request), timebank=timebank))
    standing = standing_in(person=current_person(request), timebank=timebank)
    return render(
        request,
        "partners/organisations.html",
        {"organisations": rows, "is_coordinator": standing.is_coordinator},
    )


@login_required
def organisation(request: HttpRequest, public_id: str) -> HttpResponse:
    me = current_person(request)
    org, standing = selectors.organisation_get_for(me, current_timebank(request), public_id)
    offers, needs = selectors.organisation_listings(org)
    may_manage = standing.is_coordinator or standing.is_admin_of(org.pk)
    context = {
        "organisation": org,
        "offers": offers,
        "requests": needs,
        "hours": selectors.organisation_hours(org),
        "is_coordinator": standing.is_coordinator,
        "may_edit": may_manage,
        "may_manage": may_manage,
    }
    if may_manage:
        # Its admins and the coordinators manage its staff (partners.staff_views).
        context["staff"] = selectors.organisation_staff(org)
        context["invitations"] = list(
            invitations_pending(timebank=current_timebank(request), acting=me, organisation=org)
        )
    if standing.is_coordinator:
        context["account"] = selectors.organisation_account(org)
    return render(request, "partners/organisation.html", context)


@login_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    if not standing_in(person=current_person(request), timebank=timebank).is_coordinator:
        raise NotFound(_("No such page."))
    form = forms.OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = service_on_form(
            form,
            organisation_services.organisation_create,
            timebank=timebank,
            acting=current_person(request),
            **form.cleaned_data,
        )
        if org is not None:
            messages.success(
                request, _("%(name)s is now a partner of the time bank.") % {"name": org.name}
            )
            return redirect("partners:organisation", public_id=org.public_id)
    return render(request, "partners/organisation_new.html", {"form": form})


@login_required
def organisation_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    org = selectors.organisation_edit_get_for(
        current_person(request), current_timebank(request), public_id
    )
    form = forms.OrganisationDescriptionForm(
        request.POST or None, initial={"description": org.description}
    )
    if request.method == "POST" and form.is_valid():
        service_on_form(
            form,
            organisation_services.organisation_update,
            organisation=org,
            acting=current_person(request),
            description=form.cleaned_data["description"],
        )
        if not form.errors:
            messages.success(request, _("The description is saved."))
            return redirect("partners:organisation", public_id=org.public_id)
    return render(request, "partners/organisation_edit.html", {"organisation": org, "form": form})


@login_required
def organisation_staff_add(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = current_timebank(request)
    org = selectors.organisation_manage_get_for(current_person(request), timebank, public_id)
    form = forms.StaffForm(request.POST or None)
    member_search_for(form, timebank=timebank, viewer=current_person(request))
    if request.method == "POST" and form.is_valid():
        person = member_get_by_username(timebank=timebank, username=form.cleaned_data["username"])
        if person is None:
            form.add_error("username", _("There is no member of this time bank by that name."))
        else:
            service_on_form(
                form,
                organisation_services.organisation_staff_add,
                organisation=org,
                acting=current_person(request),
                person=person,
                role=form.cleaned_data["role"],
                may_refer=form.cleaned_data["may_refer"],
            )
            if not form.errors:
                messages.success(
                    request,
                    _("%(name)s is on the staff of %(org)s.")
                    % {"name": person.display_name, "org": org.name},
                )
                return redirect("partners:organisation", public_id=org.public_id)
    return render(request, "partners/organisation_staff.html", {"organisation": org, "form": form})


@login_required
def organisation_limits(request: HttpRequest, public_id: str) -> HttpResponse:
    org = selectors.organisation_manage_get_for(
        current_person(request), current_timebank(request), public_id
    )
    account = selectors.organisation_account(org)
    initial = {}
    if account is not None:
        initial = {
            "min_hours": f"{account.min_balance / 60:g}",
            "max_hours": "" if account.max_balance is None else f"{account.max_balance / 60:g}",
        }
    form = forms.LimitsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        service_on_form(
            form,
            organisation_services.organisation_limits_set,
            organisation=org,
            acting=current_person(request),
            min_balance=form.cleaned_data["min_hours"],
            max_balance=form.cleaned_data["max_hours"],
            reason=form.cleaned_data["reason"],
        )
        if not form.errors:
            messages.success(request, _("The account's limits are saved."))
            return redirect("partners:organisation", public_id=org.public_id)
    return render(
        request,
        "partners/organisation_limits.html",
        {"organisation": org, "form": form, "account": account},
    )


# --- referrals ----------------------------------------------------------------------------------


@login_required
def referrals(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    status = request.GET.get("status", "")
    if status not in ReferralStatus.values:
        status = ""
    rows = list(
        selectors.referrals_for(person=current_person(request), timebank=timebank, status=status)
    )
    for referral in rows:
        referral.waiting = selectors.waiting_days(referral)  # type: ignore[attr-defined]
    standing = standing_in(person=current_person(request), timebank=timebank)
    return render(
        request,
        "partners/referrals.html",
        {
            "referrals": rows,
            "status": status,
            "statuses": ReferralStatus.choices,
            "is_coordinator": standing.is_coordinator,
            "may_refer": standing.refers,
        },
    )


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    me = current_person(request)
    standing = standing_in(person=me, timebank=timebank)
    if not standing.refers:
        raise NotFound(_("No such page."))
    form = forms.ReferralForm(
        request.POST or None,
        organisations=organisations_referring_for(person=me, timebank=timebank),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = service_on_form(
            form, referral_services.referral_create, timebank=timebank, acting=me, **data
        )
        if referral is not None:
            messages.success(
                request,
                _("Thank you: the referral of %(name)s is with the coordinator.")
                % {"name": referral.display_name},
            )
            return redirect("partners:referral", public_id=referral.public_id)
    return render(request, "partners/referral_new.html", {"form": form})


def _referral_context(
    request: HttpRequest, referral: Referral, standing: Standing, **forms_given: Any
) -> dict[str, Any]:
    me = current_person(request)
    outcomes = selectors.referral_outcomes_of(referral)
    context = {
        "referral": referral,
        "events": selectors.referral_events(referral),
        "outcomes": [outcomes.get(OutcomeStage.START), outcomes.get(OutcomeStage.REVIEW)],
        "may_see_notes": selectors.may_see_notes(referral, standing, me) and referral.support_notes,
        "may_record_outcome": selectors.may_record_outcome(referral, standing)
        and len(outcomes) < 2
        and referral.status not in {ReferralStatus.DECLINED, ReferralStatus.UNREACHABLE},
        "is_coordinator": standing.is_coordinator,
        "waiting": selectors.waiting_days(referral),
    }
    if standing.is_coordinator:
        steps = referral_services.next_steps(referral)
        if any(s != ReferralStatus.INDUCTED for s in steps):
            context["move_form"] = forms_given.get("move_form") or forms.MoveForm(steps=steps)
        if ReferralStatus.INDUCTED in steps:
            context["induct_form"] = forms_given.get("induct_form") or forms.InductForm()
        if not referral.is_final:
            suggestions = selectors.offers_suggested_for(referral)
            context["suggestions"] = suggestions
            if suggestions:
                context["suggest_form"] = forms.SuggestForm(offers=suggestions)
    # The date of the first exchange is the referral's milestone, for the referrer too; who it
    # was with and what it was stay with the coordinators.
    context["first_exchange_at"] = selectors.first_exchange_on(referral)
    return context


def _referral_page(
    request: HttpRequest,
    referral: Referral,
    standing: Standing,
    status: int = 200,
    **forms_given: Any,
) -> HttpResponse:
    """The referral's page, which shows how to reach the person: each showing is audited."""
    referral_services.referral_contact_viewed(referral=referral, viewer=current_person(request))
    context = _referral_context(request, referral, standing, **forms_given)
    return render(request, "partners/referral.html", context, status=status)


@login_required
def referral(request: HttpRequest, public_id: str) -> HttpResponse:
    ref, standing = selectors.referral_get_for(
        current_person(request), current_timebank(request), public_id
    )
    return _referral_page(request, ref, standing)


@login_required
def referral_notes(request: HttpRequest, public_id: str) -> HttpResponse:
    """The sensitive notes on their own page (or loaded in place by htmx): each view audited."""
    ref, _standing = selectors.referral_get_for(
        current_person(request), current_timebank(request), public_id
    )
    notes = referral_services.referral_notes_view(referral=ref, viewer=current_person(request))
    template = (
        "partners/_referral_notes.html"
        if request.headers.get("HX-Request")
        else "partners/referral_notes.html"
    )
    return render(request, template, {"referral": ref, "notes": notes})


def _coordinator_referral(request: HttpRequest, public_id: str) -> tuple[Referral, Standing]:
    ref, standing = selectors.referral_get_for(
        current_person(request), current_timebank(request), public_id
    )
    if not standing.is_coordinator:
        raise NotFound(_("No such page."))
    return ref, standing


@login_required
@require_POST
def referral_move(request: HttpRequest, public_id: str) -> HttpResponse:
    ref, standing = _coordinator_referral(request, public_id)
    form = forms.MoveForm(request.POST, steps=referral_services.next_steps(ref))
    if form.is_valid():
        moved = service_on_form(
            form,
            referral_services.referral_move,
            referral=ref,
            acting=current_person(request),
            **form.cleaned_data,
        )
        if moved is not None:
            messages.success(
                request,
                _("Recorded: %(status)s.") % {"status": ReferralStatus(moved.status).label},
            )
            return redirect("partners:referral", public_id=ref.public_id)
    return _referral_page(request, ref, standing, status=400, move_form=form)


@login_required
@require_POST
def referral_induct(request: HttpRequest, public_id: str) -> HttpResponse:
    ref, standing = _coordinator_referral(request, public_id)
    form = forms.InductForm(request.POST)
    if form.is_valid():
        inducted = service_on_form(
            form,
            referral_services.referral_induct,
            referral=ref,
            acting=current_person(request),
            **form.cleaned_data,
        )
        if inducted is not None:
            messages.success(
                request,
                _("%(name)s is now a member, with the username %(username)s.")
                % {"name": inducted.display_name, "username": inducted.person.username},  # type: ignore[union-attr]
            )
            return redirect("partners:referral", public_id=inducted.public_id)
    return _referral_page(request, ref, standing, status=400, induct_form=form)


@login_required
@require_POST
def referral_suggest(request: HttpRequest, public_id: str) -> HttpResponse:
    ref, _standing = _coordinator_referral(request, public_id)
    offer_id = request.POST.get("offer", "")
    try:
        offer = selectors.suggestion_get(ref, offer_id)
        referral_services.referral_suggest_offer(
            referral=ref, acting=current_person(request), offer=offer
        )
    except (ApplicationError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("Choose an offer to suggest.")))
    else:
        messages.success(request, _("Suggested: %(title)s.") % {"title": offer.title})
    return redirect("partners:referral", public_id=ref.public_id)


@login_required
def outcome_new(request: HttpRequest, public_id: str) -> HttpResponse:
    ref, standing = selectors.referral_get_for(
        current_person(request), current_timebank(request), public_id
    )
    if not selectors.may_record_outcome(ref, standing):
        raise NotFound(_("No such page."))
    recorded = selectors.referral_outcomes_of(ref)
    initial_stage = OutcomeStage.REVIEW if OutcomeStage.START in recorded else OutcomeStage.START
    form = forms.OutcomeForm(request.POST or None, referral=ref, initial={"stage": initial_stage})
    if request.method == "POST" and form.is_valid():
        service_on_form(
            form,
            referral_services.outcome_record,
            referral=ref,
            acting=current_person(request),
            stage=form.cleaned_data["stage"],
            measured_on=form.cleaned_data["measured_on"],
            items=form.items(),
            goal_progress=form.goal_progress(),
            own_words=form.cleaned_data["own_words"],
        )
        if not form.errors:
            messages.success(request, _("The wellbeing measure is recorded."))
            return redirect("partners:referral", public_id=ref.public_id)
    return render(
        request, "partners/outcome_new.html", {"referral": ref, "form": form, "recorded": recorded}
    )


@login_required
def referral_report(request: HttpRequest) -> HttpResponse:
    found = referral_report_for(
        person=current_person(request),
        timebank=current_timebank(request),
        organisation=request.GET.get("organisation", ""),
    )
    return render(
        request,
        "partners/referral_report.html",
        {
            "report": found.report,
            "organisations": found.organisations,
            "chosen": found.chosen,
            "is_coordinator": found.is_coordinator,
        },
    )
