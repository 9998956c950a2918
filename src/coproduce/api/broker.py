"""A coordinator's matching work, as on /matching/queue/ and /matching/settings/: the broker queue
(open requests nobody is arranged for yet, the longest waiting first, each with the best person
to ask: `matching.broker_queue`), and the time bank's matching settings (how much each signal
weighs, whether people asking for help may see who could help them, which kinds of help need
which check), read and changed through `matching.services.settings_update`, which checks every
value and records what changed, as the page does.

For an active coordinator of the token's time bank only (`coordinator_membership_for`): anyone
else is told there is no such thing (404), as on the web.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field as F
from ninja import Query, Router, Schema
from pydantic import StrictInt

from coproduce.api.auth import Caller, caller
from coproduce.api.idempotency import write_operation
from coproduce.api.matching import CandidateOut, ReasonOut
from coproduce.api.pagination import CursorPage, CursorParams, Key, page_of
from coproduce.api.schemas import ListingOut, listing_out, party, responses
from coproduce.community.models import CheckKind
from coproduce.community.selectors import coordinator_membership_for
from coproduce.core.categories import Category
from coproduce.matching import selectors, services
from coproduce.matching.broker_queue import broker_queue_rows, open_requests_by_waiting
from coproduce.matching.models import MatchingSettings
from coproduce.matching.ranking import Candidate

router = Router(tags=["coordinators"])

# As the queue's own order: the longest waiting first.
LONGEST_WAITING = (
    Key("created_at", "datetime", descending=False),
    Key("pk", "int", descending=False),
)


def _coordinator(request: HttpRequest) -> Caller:
    who = caller(request)
    coordinator_membership_for(who.person, who.timebank)
    return who


# --- the broker queue ---------------------------------------------------------------------------


class QueueRowOut(Schema):
    request: ListingOut
    waiting_days: int = F(description="Whole days since it was asked.")
    best: CandidateOut | None = F(description="The best person to ask; null if none is suggested.")


class QueuePage(CursorPage):
    items: list[QueueRowOut]


def _best(candidate: Candidate | None) -> CandidateOut | None:
    if candidate is None:
        return None
    who = candidate.person if candidate.person is not None else candidate.organisation
    assert who is not None
    return CandidateOut(
        who=party(who),
        score=candidate.score,
        scores=dict(candidate.scores),
        # A coordinator's queue: the fairness reasons too, as on the page.
        reasons=[ReasonOut(signal=r.signal, text=str(r.text)) for r in candidate.reasons],
        already_invited=candidate.already_invited,
    )


@router.get(
    "/matching/queue",
    response=responses({200: QueuePage}, 400, 404, 422),
    summary="The broker queue: open requests nobody is arranged for, the longest waiting first, "
    "each with the best person to ask (coordinators)",
)
def queue(request: HttpRequest, page: Query[CursorParams]) -> QueuePage:
    who = _coordinator(request)
    found, next_cursor = page_of(open_requests_by_waiting(who.timebank), LONGEST_WAITING, page)
    return QueuePage(
        items=[
            QueueRowOut(
                request=listing_out(row.request),
                waiting_days=row.waiting_days,
                best=_best(row.best),
            )
            for row in broker_queue_rows(found)
        ],
        limit=page.limit,
        next_cursor=next_cursor,
    )


# --- matching settings --------------------------------------------------------------------------


class MatchingSettingsOut(Schema):
    weight_skill: int = F(description="What they can do: 0 (ignore it) to 10 (matters most).")
    weight_place: int = F(description="How near they live.")
    weight_time: int = F(description="When they are free.")
    weight_fairness: int = F(description="Giving everyone a chance to give.")
    weight_new_ties: int = F(description="New connections.")
    requester_sees_candidates: bool = F(
        description="People asking for help may see who could help them."
    )
    checks_needed: dict[Category, CheckKind] = F(
        description="The check a helper needs for each kind of help that needs one."
    )


class MatchingSettingsIn(Schema):
    """Every field is optional: what is left out stays as it is. Each weight is a whole number
    from 0 to 10 and at least one must be more than 0 (a wrong value is a 400 naming the rule,
    and nothing changes)."""

    weight_skill: StrictInt | None = None
    weight_place: StrictInt | None = None
    weight_time: StrictInt | None = None
    weight_fairness: StrictInt | None = None
    weight_new_ties: StrictInt | None = None
    requester_sees_candidates: bool | None = None
    checks_needed: dict[Category, CheckKind] | None = F(
        None,
        description="The whole list: kinds of help left out need no check (the time bank's own "
        "kinds keep theirs, set with its settings).",
    )


def _settings_out(current: MatchingSettings) -> MatchingSettingsOut:
    return MatchingSettingsOut(
        **{name: getattr(current, name) for name in services.SETTINGS_WEIGHTS},
        requester_sees_candidates=current.requester_sees_candidates,
        checks_needed={Category(c): CheckKind(k) for c, k in _standard_checks(current).items()},
    )


def _standard_checks(current: MatchingSettings) -> dict[str, str]:
    # The page edits the usual kinds of help; the time bank's own kinds are its settings'.
    return {c: k for c, k in current.safeguarding.items() if c in Category.values}


@router.get(
    "/matching/settings",
    response=responses({200: MatchingSettingsOut}, 404),
    summary="How the time bank's matching weighs each signal, and which help needs a check",
)
def settings_read(request: HttpRequest) -> MatchingSettingsOut:
    who = _coordinator(request)
    return _settings_out(selectors.settings_for(who.timebank))


@write_operation(
    router,
    "/matching/settings",
    method="PATCH",
    idempotent=False,
    response=responses({200: MatchingSettingsOut}, 404),
    summary="Change the matching settings: only the fields sent change",
)
def settings_update(request: HttpRequest, payload: MatchingSettingsIn) -> MatchingSettingsOut:
    who = _coordinator(request)
    current = selectors.settings_for(who.timebank)
    sent = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    checks = sent.pop("checks_needed", None)
    safeguarding = (
        {str(c): str(k) for c, k in checks.items()}
        if checks is not None
        else _standard_checks(current)
    )
    changes = {name: getattr(current, name) for name in services.SETTINGS_WEIGHTS}
    changes["requester_sees_candidates"] = current.requester_sees_candidates
    changes.update(sent)
    done = services.settings_update(
        timebank=who.timebank, acting=who.person, safeguarding=safeguarding, **changes
    )
    return _settings_out(done)
