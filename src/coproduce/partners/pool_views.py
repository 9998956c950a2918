"""Pages for pools: budgets of hours or money that partners and members club together, spent
with the approval of one or two holders.

Each view finds what it shows through a `*_get_for` selector scoped to the person and their
current time bank (a 404 for anyone who may not see it), validates a form, calls one service,
and redirects with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.community.member_picker import member_search_for
from coproduce.community.models import Organisation
from coproduce.community.permissions import Standing, member_get_by_username, standing_in
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.core.forms import service_on_form
from coproduce.core.requests import current_person, current_timebank
from coproduce.partners import forms, selectors
from coproduce.partners.models import Pool, SpendStatus
from coproduce.partners.services import pools as pool_services


@login_required
def pools(request: HttpRequest) -> HttpResponse:
    rows = list(
        selectors.pools_for(person=current_person(request), timebank=current_timebank(request))
    )
    return render(request, "partners/pools.html", {"pools": rows})


@login_required
def pool_new(request: HttpRequest) -> HttpResponse:
    timebank = current_timebank(request)
    me = current_person(request)
    if not standing_in(person=me, timebank=timebank).can_trade:
        raise NotFound(_("No such page."))
    form = forms.PoolForm(request.POST or None, currency=timebank.currency)
    member_search_for(form, timebank=timebank, viewer=me)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holders = [me]
        if data["other_holder"].strip():
            other = member_get_by_username(timebank=timebank, username=data["other_holder"])
            if other is None:
                form.add_error(
                    "other_holder", _("There is no member of this time bank by that name.")
                )
            else:
                holders.append(other)
        if not form.errors:
            pool = service_on_form(
                form,
                pool_services.pool_create,
                timebank=timebank,
                acting=me,
                name=data["name"],
                description=data["description"],
                unit=data["unit"],
                approvals_required=data["approvals_required"],
                holders=holders,
            )
            if pool is not None:
                messages.success(request, _("The pool %(name)s is open.") % {"name": pool.name})
                return redirect("partners:pool", public_id=pool.public_id)
    return render(request, "partners/pool_new.html", {"form": form})


def _pool_context(
    request: HttpRequest, pool: Pool, standing: Standing, **given: Any
) -> dict[str, Any]:
    me = current_person(request)
    holder_ids = selectors.pool_holder_ids(pool)
    is_holder = me.pk in holder_ids
    spends = selectors.pool_spends(pool)
    may_contribute = standing.can_trade and (is_holder or not pool.is_money)
    return {
        "pool": pool,
        "holders": list(pool.holders.order_by("first_name", "username")),
        "totals": selectors.pool_totals(pool),
        "contributions": selectors.pool_contributions(pool),
        "pending": [s for s in spends if s.status == SpendStatus.PENDING],
        "decided": [s for s in spends if s.status != SpendStatus.PENDING],
        "is_holder": is_holder,
        "me": me,
        "contribute_form": (given.get("contribute_form") or forms.ContributeForm(unit=pool.unit))
        if may_contribute
        else None,
        "spend_form": (
            given.get("spend_form")
            or forms.SpendForm(unit=pool.unit, organisations=_organisations(request))
        )
        if is_holder
        else None,
    }


def _organisations(request: HttpRequest) -> QuerySet[Organisation]:
    return Organisation.objects.filter(timebank=current_timebank(request)).order_by("name")


@login_required
def pool(request: HttpRequest, public_id: str) -> HttpResponse:
    p, standing = selectors.pool_get_for(
        current_person(request), current_timebank(request), public_id
    )
    return render(request, "partners/pool.html", _pool_context(request, p, standing))


@login_required
@require_POST
def pool_contribute(request: HttpRequest, public_id: str) -> HttpResponse:
    p, standing = selectors.pool_get_for(
        current_person(request), current_timebank(request), public_id
    )
    form = forms.ContributeForm(request.POST, unit=p.unit)
    if form.is_valid():
        token = form.cleaned_data["token"]
        service_on_form(
            form,
            pool_services.pool_contribute,
            pool=p,
            acting=current_person(request),
            amount=form.cleaned_data["amount"],
            memo=form.cleaned_data["memo"],
            token=str(token) if token else None,
        )
        if not form.errors:
            messages.success(request, _("Thank you: it is in the pool."))
            return redirect("partners:pool", public_id=p.public_id)
    context = _pool_context(request, p, standing, contribute_form=form)
    return render(request, "partners/pool.html", context, status=400)


@login_required
@require_POST
def pool_spend_new(request: HttpRequest, public_id: str) -> HttpResponse:
    timebank = current_timebank(request)
    p, standing = selectors.pool_get_for(current_person(request), timebank, public_id)
    form = forms.SpendForm(request.POST, unit=p.unit, organisations=_organisations(request))
    if form.is_valid():
        data = form.cleaned_data
        payee = data["payee_organisation"]
        if data["payee_username"].strip():
            payee = member_get_by_username(timebank=timebank, username=data["payee_username"])
            if payee is None:
                form.add_error(
                    "payee_username", _("There is no member of this time bank by that name.")
                )
        if not form.errors:
            spend = service_on_form(
                form,
                pool_services.pool_spend_propose,
                pool=p,
                acting=current_person(request),
                payee=payee,
                amount=data["amount"],
                purpose=data["purpose"],
            )
            if spend is not None:
                messages.success(
                    request,
                    _("Spent: %(purpose)s.") % {"purpose": spend.purpose}
                    if spend.status == SpendStatus.SPENT
                    else _("Proposed: another holder needs to approve it."),
                )
                return redirect("partners:pool", public_id=p.public_id)
    context = _pool_context(request, p, standing, spend_form=form)
    return render(request, "partners/pool.html", context, status=400)


@login_required
@require_POST
def pool_spend_approve(request: HttpRequest, public_id: str) -> HttpResponse:
    spend = selectors.spend_get_for(current_person(request), current_timebank(request), public_id)
    try:
        pool_services.pool_spend_approve(spend=spend, acting=current_person(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Approved and spent: %(purpose)s.") % {"purpose": spend.purpose}
        )
    return redirect("partners:pool", public_id=spend.pool.public_id)


@login_required
@require_POST
def pool_spend_refuse(request: HttpRequest, public_id: str) -> HttpResponse:
    spend = selectors.spend_get_for(current_person(request), current_timebank(request), public_id)
    form = forms.RefuseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        spend = pool_services.pool_spend_refuse(
            spend=spend, acting=current_person(request), reason=reason
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("You withdrew the proposal.")
            if spend.status == SpendStatus.WITHDRAWN
            else _("Not approved: %(purpose)s.") % {"purpose": spend.purpose},
        )
    return redirect("partners:pool", public_id=spend.pool.public_id)
