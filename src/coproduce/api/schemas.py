"""What the API sends and accepts. Times are integer minutes, with "h:mm" beside them for
people; every identifier is a public UUID, never a database id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, StrictInt

from coproduce.api.pagination import CursorPage
from coproduce.community.models import Organisation, Person
from coproduce.core.categories import Category
from coproduce.core.text import text_problem
from coproduce.core.units import format_hmm
from coproduce.exchanges.models import Exchange, Offer, PaidBy, Request, Side
from coproduce.exchanges.selectors.exchanges import (
    exchange_actions_for,
    exchange_is_reversed,
    exchange_standing,
)
from coproduce.ledger.statements import Statement, StatementRow, Totals

# --- shared -----------------------------------------------------------------------------------


def _single_line(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _multi_line(value: str) -> str:
    problem = text_problem(value, multiline=True)
    if problem:
        raise ValueError(problem)
    return value


# Text a person may type (coproduce.core.text): no control characters in a single line; tab and
# line breaks allowed in multi-line text. Every string the API reads is one of these.
SingleLine = Annotated[str, AfterValidator(_single_line)]
MultiLine = Annotated[str, AfterValidator(_multi_line)]
# Amounts are whole minutes sent as JSON integers: not true, "2" or 2.5.
Minutes = StrictInt
FIRST_YEAR, LAST_YEAR = 1900, 9998


def _moment(value: datetime) -> datetime:
    """A time a person means: without an offset it is the site's local time, and it must fall
    in years both databases can store whatever the offset (9999-12-31T23:59-23:59 cannot)."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=timezone.get_current_timezone())
    try:
        year = value.astimezone(UTC).year
    except OverflowError:
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            _("Give a date between the years %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return value


Moment = Annotated[datetime, AfterValidator(_moment)]


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, for a person.")
    code: str = Field(description="The same, for a program: such as not_found or bad_minutes.")


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(
        description="Where: body, query, path or header, then the field (and list index)."
    )
    msg: str
    type: str


class InvalidOut(Schema):
    detail: list[FieldErrorOut] = Field(description="Each field that is wrong, and why.")
    code: Literal["invalid_request"]


ERROR_BODIES: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: InvalidOut,
}


def responses(success: dict[int, Any], *errors: int) -> dict[int, Any]:
    """An operation's documented answers: its success, 401 for a missing or refused token, and
    each error status it can send, with the body sent (`api/errors.py` builds them)."""
    documented = dict(success)
    for status in (401, *errors):
        documented.setdefault(status, ERROR_BODIES[status])
    return documented


class Hours(Schema):
    minutes: int
    hmm: str = Field(description='The same time as people write it: "1:30".')


def hours(minutes: int) -> Hours:
    return Hours(minutes=minutes, hmm=format_hmm(minutes))


class PartyOut(Schema):
    kind: Literal["person", "organisation"]
    public_id: UUID
    name: str


def party(who: Person | Organisation) -> PartyOut:
    if isinstance(who, Organisation):
        return PartyOut(kind="organisation", public_id=who.public_id, name=who.name)
    return PartyOut(kind="person", public_id=who.public_id, name=who.display_name)


# --- me ---------------------------------------------------------------------------------------


class PersonOut(Schema):
    public_id: UUID
    username: str
    display_name: str


def person_out(person: Any) -> PersonOut:
    """Who someone is, as every answer names people: a Person, or anything with its three
    fields."""
    return PersonOut(
        public_id=person.public_id, username=person.username, display_name=person.display_name
    )


class TimeBankOut(Schema):
    public_id: UUID
    slug: str
    name: str


class TokenOut(Schema):
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None


class MeOut(Schema):
    person: PersonOut
    timebank: TimeBankOut
    role: str
    area: str
    balance: Hours
    token: TokenOut


# --- listings ---------------------------------------------------------------------------------


class ListingIn(Schema):
    title: SingleLine = Field(max_length=140)
    category: Category
    description: MultiLine = Field("", max_length=5000)
    tags: list[SingleLine] = Field(default_factory=list, max_length=20)
    area: SingleLine = Field("", max_length=80, description="Blank means your own area.")
    availability: list[SingleLine] = Field(
        default_factory=list, description='Slots such as "mon_am", "sat_pm"; empty means any time.'
    )


class PhotoOut(Schema):
    url: str = Field(description="Where to fetch it: a path on this site, under /media/.")
    alt: str = Field(description="What it shows, for people who cannot see it.")


def photo_out(photo: Any, alt: str) -> PhotoOut | None:
    return PhotoOut(url=photo.url, alt=alt) if photo else None


class ListingOut(Schema):
    public_id: UUID
    kind: Literal["offer", "request"]
    title: str
    description: str
    category: str
    tags: list[str]
    area: str
    availability: list[str]
    status: str
    owner: PartyOut | None
    photo: PhotoOut | None = Field(description="Its photo, if it has one.")
    created_at: datetime
    expires_at: datetime | None


class ListingPage(CursorPage):
    items: list[ListingOut]


def listing_out(listing: Offer | Request) -> ListingOut:
    owner = listing.person or listing.organisation
    return ListingOut(
        public_id=listing.public_id,
        kind="offer" if isinstance(listing, Offer) else "request",
        title=listing.title,
        description=listing.description,
        category=listing.category,
        tags=[t.strip() for t in listing.tags.split(",") if t.strip()],
        area=listing.area,
        availability=list(listing.availability or []),
        status=listing.status,
        owner=party(owner) if owner is not None else None,
        photo=photo_out(listing.photo, listing.photo_alt),
        created_at=listing.created_at,
        expires_at=listing.expires_at,
    )


# --- exchanges --------------------------------------------------------------------------------


class ProposeIn(Schema):
    offer: UUID | None = Field(None, description="Answer this offer: its owner gives, you receive.")
    request: UUID | None = Field(
        None, description="Answer this request: you give, its owner receives."
    )
    role: Literal["giving", "receiving"] | None = Field(
        None, description="Without an offer or request: whether you give or receive the help."
    )
    others: list[SingleLine] = Field(
        default_factory=list,
        max_length=50,
        description="Without an offer or request: the other people, by username or public id.",
    )
    title: SingleLine = Field(
        "", max_length=140, description="Defaults to the offer's or request's."
    )
    category: Category | None = Field(None, description="Defaults to the offer's or request's.")
    minutes: Minutes = Field(description="How long it is expected to take, in minutes.")
    scheduled_for: Moment | None = None
    notes: MultiLine = Field("", max_length=1000)
    paid_by: PaidBy = PaidBy.RECEIVERS
    paying_organisation: UUID | None = None


class DoneIn(Schema):
    minutes: Minutes = Field(description="How long the help actually took, in minutes.")


class CancelIn(Schema):
    reason: MultiLine = Field("", max_length=1000)


class DisputeIn(Schema):
    reason: MultiLine = Field(max_length=1000, description="What went wrong, for the coordinator.")


class ParticipantOut(Schema):
    side: Literal["provider", "receiver"]
    party: PartyOut
    confirmed: bool = Field(description="A receiver who has confirmed the help was given.")


class ExchangeOut(Schema):
    public_id: UUID
    title: str
    category: str
    status: str
    expected: Hours
    actual: Hours | None
    scheduled_for: datetime | None
    proposed_by: PartyOut
    participants: list[ParticipantOut]
    paid_by: str
    offer: UUID | None
    request: UUID | None
    transfer: UUID | None
    reversed: bool
    created_at: datetime
    agreed_at: datetime | None
    done_at: datetime | None
    confirmed_at: datetime | None
    cancelled_at: datetime | None


class ExchangeDetailOut(ExchangeOut):
    notes: str
    dispute_reason: str
    actions: list[str] = Field(description="What you may do to it now.")


class ExchangePage(CursorPage):
    items: list[ExchangeOut]


def _exchange_fields(exchange: Exchange) -> dict:
    participants = [
        ParticipantOut(
            side=Side(p.side).value,  # type: ignore[arg-type]
            party=party(p.person or p.organisation),  # type: ignore[arg-type]
            confirmed=p.confirmed_at is not None,
        )
        for p in exchange.participants.all()
    ]
    return {
        "public_id": exchange.public_id,
        "title": exchange.title,
        "category": exchange.category,
        "status": exchange.status,
        "expected": hours(exchange.expected_minutes),
        "actual": hours(exchange.actual_minutes) if exchange.actual_minutes is not None else None,
        "scheduled_for": exchange.scheduled_for,
        "proposed_by": party(exchange.proposed_by),
        "participants": participants,
        "paid_by": exchange.paid_by,
        "offer": exchange.offer.public_id if exchange.offer_id else None,  # type: ignore[union-attr]
        "request": exchange.request.public_id if exchange.request_id else None,  # type: ignore[union-attr]
        "transfer": exchange.transfer.public_id if exchange.transfer_id else None,  # type: ignore[union-attr]
        "reversed": exchange_is_reversed(exchange),
        "created_at": exchange.created_at,
        "agreed_at": exchange.agreed_at,
        "done_at": exchange.done_at,
        "confirmed_at": exchange.confirmed_at,
        "cancelled_at": exchange.cancelled_at,
    }


def exchange_out(exchange: Exchange) -> ExchangeOut:
    return ExchangeOut(**_exchange_fields(exchange))


def exchange_detail_out(exchange: Exchange, person: Person) -> ExchangeDetailOut:
    me = exchange_standing(exchange=exchange, person=person)
    return ExchangeDetailOut(
        **_exchange_fields(exchange),
        notes=exchange.notes,
        dispute_reason=exchange.dispute_reason,
        actions=sorted(exchange_actions_for(exchange=exchange, person=person, me=me)),
    )


# --- account ----------------------------------------------------------------------------------


class TotalsOut(Schema):
    given: Hours
    received: Hours
    donated: Hours
    gifts_received: Hours


def totals_out(totals: Totals) -> TotalsOut:
    return TotalsOut(
        given=hours(totals.given),
        received=hours(totals.received),
        donated=hours(totals.donated),
        gifts_received=hours(totals.gifts_received),
    )


class StatementRowOut(Schema):
    occurred_at: datetime
    kind: str
    description: str
    other_party: str
    minutes_in: int
    minutes_out: int
    balance: Hours = Field(description="The balance after this entry.")


def statement_row_out(row: StatementRow) -> StatementRowOut:
    return StatementRowOut(
        occurred_at=row.occurred_at,
        kind=row.kind,
        description=row.description,
        other_party=row.other_party,
        minutes_in=row.minutes_in,
        minutes_out=row.minutes_out,
        balance=hours(row.balance),
    )


class StatementOut(CursorPage):
    balance: Hours
    opening: Hours
    closing: Hours
    all_time: TotalsOut
    in_period: TotalsOut
    items: list[StatementRowOut] = Field(description="Newest first.")


def statement_out(
    statement: Statement | None,
    rows: list[StatementRow],
    *,
    balance: int,
    limit: int,
    next_cursor: str | None,
) -> StatementOut:
    empty = Totals()
    return StatementOut(
        balance=hours(balance),
        opening=hours(statement.opening if statement else 0),
        closing=hours(statement.closing if statement else 0),
        all_time=totals_out(statement.all_time if statement else empty),
        in_period=totals_out(statement.in_period if statement else empty),
        items=[statement_row_out(row) for row in rows],
        limit=limit,
        next_cursor=next_cursor,
    )


class GiftIn(Schema):
    to: Literal["chest", "member"]
    member: SingleLine | None = Field(
        None, description='With "to": "member": their username or public id.'
    )
    minutes: Minutes = Field(description="How much to give, in minutes.")
    note: SingleLine = Field("", max_length=200)


class GiftOut(Schema):
    transfer: UUID
    to: PartyOut | None = Field(description="The member given to; null for the community chest.")
    amount: Hours
    memo: str
    created_at: datetime
