"""A coordinator's work on one member, as on /members/<id>/edit/ and /account/members/<id>/:
change their role, status and account limits (`members.services.member_update`; changed
limits need a reason, kept in the log), and read their statement (`member_account_get_for`:
only a coordinator of the time bank reads another member's), paged as my own statement is.
Anyone else is told there is no such member (404).
"""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Schema

from coproduce.api.account import STATEMENT_ORDER, StatementFilters, statement_period
from coproduce.api.auth import caller
from coproduce.api.coordination import MemberOut, member_out
from coproduce.api.idempotency import write_operation
from coproduce.api.pagination import page_of
from coproduce.api.schemas import MultiLine, StatementOut, responses, statement_out
from coproduce.community import selectors as community
from coproduce.community.models import MembershipStatus, Role
from coproduce.core.errors import ApplicationError
from coproduce.ledger.statements import member_account_get_for, statement_for, statement_rows
from coproduce.members.selectors import member_account, members_with_balances
from coproduce.members.services import member_update

router = Router(tags=["coordinators"])

LIMIT = 100_000 * 60


class MemberEditIn(Schema):
    """Every field is optional: what is left out stays as it is."""

    role: Role | None = None
    status: MembershipStatus | None = F(
        None, description="active, paused or left (applied only while they still are)."
    )
    min_balance: int | None = F(None, ge=-LIMIT, le=LIMIT, description="Minutes.")
    max_balance: int | None = F(
        None, ge=-LIMIT, le=LIMIT, description="Minutes; null for no highest balance."
    )
    reason: MultiLine = F("", max_length=1000, description="Needed when the limits change.")


class MemberEditOut(MemberOut):
    min_balance: int = F(description="Minutes.")
    max_balance: int | None = F(description="Minutes; null for no highest balance.")


def _edit_out(membership) -> MemberEditOut:  # type: ignore[no-untyped-def]
    timebank = membership.timebank
    account = member_account(timebank, membership.person)
    low, high = (
        (account.min_balance, account.max_balance)
        if account is not None
        else (timebank.default_min_balance, timebank.default_max_balance)
    )
    # The list's row for them: with their balance and whether safeguarding paused them.
    row = members_with_balances(timebank).filter(pk=membership.pk).first() or membership
    return MemberEditOut(
        **member_out(row).model_dump(),
        min_balance=low,
        max_balance=high,
    )


@router.get(
    "/coordinator/members/{public_id}",
    response=responses({200: MemberEditOut}, 404, 422),
    summary="One member: role, status and account limits",
)
def member_read(request: HttpRequest, public_id: UUID) -> MemberEditOut:
    who = caller(request)
    return _edit_out(community.member_get_for(who.person, who.timebank, public_id))


@write_operation(
    router,
    "/coordinator/members/{public_id}",
    method="PATCH",
    idempotent=False,
    response=responses({200: MemberEditOut}, 404, 409),
    summary="Change a member's role, status or account limits (limits need a reason)",
)
def member_edit(request: HttpRequest, public_id: UUID, payload: MemberEditIn) -> MemberEditOut:
    who = caller(request)
    membership = community.member_get_for(who.person, who.timebank, public_id)
    current = _edit_out(membership)
    sent = payload.model_fields_set
    status = str(payload.status) if payload.status is not None else membership.status
    allowed = {MembershipStatus.ACTIVE, MembershipStatus.PAUSED, MembershipStatus.LEFT}
    if membership.status == MembershipStatus.APPLIED:
        allowed.add(MembershipStatus.APPLIED)
    if status not in allowed:
        raise ApplicationError(_("Choose a status from the list."), "bad_status")
    low = payload.min_balance if payload.min_balance is not None else current.min_balance
    high = payload.max_balance if "max_balance" in sent else current.max_balance
    if high is not None and high < low:
        raise ApplicationError(_("The highest balance must not be below the lowest."), "bad_limits")
    member_update(
        membership=membership,
        acting=who.person,
        role=str(payload.role) if payload.role is not None else membership.role,
        status=status,
        min_balance=low,
        max_balance=high,
        reason=payload.reason,
    )
    return _edit_out(community.member_get_for(who.person, who.timebank, public_id))


@router.get(
    "/coordinator/members/{public_id}/statement",
    response=responses({200: StatementOut}, 400, 404, 422),
    summary="A member's statement: entries newest first, each with the balance after it",
)
def member_statement(
    request: HttpRequest, public_id: UUID, filters: Query[StatementFilters]
) -> StatementOut:
    who = caller(request)
    period = statement_period(filters)
    account = member_account_get_for(who.person, who.timebank, public_id)
    found = statement_for(account=account, period=period)
    entries, next_cursor = page_of(found.entries, STATEMENT_ORDER, filters)
    return statement_out(
        found,
        statement_rows(found, entries),
        balance=account.balance,
        limit=filters.limit,
        next_cursor=next_cursor,
    )
