"""The coordinator's pages about members: applications and induction, the members list and its
CSV export, safeguarding checks, editing a member's role, status and account limits, and the
one-time link with which a member chooses their own password.

They live in the members app because they join community (people) with the ledger (balances and
limits), which community itself may not import. Every page is for the coordinators of the current
time bank only; anyone else is told it does not exist.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coproduce.community import contact_reads
from coproduce.community import selectors as community_selectors
from coproduce.community import services as community_services
from coproduce.community.forms import CheckForm, DeclineForm, InductionForm, MemberFilterForm
from coproduce.community.models import TimeBank
from coproduce.core.errors import ApplicationError
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_person, current_timebank
from coproduce.core.spreadsheets import spreadsheet_safe
from coproduce.core.units import format_hours
from coproduce.members.forms import MemberEditForm
from coproduce.members.selectors import member_account, members_with_balances
from coproduce.members.services import member_update

PAGE_SIZE = 50


def _filters(request: HttpRequest, timebank: TimeBank) -> tuple[MemberFilterForm, dict[str, str]]:
    form = MemberFilterForm(request.GET, areas=community_selectors.areas_in(timebank))
    chosen = form.filters()
    return form, {
        "status": chosen.get("status", ""),
        "role": chosen.get("role", ""),
        "area": chosen.get("area", ""),
        "search": chosen.get("q", ""),
    }


# --- Pages ------------------------------------------------------------------------------------


@login_required
def members_list(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    community_selectors.coordinator_membership_for(current_person(request), timebank)
    form, filters = _filters(request, timebank)
    page = Paginator(members_with_balances(timebank, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "filtered": any(filters.values())}
    return render(request, "members/members/list.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def members_export(request: HttpRequest) -> StreamingHttpResponse:
    timebank = current_timebank(request)
    community_selectors.coordinator_membership_for(current_person(request), timebank)
    _form, filters = _filters(request, timebank)
    memberships = members_with_balances(timebank, **filters)
    contact_reads.members_exported(
        viewer=current_person(request), timebank=timebank, filters=filters, rows=memberships.count()
    )

    def rows() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow(
            ["name", "username", "email", "phone", "area", "role", "status", "joined", "balance"]
        )
        for membership in memberships.iterator(chunk_size=500):
            person = membership.person
            joined = membership.activated_at or membership.applied_at
            balance = membership.balance  # type: ignore[attr-defined]  # annotated above
            yield writer.writerow(
                [
                    *(
                        spreadsheet_safe(value)
                        for value in (
                            person.get_full_name() or person.username,
                            person.username,
                            person.email,
                            person.phone,
                            membership.area,
                        )
                    ),
                    membership.role,
                    membership.status,
                    timezone.localtime(joined).date().isoformat(),
                    format_hours(balance) if balance is not None else "",
                ]
            )

    filename = f"members-{timebank.slug}-{timezone.localdate().isoformat()}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def applications(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    community_selectors.coordinator_membership_for(current_person(request), timebank)
    waiting = list(community_selectors.applications_waiting(timebank))
    if waiting:
        contact_reads.members_contacts_listed(
            viewer=current_person(request),
            timebank=timebank,
            page="members:applications",
            people=[membership.person for membership in waiting],
        )
    return render(request, "members/members/applications.html", {"applications": waiting})


@login_required
def induct(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = current_timebank(request)
    membership = community_selectors.member_get_for(current_person(request), timebank, public_id)
    decision = request.POST.get("decision") if request.method == "POST" else None
    induction = InductionForm(
        request.POST if decision == "welcome" else None,
        timebank=timebank,
        acting=current_person(request),
    )
    decline = DeclineForm(request.POST if decision == "decline" else None)
    name = membership.person.display_name
    if decision == "welcome" and induction.is_valid():
        service_on_form(
            induction,
            community_services.membership_induct,
            membership=membership,
            acting=current_person(request),
            inducted_on=induction.cleaned_data["inducted_on"],
            inducted_by=induction.cleaned_data["inducted_by"],
            notes=induction.cleaned_data["notes"],
        )
        if not induction.errors:
            messages.success(request, _("%(name)s is now an active member.") % {"name": name})
            return redirect("members:applications")
    if decision == "decline" and decline.is_valid():
        service_on_form(
            decline,
            community_services.membership_decline,
            membership=membership,
            acting=current_person(request),
            reason=decline.cleaned_data["reason"],
        )
        if not decline.errors:
            messages.success(
                request, _("%(name)s's application has been declined.") % {"name": name}
            )
            return redirect("members:applications")
    contact_reads.member_contact_viewed(
        viewer=current_person(request),
        timebank=timebank,
        person=membership.person,
        page="members:induct",
    )
    context = {"membership": membership, "induction": induction, "decline": decline}
    return render(request, "members/members/induct.html", context)


@login_required
def check_new(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = current_timebank(request)
    membership = community_selectors.member_get_for(current_person(request), timebank, public_id)
    form = CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service_on_form(
            form,
            community_services.check_record,
            timebank=timebank,
            person=membership.person,
            acting=current_person(request),
            **form.cleaned_data,
        )
        if not form.errors:
            messages.success(
                request,
                _("The check for %(name)s is recorded.") % {"name": membership.person.display_name},
            )
            return redirect("community:profile", public_id=membership.person.public_id)
    context = {
        "membership": membership,
        "form": form,
        "checks": community_selectors.checks_for(membership.person, timebank),
    }
    return render(request, "members/members/check_new.html", context)


@login_required
def member_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = current_timebank(request)
    membership = community_selectors.member_get_for(current_person(request), timebank, public_id)
    account = member_account(timebank, membership.person)
    form = MemberEditForm(request.POST or None, membership=membership, account=account)
    if request.method == "POST" and form.is_valid():
        service_on_form(
            form,
            member_update,
            membership=membership,
            acting=current_person(request),
            **form.cleaned_data,
        )
        if not form.errors:
            messages.success(
                request,
                _("Saved the changes for %(name)s.") % {"name": membership.person.display_name},
            )
            return redirect("members:list")
    context = {
        "membership": membership,
        "account": account,
        "form": form,
        "handover": community_selectors.password_handover_allowed(
            person=membership.person, timebank=timebank
        ),
    }
    return render(request, "members/members/edit.html", context)


@login_required
@never_cache
def member_sign_in_link(request: HttpRequest, public_id: str) -> HttpResponse:
    """A one-time link with which a member without a password (referred or imported, or who
    lost it before ever signing in) chooses their own. The coordinator never chooses a
    password; the link is shown once, with a letter to print or hand over."""
    timebank = current_timebank(request)
    membership = community_selectors.member_get_for(current_person(request), timebank, public_id)
    person = membership.person
    error = ""
    if request.method == "POST":
        try:
            link, token = community_services.password_link_create(
                membership=membership, acting=current_person(request)
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            path = reverse("community:password_link", kwargs={"token": token})
            context = {
                "membership": membership,
                "link": link,
                "url": settings.SITE_URL + path,
                "coordinator": current_person(request),
            }
            return render(request, "members/members/sign_in_link_made.html", context)
    context = {
        "membership": membership,
        "handover": community_selectors.password_handover_allowed(person=person, timebank=timebank),
        "live_link": community_selectors.password_link_live_for(person),
        "days": community_services.PASSWORD_LINK_LIFETIME.days,
        "error": error,
    }
    return render(
        request, "members/members/sign_in_link.html", context, status=403 if error else 200
    )
