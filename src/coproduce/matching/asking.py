"""The "Who could help?" section the person who asked sees on their own request's page, which
suggests people and lets them ask one (issue 13). Coordinators keep their own page
(`matching:candidates`, with scores and every reason); this is the member's view of the same
ranking (`matching.selectors.rank_need`), with the same hard filters ("don't match me for",
safeguarding checks, active members only) and blocks (`matching.blocks`).

What a member is shown of each person is only what is safe to show them: what the person offers
(the skill reasons), their area when their privacy choice lets the asker see it
(`community.selectors.areas_visible_to`), when they are free, and whether they would be a new
connection. Never a score, a safeguarding state, a balance, how often they were asked lately,
or a coordinator's notes.

The number of queries does not grow with the number of people suggested: the ranking's few,
then one for their memberships and at most one for whom the asker has exchanged with.
"""

from __future__ import annotations

from dataclasses import dataclass

from coproduce.community.models import Membership, MembershipStatus, Person
from coproduce.community.selectors import areas_visible_to
from coproduce.exchanges.models import ListingStatus, Request
from coproduce.matching import scores
from coproduce.matching.blocks import need_without_blocked
from coproduce.matching.ranking import rank_need
from coproduce.matching.selectors import can_see_candidates, need_of, settings_for

# How many people the asker is shown, and how many of them they may ask to help with one
# request in a day (counted over the last 24 hours, so a few clicks never flood volunteers).
SHOWN = 5
ASKS_PER_REQUEST_PER_DAY = 5


@dataclass(frozen=True)
class Helper:
    """One suggested person, as the person who asked sees them."""

    person: Person
    offers: list[str]  # "offers transport", "can help with lift, surgery"
    area: str | None  # None when they do not share it with the asker
    free: str  # "free on Monday mornings", "" when the request names no time
    new_connection: bool
    already_asked: bool


def may_see_helpers(*, person: Person, membership: Membership | None, request: Request) -> bool:
    """The person who posted the request, active in its time bank, while it is open, when the
    time bank lets people asking for help see who could help them (the default)."""
    return (
        membership is not None
        and membership.status == MembershipStatus.ACTIVE
        and request.person_id == person.pk
        and request.status == ListingStatus.ACTIVE
        and can_see_candidates(
            person=person,
            membership=membership,
            request=request,
            settings=settings_for(request.timebank),
        )
    )


def helpers_for_requester(
    *, request: Request, viewer: Person, membership: Membership | None, limit: int = SHOWN
) -> list[Helper]:
    """The people best placed to help with the viewer's own request, best first, each with the
    reasons a member may read. Partner organisations are left out: members reach them through
    their offers and pages."""
    need = need_without_blocked(need_of(request))
    candidates = [
        c
        for c in rank_need(need, settings_for(request.timebank), limit=limit, request=request)
        if c.person is not None
    ]
    if not candidates:
        return []
    memberships = list(
        Membership.objects.filter(
            timebank_id=request.timebank_id,
            person_id__in=[c.person.pk for c in candidates],  # type: ignore[union-attr]
        ).select_related("person", "timebank")
    )
    areas = areas_visible_to(viewer, membership, memberships)
    helpers = []
    for candidate in candidates:
        person = candidate.person
        assert person is not None  # organisations were left out above
        helpers.append(
            Helper(
                person=person,
                offers=[r.text for r in candidate.reasons if r.signal == "skill"],
                area=areas.get(person.pk) or None,
                free=next((r.text for r in candidate.reasons if r.signal == "time"), ""),
                new_connection=candidate.scores.get("new_ties") == scores.NEW_TIE_SCORE,
                already_asked=candidate.already_invited,
            )
        )
    return helpers
