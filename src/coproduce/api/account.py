"""My account: the statement with its running balance, and giving hours as a gift."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Status

from coproduce.api.auth import caller
from coproduce.api.idempotency import ledger_key, write_operation
from coproduce.api.pagination import CursorParams, Key, page_of
from coproduce.api.schemas import (
    GiftIn,
    GiftOut,
    StatementOut,
    hours,
    party,
    responses,
    statement_out,
)
from coproduce.api.selectors import member_by_reference
from coproduce.core.errors import ApplicationError
from coproduce.ledger.statements import (
    StatementSpan,
    member_account_for,
    statement_for,
    statement_rows,
)
from coproduce.members.services import gift_give

router = Router(tags=["account"])


# The statement's order: when the help happened (the entry's copy), newest first; id breaks ties.
STATEMENT_ORDER = (
    Key("occurred_at", "datetime"),
    Key("id", "int"),
)

# Days a statement can be asked for: the day after the last must still be a date, in any zone.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


class StatementFilters(CursorParams):
    date_from: date | None = F(
        None, ge=FIRST_DAY, le=LAST_DAY, description="From this day (inclusive)."
    )
    date_to: date | None = F(
        None, ge=FIRST_DAY, le=LAST_DAY, description="To this day (inclusive)."
    )


def statement_period(filters: StatementFilters) -> StatementSpan:
    """Whole days in the time bank's time zone, the last day included (as on the web page)."""
    start, end = filters.date_from, filters.date_to
    if start and end and end < start:
        raise ApplicationError(_("The end date is before the start date."), "bad_period")
    zone = timezone.get_current_timezone()

    def midnight(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min), zone)

    return StatementSpan(
        start=midnight(start) if start else None,
        end=midnight(end + timedelta(days=1)) if end else None,
    )


@router.get(
    "/account/statement",
    response=responses({200: StatementOut}, 400, 422),
    summary="My statement: entries newest first, each with the balance after it",
)
def statement(request: HttpRequest, filters: Query[StatementFilters]) -> StatementOut:
    who = caller(request)
    period = statement_period(filters)
    account = member_account_for(person=who.person, timebank=who.timebank)
    if account is None:
        return statement_out(None, [], balance=0, limit=filters.limit, next_cursor=None)
    found = statement_for(account=account, period=period)
    # Only older entries than the cursor's are left out, and the running balance sums the
    # older ones: each row's balance is the same on every page.
    entries, next_cursor = page_of(found.entries, STATEMENT_ORDER, filters)
    return statement_out(
        found,
        statement_rows(found, entries),
        balance=account.balance,
        limit=filters.limit,
        next_cursor=next_cursor,
    )


@write_operation(
    router,
    "/gifts",
    key_required=True,
    response={201: GiftOut},
    summary="Give some of my hours to the community chest or to a member",
)
def gift(request: HttpRequest, payload: GiftIn) -> Status[GiftOut]:
    who = caller(request)
    to_person = None
    if payload.to == "member":
        if not payload.member:
            raise ApplicationError(
                _('Say which member to give to ("member": their username).'), "member_required"
            )
        to_person = member_by_reference(timebank=who.timebank, reference=payload.member)
    transfer = gift_give(
        timebank=who.timebank,
        giver=who.person,
        to_chest=payload.to == "chest",
        to_person=to_person,
        minutes=payload.minutes,
        note=payload.note,
        idempotency_key=ledger_key(request),
    )
    return Status(
        201,
        GiftOut(
            transfer=transfer.public_id,
            to=party(to_person) if to_person is not None else None,
            amount=hours(payload.minutes),
            memo=transfer.memo,
            created_at=transfer.created_at,
        ),
    )
