"""Which open requests a person is best placed to answer: the other direction of matching, shown
on their home page and the requests list. The same hard filters as for candidates
(`matching.selectors`), with the reasons in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Case,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, Lower, NullIf, Trim
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.blocks import not_blocked_with
from coproduce.community.models import (
    Membership,
    Person,
    SafeguardingCheck,
    TimeBank,
)
from coproduce.community.safeguarding import current_checks, paused_person_ids
from coproduce.exchanges.models import (
    ExchangeStatus,
    ListingStatus,
    Participant,
    Request,
)
from coproduce.matching import scores
from coproduce.matching.index import CATEGORY_BIT, slots_of
from coproduce.matching.models import MatchProfile, MatchTerm, RequestTerm
from coproduce.matching.ranking import OPEN_EXCHANGE, max_score2, weights_of
from coproduce.matching.receivers import pending_refresh
from coproduce.matching.scores import Reason
from coproduce.matching.selectors import settings_for
from coproduce.matching.text import terms_of

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _RequestScores(TypedDict):
    """What `_requests_for_profile` annotates on each Request."""

    skill: int
    place: int
    time: int
    waiting: int
    tie: int
    score2: int


@dataclass
class Suggestion:
    request: Request
    score: int
    reasons: list[Reason]


def _valid_check_kinds(person: Person, timebank_id: int) -> set[str]:
    today = timezone.localdate()
    return set(
        SafeguardingCheck.objects.filter(timebank_id=timebank_id, person=person)
        .filter(current_checks(today))
        .values_list("kind", flat=True)
    )


def requests_for_person(
    person: Person, *, limit: int = 10, timebank: TimeBank | None = None
) -> list[Suggestion]:
    """The open requests this person is best placed to answer (in `timebank`, or in every
    time bank where they are active), best first with the reasons in plain words.

    The same hard filters as for candidates: the person is an active member, it is not their own
    request, its kind of help is not on their "don't match me for" list and needs no check they
    lack, and they have not already been asked to help with it."""
    pending_refresh()  # this transaction's own changes first (matching.receivers)
    profiles = MatchProfile.objects.filter(person=person, active=True).select_related("timebank")
    if timebank is not None:
        profiles = profiles.filter(timebank=timebank)
    suggestions: list[Suggestion] = []
    for profile in profiles:
        suggestions += _requests_for_profile(person, profile, limit)
    suggestions.sort(key=lambda s: (-s.score, s.request.created_at, s.request.pk))
    return suggestions[:limit]


def answerable_requests(person: Person, tb: TimeBank, now: datetime) -> QuerySet[Request]:
    """The hard rules: the time bank's open, unexpired requests that are not the person's own,
    not from someone paused or blocked either way, and that they are not already helping with."""
    return (
        Request.objects.filter(timebank=tb, status=ListingStatus.ACTIVE)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exclude(person=person)
        .exclude(person_id__in=paused_person_ids(tb))
        .filter(not_blocked_with(person.pk))  # conversations (issue 13): blocks
        # The requests of their open exchanges, listed once rather than looked for under every
        # open request (a giver's own exchanges run to hundreds); never a null in the list, for
        # NOT IN a list holding a null would exclude every request.
        .exclude(
            pk__in=Participant.objects.filter(
                person=person,
                exchange__status__in=OPEN_EXCHANGE,
                exchange__request__isnull=False,
            ).values("exchange__request_id")
        )
    )


def _requests_for_profile(person: Person, profile: MatchProfile, limit: int) -> list[Suggestion]:
    tb = profile.timebank
    settings = settings_for(tb)
    w = weights_of(settings)
    now = timezone.now()
    weights = dict(
        MatchTerm.objects.filter(profile=profile)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("term", "weight")
    )
    categories = [t[2:] for t in weights if t.startswith("c:")]
    words = sorted((t for t in weights if not t.startswith("c:")), key=lambda t: (-weights[t], t))
    words = words[:8]
    excluded = [c for c, bit in CATEGORY_BIT.items() if profile.excluded_mask & bit]
    valid = _valid_check_kinds(person, tb.pk)
    excluded += [c for c, kind in (settings.safeguarding or {}).items() if kind not in valid]
    if not categories and not words:
        return []
    # The member's words are matched by equality against each request's own terms
    # (RequestTerm, the same stemmer and synonyms), on an index: never a scan of the text.
    pool = Q(category__in=categories)
    skill_points: Expression = Case(
        When(category__in=categories, then=Value(3)), default=Value(0), output_field=IntegerField()
    )
    if words:
        pool |= Q(
            pk__in=RequestTerm.objects.filter(timebank=tb, term__in=words).values("request_id")
        )
        # How many of the words the request has: COUNT(*) with no GROUP BY (0, never null),
        # read from the (request, term) index alone.
        found = RequestTerm.objects.filter(request_id=OuterRef("pk"), term__in=words).values(
            n=Func(function="COUNT", template="COUNT(*)", output_field=IntegerField())
        )
        skill_points = skill_points + Value(2) * Subquery(found, output_field=IntegerField())
    requests = answerable_requests(person, tb, now).exclude(category__in=excluded).filter(pool)
    any_slot = Q()
    for slot in slots_of(profile.availability_mask):
        any_slot |= Q(availability_text__contains=f'"{slot}"')
    time_score: Expression
    if profile.availability_mask:
        time_score = Case(
            When(availability_text="[]", then=Value(scores.ANY_TIME_SCORE)),
            When(any_slot, then=Value(100)),
            default=Value(0),
            output_field=IntegerField(),
        )
    else:
        time_score = Value(scores.ANY_TIME_SCORE)
    place_score = (
        Case(When(area_lower=profile.area, then=Value(100)), default=Value(0))
        if profile.area
        else Value(0)
    )
    waiting = Case(
        When(created_at__lte=now - timedelta(days=14), then=Value(100)),
        When(created_at__lte=now - timedelta(days=7), then=Value(60)),
        default=Value(20),
        output_field=IntegerField(),
    )
    # Everyone the person has a confirmed exchange with, listed once (not looked for per row).
    exchanged_with = Participant.objects.filter(
        person=person, exchange__status=ExchangeStatus.CONFIRMED
    ).values("exchange__participants__person_id")
    tie = Case(
        When(person_id__in=exchanged_with, then=Value(scores.PAST_TIE_SCORE)),
        When(person__isnull=True, then=Value(0)),
        default=Value(scores.NEW_TIE_SCORE),
        output_field=IntegerField(),
    )
    rows = (
        requests.annotate(
            availability_text=Cast("availability", output_field=TextField()),
            # The request's own area, else where the person asking lives.
            area_lower=Lower(
                Trim(
                    Coalesce(
                        NullIf("area", Value("")),
                        Subquery(
                            Membership.objects.filter(
                                timebank=tb, person_id=OuterRef("person_id")
                            ).values("area")[:1]
                        ),
                        Value(""),
                    )
                )
            ),
        )
        .annotate(
            skill=Least(skill_points * Value(scores.SKILL_POINTS_TO_SCORE), Value(100)),
            place=place_score,
            time=time_score,
            waiting=waiting,
            tie=tie,
        )
        .annotate(
            score2=Value(2 * w["skill"]) * F("skill")
            + Value(2 * w["place"]) * F("place")
            + Value(2 * w["time"]) * F("time")
            + Value(2 * w["new_ties"]) * F("tie")
            + Value(2 * w["fairness"]) * F("waiting")
        )
        .select_related("person", "organisation")
        .order_by("-score2", "created_at", "pk")[:limit]
    )
    best = max_score2(w)
    return [
        Suggestion(
            request=row,
            score=max(0, min(100, round(100 * row.score2 / best))),
            reasons=_request_reasons(row, profile, categories, words, w),
        )
        for row in rows
    ]


def _request_reasons(
    row: WithAnnotations[Request, _RequestScores],
    profile: MatchProfile,
    categories: list[str],
    words: list[str],
    w: dict[str, int],
) -> list[Reason]:
    reasons: list[Reason] = []
    if w["skill"]:
        if row.category in categories:
            reasons.append(
                Reason(
                    "skill",
                    _("you offer %(kind)s") % {"kind": scores.category_label(row.category)},
                )
            )
        found = terms_of(row.title, row.tags, row.description)
        said = [found[t] for t in words if t in found]
        if said:
            reasons.append(
                Reason("skill", _("asks for %(words)s") % {"words": ", ".join(said[:3])})
            )
    if w["place"] and row.place:
        reasons.append(Reason("place", _("in your area")))
    if w["time"] and row.time == 100:
        reasons.append(Reason("time", _("at a time you are usually free")))
    if w["fairness"] and row.waiting == 100:
        reasons.append(Reason("fairness", _("has been waiting for more than two weeks")))
    elif w["fairness"] and row.waiting == 60:
        reasons.append(Reason("fairness", _("has been waiting for more than a week")))
    if w["new_ties"] and row.person is not None:
        name = row.person.display_name
        if row.tie == scores.NEW_TIE_SCORE:
            reasons.append(
                Reason("new_ties", _("you would be a new connection for %(name)s") % {"name": name})
            )
        else:
            reasons.append(
                Reason("new_ties", _("you have exchanged with %(name)s before") % {"name": name})
            )
    return reasons
