"""My account: my statement (on screen, as CSV, printable), giving hours, and a coordinator's
grants from the community chest and view of any member's statement in their time bank."""

from __future__ import annotations

import csv
import uuid
from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import Membership, MembershipStatus, Person
from coproduce.community.permissions import gives_to_chest_only, membership_is_coordinator
from coproduce.community.selectors import members_visible_to
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_membership, current_person, current_timebank
from coproduce.core.spreadsheets import spreadsheet_safe
from coproduce.core.units import format_hmm, format_hours
from coproduce.creditcommons.selectors import node_for
from coproduce.ledger.models import Account
from coproduce.ledger.statements import (
    Statement,
    StatementSpan,
    chest_balance,
    member_account_for,
    member_account_get_for,
    statement_for,
    statement_rows,
)
from coproduce.members.forms import GiftForm, GrantForm, PeriodForm
from coproduce.members.services import gift_give, grant_from_chest

PAGE_SIZE = 25


# --- statements ---------------------------------------------------------------------------------


def _statement_context(request: HttpRequest, account: Account | None, **extra: Any) -> dict:
    form = PeriodForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "account": account, **extra}
    if account is None:
        return context
    statement = statement_for(account=account, period=form.period())
    page = Paginator(statement.entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        statement=statement,
        page=page,
        rows=statement_rows(statement, list(page.object_list)),
        query=query.urlencode() if form.is_valid() else "",
    )
    return context


@login_required
def statement(request: HttpRequest) -> HttpResponse:
    me = current_person(request)
    timebank = current_timebank(request)
    account = member_account_for(person=me, timebank=timebank)
    context = _statement_context(request, account, member=me, own=True)
    # A time bank grafted into a Credit Commons network lets its members pay someone there.
    context["credit_commons"] = node_for(timebank) is not None
    return render(request, "members/account/statement.html", context)


@login_required
def member_statement(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    me = current_person(request)
    account = member_account_get_for(me, current_timebank(request), person_id)
    own = account.person_id == me.pk
    context = _statement_context(request, account, member=account.person, own=own)
    return render(request, "members/account/statement.html", context)


def _period_or_error(request: HttpRequest) -> StatementSpan:
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        raise ApplicationError(str(first), "bad_period")
    return form.period()


def _csv(statement: Statement, member: Person) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{member.username}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [_("date"), _("description"), _("other party"), _("in (h)"), _("out (h)"), _("balance (h)")]
    )
    for row in reversed(statement_rows(statement)):
        writer.writerow(
            [
                timezone.localtime(row.occurred_at).date().isoformat(),
                spreadsheet_safe(row.description),
                spreadsheet_safe(row.other_party),
                format_hours(row.minutes_in) if row.minutes_in else "",
                format_hours(row.minutes_out) if row.minutes_out else "",
                format_hours(row.balance),
            ]
        )
    return response


@login_required
def statement_csv(request: HttpRequest) -> HttpResponse:
    me = current_person(request)
    account = member_account_for(person=me, timebank=current_timebank(request))
    if account is None:
        raise NotFound(_("You do not have a time credit account in this time bank yet."))
    return _csv(statement_for(account=account, period=_period_or_error(request)), me)


@login_required
def member_statement_csv(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    account = member_account_get_for(current_person(request), current_timebank(request), person_id)
    return _csv(statement_for(account=account, period=_period_or_error(request)), account.person)  # type: ignore[arg-type]


def _print(request: HttpRequest, account: Account, member: Person, back_url: str) -> HttpResponse:
    statement = statement_for(account=account, period=_period_or_error(request))
    context = {
        "statement": statement,
        "rows": statement_rows(statement),
        "member": member,
        "printed_on": timezone.localdate(),
        "last_day": statement.period.end - timedelta(days=1) if statement.period.end else None,
        "back_url": back_url,
    }
    return render(request, "members/account/statement_print.html", context)


@login_required
def statement_print(request: HttpRequest) -> HttpResponse:
    me = current_person(request)
    account = member_account_for(person=me, timebank=current_timebank(request))
    if account is None:
        raise NotFound(_("You do not have a time credit account in this time bank yet."))
    return _print(request, account, me, reverse("account:statement"))


@login_required
def member_statement_print(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    account = member_account_get_for(current_person(request), current_timebank(request), person_id)
    back_url = reverse("account:member_statement", args=[person_id])
    return _print(request, account, account.person, back_url)  # type: ignore[arg-type]


# --- gifts and grants ---------------------------------------------------------------------------


@login_required
def gift(request: HttpRequest) -> HttpResponse:
    timebank, giver = current_timebank(request), current_person(request)
    membership = cast(Membership, current_membership(request))
    account = member_account_for(person=giver, timebank=timebank)
    if membership.status != MembershipStatus.ACTIVE:
        # An applicant (before induction) or a paused member gives nothing, and sees no one.
        context = {"form": None, "account": account, "applied": membership.is_applied}
        status = 403 if request.method == "POST" else 200
        return render(request, "members/account/gift.html", context, status=status)
    form = GiftForm(
        request.POST or None,
        recipients=members_visible_to(viewer=giver, timebank=timebank),
        to_chest_only=gives_to_chest_only(membership),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        to_chest = data["recipient"] == GiftForm.CHEST
        service_on_form(
            form,
            gift_give,
            timebank=timebank,
            giver=giver,
            to_chest=to_chest,
            to_person=None if to_chest else data["person"],
            minutes=data["minutes"],
            note=data["note"],
            idempotency_key=str(data["idempotency_key"]),
        )
        if not form.errors:
            recipient = _("the community chest") if to_chest else data["person"].display_name
            messages.success(
                request,
                _("Thank you. You gave %(hours)s hours to %(recipient)s.")
                % {"hours": format_hmm(data["minutes"]), "recipient": recipient},
            )
            return redirect("account:statement")
    return render(request, "members/account/gift.html", {"form": form, "account": account})


@login_required
def grant(request: HttpRequest) -> HttpResponse:
    timebank, coordinator = current_timebank(request), current_person(request)
    if not membership_is_coordinator(current_membership(request)):
        # A member who finds this address sees what a stranger would: nothing here.
        raise NotFound(_("There is no such page."))
    form = GrantForm(request.POST or None, timebank=timebank, coordinator=coordinator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service_on_form(
            form,
            grant_from_chest,
            timebank=timebank,
            coordinator=coordinator,
            to_person=data["person"],
            minutes=data["minutes"],
            reason=data["reason"],
            idempotency_key=str(data["idempotency_key"]),
        )
        if not form.errors:
            messages.success(
                request,
                _("%(hours)s hours granted to %(name)s from the community chest.")
                % {"hours": format_hmm(data["minutes"]), "name": data["person"].display_name},
            )
            return redirect("account:grant")
    chest = chest_balance(timebank=timebank)
    return render(request, "members/account/grant.html", {"form": form, "chest_balance": chest})
