"""More of a referral, as on /referrals/<id>/: its support and risk notes (for a coordinator or
the referrer only; each read is recorded by `referral_notes_view`, as opening the notes page is,
and only one referral's notes are read at a time), the wellbeing measure at the start or at
review (`outcome_record`: coordinators, or the referring organisation's staff who may refer),
and a coordinator's suggestion of an offer for the person's first exchange
(`referral_suggest_offer`). Anyone else is told there is no such referral (404).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Router, Schema, Status

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.referrals import Day, ReferralDetailOut, _detail, _for_coordinator
from coproduce.api.schemas import MultiLine, responses
from coproduce.core.errors import NotFound
from coproduce.partners import selectors
from coproduce.partners.models import GoalProgress, Outcome, OutcomeStage
from coproduce.partners.services import referrals as services
from coproduce.partners.swemwbs import ITEMS

router = Router(tags=["referrals"])


class NotesOut(Schema):
    support_notes: str = F(description="Support and risk notes; this read is recorded.")


class OutcomeIn(Schema):
    stage: OutcomeStage
    measured_on: Day
    items: list[int] = F(
        min_length=len(ITEMS),
        max_length=len(ITEMS),
        description="The seven SWEMWBS answers in order, each 1 (none of the time) to 5.",
    )
    goal_progress: dict[str, GoalProgress] = F(
        default_factory=dict,
        max_length=20,
        description="At review: how each of their goals went (goal code → met, partly, not_met).",
    )
    own_words: MultiLine = F("", max_length=2000)


class OutcomeOut(Schema):
    public_id: UUID
    stage: OutcomeStage
    measured_on: Day
    raw_total: int
    metric_score: Decimal
    goal_progress: dict[str, str]
    own_words: str
    recorded_at: datetime


class SuggestionIn(Schema):
    offer: UUID = F(description="An open offer of this time bank.")


@router.get(
    "/referrals/{public_id}/notes",
    response=responses({200: NotesOut}, 404, 422),
    summary="A referral's support and risk notes (a coordinator or the referrer; each read is "
    "recorded)",
)
def notes(request: HttpRequest, public_id: UUID) -> NotesOut:
    who = caller(request)
    found, _standing = selectors.referral_get_for(who.person, who.timebank, public_id)
    return NotesOut(support_notes=services.referral_notes_view(referral=found, viewer=who.person))


def _outcome_out(outcome: Outcome) -> OutcomeOut:
    return OutcomeOut(
        public_id=outcome.public_id,
        stage=OutcomeStage(outcome.stage),
        measured_on=outcome.measured_on,
        raw_total=outcome.raw_total,
        metric_score=outcome.metric_score,
        goal_progress=dict(outcome.goal_progress or {}),
        own_words=outcome.own_words,
        recorded_at=outcome.recorded_at,
    )


@write_operation(
    router,
    "/referrals/{public_id}/outcomes",
    response=responses({201: OutcomeOut}, 404, 409),
    summary="Record the wellbeing measure at the start or at review",
)
def outcome_record(request: HttpRequest, public_id: UUID, payload: OutcomeIn) -> Status[OutcomeOut]:
    who = caller(request)
    found, standing = selectors.referral_get_for(who.person, who.timebank, public_id)
    if not selectors.may_record_outcome(found, standing):
        raise NotFound(_("No such page."))
    outcome = services.outcome_record(
        referral=found,
        acting=who.person,
        stage=str(payload.stage),
        measured_on=payload.measured_on,
        items=payload.items,
        goal_progress={goal: str(progress) for goal, progress in payload.goal_progress.items()},
        own_words=payload.own_words,
    )
    return Status(201, _outcome_out(outcome))


@write_operation(
    router,
    "/referrals/{public_id}/suggestion",
    response=responses({200: ReferralDetailOut}, 404, 409),
    summary="Suggest an open offer for the person's first exchange (coordinators)",
)
def suggest(request: HttpRequest, public_id: UUID, payload: SuggestionIn) -> ReferralDetailOut:
    who = caller(request)
    found = _for_coordinator(request, public_id)
    offer = selectors.suggestion_get(found, payload.offer)
    return _detail(services.referral_suggest_offer(referral=found, acting=who.person, offer=offer))
