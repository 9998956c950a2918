"""The rest of an exchange's life on the web: thanking the people who took part, and a
coordinator's logging of help members already gave each other, resolving of a problem and
reversal of a confirmed exchange (`exchanges.services` decides who may, as for the pages)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Router, Schema, Status

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.referrals import Day
from coproduce.api.schemas import (
    ExchangeDetailOut,
    Minutes,
    MultiLine,
    PartyOut,
    SingleLine,
    exchange_detail_out,
    party,
    responses,
)
from coproduce.api.selectors import member_by_reference
from coproduce.core.categories import Category
from coproduce.core.errors import ApplicationError
from coproduce.exchanges.selectors.exchanges import exchange_get_for
from coproduce.exchanges.services import disputes, feedback
from coproduce.exchanges.services.exchanges import exchange_log_finished

router = Router(tags=["exchanges"])

Detail = responses({200: ExchangeDetailOut}, 404, 409)


class ThanksIn(Schema):
    about: UUID = F(description="The person (or organisation) thanked, by public id.")
    message: MultiLine = F(min_length=1, max_length=1000)
    private: bool = F(False, description="Only they see it (for the person who received help).")


class ThanksOut(Schema):
    exchange: UUID
    about: PartyOut
    message: str
    private: bool


class ResolveIn(Schema):
    outcome: Literal["confirm", "adjust", "cancel"]
    note: MultiLine = F(min_length=1, max_length=1000, description="For both sides.")
    minutes: Minutes | None = F(None, description='With "adjust": the time agreed.')


class ReverseIn(Schema):
    reason: MultiLine = F(min_length=1, max_length=1000)


class LogIn(Schema):
    provider: SingleLine = F(description="Who gave the help, by username or public id.")
    receiver: SingleLine = F(description="Who received it, by username or public id.")
    title: SingleLine = F(min_length=1, max_length=140)
    category: Category
    minutes: Minutes
    done_on: Day
    note: MultiLine = F("", max_length=1000)


@write_operation(
    router,
    "/exchanges/{public_id}/feedback",
    response=responses({201: ThanksOut}, 404, 409),
    summary="Thank someone who took part (once the exchange is confirmed)",
)
def thank(request: HttpRequest, public_id: UUID, payload: ThanksIn) -> Status[ThanksOut]:
    who = caller(request)
    exchange = exchange_get_for(person=who.person, timebank=who.timebank, public_id=public_id)
    about_person = about_organisation = None
    for part in exchange.participants.all():
        if part.person is not None and part.person.public_id == payload.about:
            about_person = part.person
        elif part.organisation is not None and part.organisation.public_id == payload.about:
            about_organisation = part.organisation
    if about_person is None and about_organisation is None:
        raise ApplicationError(
            _("Thank someone who took part in this exchange."), "not_participant"
        )
    given = feedback.feedback_give(
        exchange=exchange,
        author=who.person,
        about_person=about_person,
        about_organisation=about_organisation,
        message=payload.message,
        private=payload.private,
    )
    thanked = about_person or about_organisation
    assert thanked is not None
    return Status(
        201,
        ThanksOut(
            exchange=exchange.public_id,
            about=party(thanked),
            message=given.message,
            private=given.private,
        ),
    )


@write_operation(
    router,
    "/exchanges/log",
    key_required=True,
    response=responses({201: ExchangeDetailOut}, 404, 409),
    summary="Log help members already gave each other: confirmed at once, the credits move "
    "(coordinators)",
)
def log(request: HttpRequest, payload: LogIn) -> Status[ExchangeDetailOut]:
    who = caller(request)
    provider = member_by_reference(timebank=who.timebank, reference=payload.provider)
    receiver = member_by_reference(timebank=who.timebank, reference=payload.receiver)
    logged = exchange_log_finished(
        timebank=who.timebank,
        acting=who.person,
        provider=provider,
        receiver=receiver,
        title=payload.title,
        category=payload.category,
        minutes=payload.minutes,
        done_on=payload.done_on,
        note=payload.note,
    )
    return Status(201, exchange_detail_out(logged, who.person))


@write_operation(
    router,
    "/exchanges/{public_id}/resolve",
    key_required=True,
    response=Detail,
    summary="Settle a problem raised on an exchange (a coordinator who takes no part in it)",
)
def resolve(request: HttpRequest, public_id: UUID, payload: ResolveIn) -> ExchangeDetailOut:
    who = caller(request)
    exchange = exchange_get_for(person=who.person, timebank=who.timebank, public_id=public_id)
    done = disputes.exchange_resolve(
        acting=who.person,
        exchange=exchange,
        outcome=payload.outcome,
        note=payload.note,
        minutes=payload.minutes,
    )
    return exchange_detail_out(done, who.person)


@write_operation(
    router,
    "/exchanges/{public_id}/reverse",
    key_required=True,
    response=Detail,
    summary="Reverse a confirmed exchange's credits (a coordinator who takes no part in it)",
)
def reverse(request: HttpRequest, public_id: UUID, payload: ReverseIn) -> ExchangeDetailOut:
    who = caller(request)
    exchange = exchange_get_for(person=who.person, timebank=who.timebank, public_id=public_id)
    done = disputes.exchange_reverse(exchange=exchange, acting=who.person, reason=payload.reason)
    return exchange_detail_out(done, who.person)
