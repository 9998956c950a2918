"""The coordinator dashboard's "see all" lists, as on /coordinator/<key>/: one operation for each
section, `GET /coordinator/dashboard/<key>`, paged by cursor in the section's own order.

Each list is the queryset the page pages (`coordination.selectors.section_queryset_for`, which
also refuses anyone but the time bank's active coordinators: a 404, as on the web). Its order
is written out here as cursor keys, the same order the selector gives (a test holds them
together); a row the selector leaves nullable in its order (a member's last exchange, "never"
first) is sorted by a stand-in date older than any exchange.

Two sections stay out: members under a safeguarding pause and checks expiring soon. Safeguarding
is kept out of the API (docs/DESIGN.md); the dashboard's figures (`GET /coordinator/dashboard`)
still count them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import DateTimeField, F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from coproduce.api.auth import caller
from coproduce.api.coordination import MemberOut, member_out
from coproduce.api.pagination import CursorPage, CursorParams, Key, page_of
from coproduce.api.referrals import ReferralOut, _out_fields
from coproduce.api.schemas import (
    ExchangeOut,
    Hours,
    ListingOut,
    PersonOut,
    _exchange_fields,
    hours,
    listing_out,
    person_out,
    responses,
)
from coproduce.coordination.selectors import section_queryset_for
from coproduce.core.moments import NEVER

router = Router(tags=["coordinators"])

# Sections kept out of the API: safeguarding (see the module's docstring).
LEFT_OUT = frozenset({"paused", "checks-expiring"})


def _oldest_first(field: str) -> tuple[Key, ...]:
    return (Key(field, "datetime", descending=False), Key("pk", "int", descending=False))


# --- rows ---------------------------------------------------------------------------------------


class UnconfirmedOut(ExchangeOut):
    done_since: datetime = Field(description="When it was marked done (or arranged, if undated).")


class DisputedOut(ExchangeOut):
    since: datetime = Field(description="When it was last moved before the dispute.")
    dispute_reason: str


class InactiveOut(Schema):
    person: PersonOut
    area: str
    joined: datetime
    last_exchange: datetime | None = Field(description="Null: no exchange yet.")


class OneSidedOut(Schema):
    person: PersonOut
    times: int = Field(description="How many exchanges in the last 12 months, all on one side.")


class NearLimitOut(Schema):
    person: PersonOut
    balance: Hours
    min_balance: Hours
    max_balance: Hours | None = Field(description="Null: no highest balance.")
    room_below: Hours = Field(description="Above the lowest balance (negative: past it).")
    room_above: Hours | None = Field(description="Below the highest balance (negative: past it).")


class ApplicationsPage(CursorPage):
    items: list[MemberOut]


class ReferralsPage(CursorPage):
    items: list[ReferralOut]


class UnconfirmedPage(CursorPage):
    items: list[UnconfirmedOut]


class DisputesPage(CursorPage):
    items: list[DisputedOut]


class UnansweredPage(CursorPage):
    items: list[ListingOut]


class InactivePage(CursorPage):
    items: list[InactiveOut]


class OneSidedPage(CursorPage):
    items: list[OneSidedOut]


class NearLimitPage(CursorPage):
    items: list[NearLimitOut]


def _exchanges(rows: QuerySet[Any]) -> QuerySet[Any]:
    # What an exchange's answer names, read with the page (the selector prefetches the people).
    return rows.select_related("proposed_by", "offer", "request", "transfer__reversed_by")


def _inactive(row: Any) -> InactiveOut:
    return InactiveOut(
        person=person_out(row.person),
        area=row.area,
        joined=row.joined,
        last_exchange=row.last_exchange,
    )


def _near_limit(row: Any) -> NearLimitOut:
    return NearLimitOut(
        person=person_out(row.person),
        balance=hours(row.balance),
        min_balance=hours(row.min_balance),
        max_balance=hours(row.max_balance) if row.max_balance is not None else None,
        room_below=hours(row.room_below),
        room_above=hours(row.room_above) if row.room_above is not None else None,
    )


@dataclass(frozen=True)
class SectionList:
    """How one section is paged and answered."""

    order: tuple[Key, ...]
    page: type[CursorPage]
    row: Callable[[Any], Any]
    summary: str
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda rows: rows


ONE_SIDED_ORDER = (
    Key("times", "int", descending=True),
    Key("first_name", "str", descending=False),
    Key("pk", "int", descending=False),
)

LISTS: dict[str, SectionList] = {
    "applications": SectionList(
        _oldest_first("applied_at"),
        ApplicationsPage,
        member_out,
        "Applications waiting to be welcomed, the longest waiting first",
    ),
    "referrals": SectionList(
        _oldest_first("received_at"),
        ReferralsPage,
        lambda row: ReferralOut(**_out_fields(row)),
        "New referrals nobody has contacted yet, the longest waiting first",
        lambda rows: rows.select_related("referred_by", "person"),
    ),
    "unconfirmed": SectionList(
        _oldest_first("done_since"),
        UnconfirmedPage,
        lambda row: UnconfirmedOut(**_exchange_fields(row), done_since=row.done_since),
        "Exchanges marked done over a week ago and not confirmed, the oldest first",
        _exchanges,
    ),
    "disputes": SectionList(
        _oldest_first("since"),
        DisputesPage,
        lambda row: DisputedOut(
            **_exchange_fields(row), since=row.since, dispute_reason=row.dispute_reason
        ),
        "Exchanges someone said went wrong, the oldest first",
        _exchanges,
    ),
    "unanswered": SectionList(
        _oldest_first("created_at"),
        UnansweredPage,
        listing_out,
        "Requests over two weeks old with no exchange from them, the oldest first",
    ),
    "inactive": SectionList(
        (
            Key("quiet_since", "datetime", descending=False),
            Key("joined", "datetime", descending=False),
            Key("pk", "int", descending=False),
        ),
        InactivePage,
        _inactive,
        "Members with no exchange in the last 60 days: those who never had one first, then the "
        "longest quiet",
        # "No exchange yet" (NULL) sorts first, as the selector puts it: before any exchange.
        lambda rows: rows.annotate(
            quiet_since=Coalesce(F("last_exchange"), Value(NEVER, output_field=DateTimeField()))
        ),
    ),
    "only-receiving": SectionList(
        ONE_SIDED_ORDER,
        OneSidedPage,
        lambda row: OneSidedOut(person=person_out(row), times=row.times),
        "Members who received help in the last 12 months and gave none, the most first",
    ),
    "only-giving": SectionList(
        ONE_SIDED_ORDER,
        OneSidedPage,
        lambda row: OneSidedOut(person=person_out(row), times=row.times),
        "Members who gave help in the last 12 months and received none, the most first",
    ),
    "near-limit": SectionList(
        (Key("room", "int", descending=False), Key("pk", "int", descending=False)),
        NearLimitPage,
        _near_limit,
        "Balances within an hour of their lowest or highest, the least room first",
    ),
}


def _register(key: str, section: SectionList) -> None:
    @router.get(
        f"/coordinator/dashboard/{key}",
        response=responses({200: section.page}, 400, 404, 422),
        summary=f"{section.summary} (the dashboard's “see all” list)",
        operation_id=f"coordinator_dashboard_{key.replace('-', '_')}",
    )
    def section_list(request: HttpRequest, page: Query[CursorParams]) -> Any:
        who = caller(request)
        _kind, rows = section_queryset_for(who.person, who.timebank, key)
        found, next_cursor = page_of(section.prepare(rows), section.order, page)
        return section.page(  # type: ignore[call-arg]
            items=[section.row(row) for row in found], limit=page.limit, next_cursor=next_cursor
        )


for _key, _section in LISTS.items():
    _register(_key, _section)
