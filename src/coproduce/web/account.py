"""My account: my statement (on screen, as CSV, printable), giving hours, and a coordinator's
grants from the community chest and view of any member's statement in their time bank."""

from __future__ import annotations

import csv
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coproduce.community.models import Membership, MembershipStatus, Person, Role
from coproduce.community.selectors import members_visible_to
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.text import TypedTextFormMixin
from coproduce.core.units import format_hmm, format_hours, parse_minutes
from coproduce.ledger.gifts import MAX_NOTE, gift_give, grant_from_chest
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

PAGE_SIZE = 25
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


class PeriodForm(TypedTextFormMixin, forms.Form):
    date_from = forms.DateField(
        label=_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _lazy("Enter a date such as 31/12/2024.")},
    )
    date_to = forms.DateField(
        label=_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _lazy("Enter a date such as 31/12/2024.")},
    )

    def _in_range(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(
                _("Choose a date between %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
            )
        return value

    def clean_date_from(self) -> date | None:
        return self._in_range("date_from")

    def clean_date_to(self) -> date | None:
        return self._in_range("date_to")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def period(self) -> StatementSpan:
        """The chosen days, whole days in the time bank's time zone, the end day included."""
        if not self.is_valid():
            return StatementSpan()
        zone = timezone.get_current_timezone()

        def midnight(day: date) -> datetime:
            return timezone.make_aware(datetime.combine(day, time.min), zone)

        start, end = self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        return StatementSpan(
            start=midnight(start) if start else None,
            end=midnight(end + timedelta(days=1)) if end else None,
        )


class MinutesField(forms.CharField):
    """Hours as people write them: 1:30, 1.5 or 90 min."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            minutes = parse_minutes(text)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        if minutes <= 0:
            raise forms.ValidationError(_("Give at least one minute."))
        return minutes


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:  # type: ignore[override]
        return obj.display_name


class IdempotentForm(TypedTextFormMixin, forms.Form):
    # Generated when the form is drawn and sent back with it, so a double-clicked submit is
    # recognised by the ledger as the same request and posts once.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "idempotency_key" in self.errors:
            del self.errors["idempotency_key"]
            self.add_error(None, _("This form has expired. Please check it and send it again."))
            # Drawn again with a fresh key, so sending it again works.
            # Bound to request.POST, which is immutable; its copy is not.
            fresh = cast(QueryDict, self.data).copy()
            fresh["idempotency_key"] = str(uuid.uuid4())
            self.data = fresh
        return data


class GiftForm(IdempotentForm):
    CHEST, MEMBER = "chest", "member"
    CHEST_LABEL = _lazy("The community chest, for members who need help most")
    recipient = forms.ChoiceField(
        label=_lazy("Who would you like to give hours to?"),
        choices=[
            (CHEST, CHEST_LABEL),
            (MEMBER, _lazy("A member I choose")),
        ],
        widget=forms.RadioSelect,
        initial=CHEST,
        error_messages={
            "required": _lazy("Choose who to give hours to."),
            "invalid_choice": _lazy("Choose who to give hours to."),
        },
    )
    person = MemberChoiceField(
        label=_lazy("Which member (only if giving to a member)"),
        queryset=Person.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_lazy("Choose a member"),
        error_messages={"invalid_choice": _lazy("Choose a member from the list.")},
    )
    minutes = MinutesField(
        label=_lazy("How many hours"),
        help_text=_lazy("For example 1:30, 1.5 or 90 min."),
        error_messages={"required": _lazy("Say how many hours to give.")},
    )
    note = forms.CharField(
        label=_lazy("A note (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, recipients: QuerySet[Person], to_chest_only: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if to_chest_only:
            # Partner staff do not browse members, so they are shown none to choose from.
            del self.fields["person"]
            recipient = cast(forms.ChoiceField, self.fields["recipient"])
            recipient.choices = [(self.CHEST, self.CHEST_LABEL)]
        else:
            cast(forms.ModelChoiceField, self.fields["person"]).queryset = recipients

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        wants_member = data.get("recipient") == self.MEMBER
        if wants_member and not data.get("person") and "person" not in self.errors:
            self.add_error("person", _("Choose the member you would like to give to."))
        return data


class GrantForm(IdempotentForm):
    person = MemberChoiceField(
        label=_lazy("Member"),
        queryset=Person.objects.none(),
        to_field_name="public_id",
        empty_label=_lazy("Choose a member"),
        error_messages={
            "required": _lazy("Choose the member to grant hours to."),
            "invalid_choice": _lazy("Choose a member from the list."),
        },
    )
    minutes = MinutesField(
        label=_lazy("How many hours"),
        help_text=_lazy("For example 1:30, 1.5 or 90 min."),
        error_messages={"required": _lazy("Say how many hours to grant.")},
    )
    reason = forms.CharField(
        label=_lazy("Why"),
        help_text=_lazy("The member sees this on their statement."),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _lazy("Say why these hours are granted.")},
    )

    def __init__(self, *args: Any, timebank, coordinator: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = members_visible_to(
            viewer=coordinator, timebank=timebank
        )


# --- statements ---------------------------------------------------------------------------------


def _no_timebank(request: HttpRequest) -> HttpResponse | None:
    if request.timebank is None:  # type: ignore[attr-defined]
        return render(request, "web/no_timebank.html")
    return None


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
    if response := _no_timebank(request):
        return response
    account = member_account_for(person=request.user, timebank=request.timebank)  # type: ignore[arg-type, attr-defined]
    context = _statement_context(request, account, member=request.user, own=True)
    return render(request, "web/account/statement.html", context)


@login_required
def member_statement(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    if response := _no_timebank(request):
        return response
    account = member_account_get_for(request.user, request.timebank, person_id)  # type: ignore[arg-type, attr-defined]
    own = account.person_id == request.user.pk
    context = _statement_context(request, account, member=account.person, own=own)
    return render(request, "web/account/statement.html", context)


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
                _spreadsheet_safe(row.description),
                _spreadsheet_safe(row.other_party),
                format_hours(row.minutes_in) if row.minutes_in else "",
                format_hours(row.minutes_out) if row.minutes_out else "",
                format_hours(row.balance),
            ]
        )
    return response


def _spreadsheet_safe(text: str) -> str:
    # A memo such as "=HYPERLINK(…)" must not run as a formula when the file is opened.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def statement_csv(request: HttpRequest) -> HttpResponse:
    if response := _no_timebank(request):
        return response
    account = member_account_for(person=request.user, timebank=request.timebank)  # type: ignore[arg-type, attr-defined]
    if account is None:
        raise NotFound(_("You do not have a time credit account in this time bank yet."))
    return _csv(statement_for(account=account, period=_period_or_error(request)), request.user)  # type: ignore[arg-type]


@login_required
def member_statement_csv(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    if response := _no_timebank(request):
        return response
    account = member_account_get_for(request.user, request.timebank, person_id)  # type: ignore[arg-type, attr-defined]
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
    return render(request, "web/account/statement_print.html", context)


@login_required
def statement_print(request: HttpRequest) -> HttpResponse:
    if response := _no_timebank(request):
        return response
    account = member_account_for(person=request.user, timebank=request.timebank)  # type: ignore[arg-type, attr-defined]
    if account is None:
        raise NotFound(_("You do not have a time credit account in this time bank yet."))
    return _print(request, account, request.user, reverse("account:statement"))  # type: ignore[arg-type]


@login_required
def member_statement_print(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    if response := _no_timebank(request):
        return response
    account = member_account_get_for(request.user, request.timebank, person_id)  # type: ignore[arg-type, attr-defined]
    back_url = reverse("account:member_statement", args=[person_id])
    return _print(request, account, account.person, back_url)  # type: ignore[arg-type]


# --- gifts and grants ---------------------------------------------------------------------------


@login_required
def gift(request: HttpRequest) -> HttpResponse:
    if response := _no_timebank(request):
        return response
    timebank, giver = request.timebank, cast(Person, request.user)  # type: ignore[attr-defined]
    membership: Membership = request.membership  # type: ignore[attr-defined]
    account = member_account_for(person=giver, timebank=timebank)
    if membership.status != MembershipStatus.ACTIVE:
        # An applicant (before induction) or a paused member gives nothing, and sees no one.
        context = {"form": None, "account": account, "status": membership.status}
        status = 403 if request.method == "POST" else 200
        return render(request, "web/account/gift.html", context, status=status)
    form = GiftForm(
        request.POST or None,
        recipients=members_visible_to(viewer=giver, timebank=timebank),
        to_chest_only=membership.role == Role.PROFESSIONAL,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        to_chest = data["recipient"] == GiftForm.CHEST
        try:
            gift_give(
                timebank=timebank,
                giver=giver,
                to_chest=to_chest,
                to_person=None if to_chest else data["person"],
                minutes=data["minutes"],
                note=data["note"],
                idempotency_key=str(data["idempotency_key"]),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            recipient = _("the community chest") if to_chest else data["person"].display_name
            messages.success(
                request,
                _("Thank you. You gave %(hours)s hours to %(recipient)s.")
                % {"hours": format_hmm(data["minutes"]), "recipient": recipient},
            )
            return redirect("account:statement")
    return render(request, "web/account/gift.html", {"form": form, "account": account})


@login_required
def grant(request: HttpRequest) -> HttpResponse:
    if response := _no_timebank(request):
        return response
    membership: Membership = request.membership  # type: ignore[attr-defined]
    if not membership.is_coordinator:
        # A member who finds this address sees what a stranger would: nothing here.
        raise NotFound(_("There is no such page."))
    timebank, coordinator = request.timebank, cast(Person, request.user)  # type: ignore[attr-defined]
    form = GrantForm(request.POST or None, timebank=timebank, coordinator=coordinator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant_from_chest(
                timebank=timebank,
                coordinator=coordinator,
                to_person=data["person"],
                minutes=data["minutes"],
                reason=data["reason"],
                idempotency_key=str(data["idempotency_key"]),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(hours)s hours granted to %(name)s from the community chest.")
                % {"hours": format_hmm(data["minutes"]), "name": data["person"].display_name},
            )
            return redirect("account:grant")
    chest = chest_balance(timebank=timebank)
    return render(request, "web/account/grant.html", {"form": form, "chest_balance": chest})
