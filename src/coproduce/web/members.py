"""The coordinator's pages about members: applications and induction, the members list and its
CSV export, safeguarding checks, editing a member's role, status and account limits, and the
one-time link with which a member chooses their own password.

They live in the web layer because they join community (people) with the ledger (balances and
limits), which community itself may not import. Every page is for the coordinators of the current
time bank only; anyone else is told it does not exist.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from coproduce.community import contact_reads, selectors, services
from coproduce.community.forms import (
    CheckForm,
    DeclineForm,
    Form,
    InductionForm,
    MemberFilterForm,
)
from coproduce.community.models import Membership, MembershipStatus, Person, Role, TimeBank
from coproduce.core.errors import ApplicationError
from coproduce.core.units import format_hours, parse_minutes
from coproduce.ledger.limits import account_limits_set
from coproduce.ledger.models import HOUR, Account, AccountKind
from coproduce.ledger.services import member_account_get_or_open

PAGE_SIZE = 50


# --- Reads ------------------------------------------------------------------------------------


def _member_account(timebank: TimeBank, person: Person) -> Account | None:
    return Account.objects.filter(
        timebank=timebank, person=person, kind=AccountKind.MEMBER, unit=HOUR
    ).first()


def members_with_balances(timebank: TimeBank, **filters: str) -> QuerySet[Membership]:
    """The filtered members list with each member's time-credit balance, in one query."""
    balance = Account.objects.filter(
        timebank=timebank, person=OuterRef("person"), kind=AccountKind.MEMBER, unit=HOUR
    ).values("balance")[:1]
    return selectors.members_filtered(timebank, **filters).annotate(balance=Subquery(balance))


def _filters(request: HttpRequest, timebank: TimeBank) -> tuple[MemberFilterForm, dict[str, str]]:
    form = MemberFilterForm(request.GET, areas=selectors.areas_in(timebank))
    chosen = form.filters()
    return form, {
        "status": chosen.get("status", ""),
        "role": chosen.get("role", ""),
        "area": chosen.get("area", ""),
        "search": chosen.get("q", ""),
    }


# --- Writes -----------------------------------------------------------------------------------


@transaction.atomic
def member_update(
    *,
    membership: Membership,
    acting: Person,
    role: str,
    status: str,
    min_balance: int,
    max_balance: int | None,
    reason: str,
) -> Membership:
    """A coordinator's changes to one member: role and status, and the account's limits (which
    need a reason). The account opens here if the member has not used it yet."""
    membership = services.membership_update(
        membership=membership, acting=acting, role=role, status=status
    )
    timebank = membership.timebank
    account = _member_account(timebank, membership.person)
    current = (
        (account.min_balance, account.max_balance)
        if account is not None
        else (timebank.default_min_balance, timebank.default_max_balance)
    )
    if (min_balance, max_balance) != current:
        if not reason.strip():
            raise ApplicationError(_("Say why the limits are being changed."), "reason_required")
        if account is None:
            account = member_account_get_or_open(timebank=timebank, person=membership.person)
        account_limits_set(
            account=account,
            min_balance=min_balance,
            max_balance=max_balance,
            acting=acting,
            reason=reason,
        )
    return membership


# --- Forms ------------------------------------------------------------------------------------


class HoursField(forms.CharField):
    """A number of hours as a person writes it (-10, 1:30, 2.5); cleaned to minutes."""

    # Plain text: a phone's number pad often has no minus sign, and limits are usually negative.
    widget = forms.TextInput(attrs={"maxlength": "20"})

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_minutes(text)
        except ApplicationError as exc:
            raise ValidationError(exc.message) from exc


class MemberEditForm(Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=[], widget=forms.RadioSelect)
    min_balance = HoursField(
        label=gettext_lazy("Lowest balance (hours)"),
        help_text=gettext_lazy("How far below zero they may go, e.g. -10."),
    )
    max_balance = HoursField(
        label=gettext_lazy("Highest balance (hours, optional)"),
        help_text=gettext_lazy("Leave empty for no maximum."),
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for changing the limits"),
        help_text=gettext_lazy("Needed only when you change the limits. It is kept in the log."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, membership: Membership, account: Account | None, **kwargs: Any
    ) -> None:
        timebank = membership.timebank
        low, high = (
            (account.min_balance, account.max_balance)
            if account is not None
            else (timebank.default_min_balance, timebank.default_max_balance)
        )
        self.current_limits = (low, high)
        kwargs.setdefault(
            "initial",
            {
                "role": membership.role,
                "status": membership.status,
                "min_balance": format_hours(low),
                "max_balance": format_hours(high) if high is not None else "",
            },
        )
        super().__init__(*args, **kwargs)
        statuses = [MembershipStatus.ACTIVE, MembershipStatus.PAUSED, MembershipStatus.LEFT]
        if membership.status == MembershipStatus.APPLIED:
            statuses.insert(0, MembershipStatus.APPLIED)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (status.value, status.label) for status in statuses
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        low, high = cleaned.get("min_balance"), cleaned.get("max_balance")
        if "min_balance" in cleaned and "max_balance" in cleaned:
            if high is not None and low is not None and high < low:
                self.add_error(
                    "max_balance", _("The highest balance must not be below the lowest.")
                )
            elif (low, high) != self.current_limits and not cleaned.get("reason", "").strip():
                self.add_error("reason", _("Say why the limits are being changed."))
        return cleaned


# --- Pages ------------------------------------------------------------------------------------


def _me(request: HttpRequest) -> Person:
    """The signed-in person (every page here is behind login_required)."""
    return request.user  # type: ignore[return-value]


@login_required
def members_list(request: HttpRequest) -> HttpResponse:
    timebank = request.timebank  # type: ignore[attr-defined]
    selectors.coordinator_membership_for(_me(request), timebank)
    form, filters = _filters(request, timebank)
    page = Paginator(members_with_balances(timebank, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "filtered": any(filters.values())}
    return render(request, "web/members/list.html", context)


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheets; a leading ' stops that.
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def members_export(request: HttpRequest) -> StreamingHttpResponse:
    timebank = request.timebank  # type: ignore[attr-defined]
    selectors.coordinator_membership_for(_me(request), timebank)
    _form, filters = _filters(request, timebank)
    memberships = members_with_balances(timebank, **filters)
    contact_reads.members_exported(
        viewer=_me(request), timebank=timebank, filters=filters, rows=memberships.count()
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
                        _csv_safe(value)
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
    timebank = request.timebank  # type: ignore[attr-defined]
    selectors.coordinator_membership_for(_me(request), timebank)
    waiting = selectors.applications_waiting(timebank)
    if waiting:
        contact_reads.members_contacts_listed(
            viewer=_me(request),
            timebank=timebank,
            page="members:applications",
            people=[membership.person for membership in waiting],
        )
    return render(request, "web/members/applications.html", {"applications": waiting})


@login_required
def induct(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = request.timebank  # type: ignore[attr-defined]
    membership = selectors.member_get_for(_me(request), timebank, public_id)
    decision = request.POST.get("decision") if request.method == "POST" else None
    induction = InductionForm(
        request.POST if decision == "welcome" else None, timebank=timebank, acting=_me(request)
    )
    decline = DeclineForm(request.POST if decision == "decline" else None)
    name = membership.person.display_name
    if decision == "welcome" and induction.is_valid():
        try:
            services.membership_induct(
                membership=membership,
                acting=_me(request),
                inducted_on=induction.cleaned_data["inducted_on"],
                inducted_by=induction.cleaned_data["inducted_by"],
                notes=induction.cleaned_data["notes"],
            )
        except ApplicationError as exc:
            induction.add_error(None, exc.message)
        else:
            messages.success(request, _("%(name)s is now an active member.") % {"name": name})
            return redirect("members:applications")
    if decision == "decline" and decline.is_valid():
        try:
            services.membership_decline(
                membership=membership,
                acting=_me(request),
                reason=decline.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            decline.add_error(None, exc.message)
        else:
            messages.success(
                request, _("%(name)s's application has been declined.") % {"name": name}
            )
            return redirect("members:applications")
    contact_reads.member_contact_viewed(
        viewer=_me(request), timebank=timebank, person=membership.person, page="members:induct"
    )
    context = {"membership": membership, "induction": induction, "decline": decline}
    return render(request, "web/members/induct.html", context)


@login_required
def check_new(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = request.timebank  # type: ignore[attr-defined]
    membership = selectors.member_get_for(_me(request), timebank, public_id)
    form = CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_record(
                timebank=timebank,
                person=membership.person,
                acting=_me(request),
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The check for %(name)s is recorded.") % {"name": membership.person.display_name},
            )
            return redirect("community:profile", public_id=membership.person.public_id)
    context = {
        "membership": membership,
        "form": form,
        "checks": selectors.checks_for(membership.person, timebank),
    }
    return render(request, "web/members/check_new.html", context)


@login_required
def member_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = request.timebank  # type: ignore[attr-defined]
    membership = selectors.member_get_for(_me(request), timebank, public_id)
    account = _member_account(timebank, membership.person)
    form = MemberEditForm(request.POST or None, membership=membership, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            member_update(membership=membership, acting=_me(request), **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Saved the changes for %(name)s.") % {"name": membership.person.display_name},
            )
            return redirect("members:list")
    context = {
        "membership": membership,
        "account": account,
        "form": form,
        "handover": selectors.password_handover_allowed(
            person=membership.person, timebank=timebank
        ),
    }
    return render(request, "web/members/edit.html", context)


@login_required
@never_cache
def member_sign_in_link(request: HttpRequest, public_id: str) -> HttpResponse:
    """A one-time link with which a member without a password (referred or imported, or who
    lost it before ever signing in) chooses their own. The coordinator never chooses a
    password; the link is shown once, with a letter to print or hand over."""
    timebank = request.timebank  # type: ignore[attr-defined]
    membership = selectors.member_get_for(_me(request), timebank, public_id)
    person = membership.person
    error = ""
    if request.method == "POST":
        try:
            link, token = services.password_link_create(membership=membership, acting=_me(request))
        except ApplicationError as exc:
            error = exc.message
        else:
            path = reverse("community:password_link", kwargs={"token": token})
            context = {
                "membership": membership,
                "link": link,
                "url": settings.SITE_URL + path,
                "coordinator": _me(request),
            }
            return render(request, "web/members/sign_in_link_made.html", context)
    context = {
        "membership": membership,
        "handover": selectors.password_handover_allowed(person=person, timebank=timebank),
        "live_link": selectors.password_link_live_for(person),
        "days": services.PASSWORD_LINK_LIFETIME.days,
        "error": error,
    }
    return render(request, "web/members/sign_in_link.html", context, status=403 if error else 200)
