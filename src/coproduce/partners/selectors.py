"""Reads about partner organisations, referrals and pools, always scoped to the person asking.

Who sees what:
- any member of the time bank sees its organisations, what they offer and need, and their hours;
- a referral is seen by the time bank's coordinators and by the staff of the organisation that
  made it who may refer for it (`OrganisationStaff.may_refer`): its status and outcomes, never
  the person's exchanges or anyone else's referrals;
  its support and risk notes only by coordinators and the referrer (services.referral_notes_view);
- an hour pool is seen by every member; a money pool (personal budgets) only by its holders, the
  time bank's coordinators and the staff of its organisation.
Anyone else is told the thing does not exist.
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Organisation,
    OrganisationStaff,
    Person,
    TimeBank,
)
from coproduce.community.permissions import Standing, standing_in
from coproduce.core.errors import NotFound
from coproduce.exchanges.models import ExchangeStatus, ListingStatus, Offer, Participant, Request
from coproduce.ledger.models import Account, AccountKind, Entry, TransferKind
from coproduce.partners.models import (
    Goal,
    GoalProgress,
    Outcome,
    OutcomeStage,
    Pool,
    PoolSpend,
    Referral,
    ReferralEvent,
    ReferralStatus,
    SpendStatus,
)

# --- who is asking ------------------------------------------------------------------------------


def _member_of(person: Person, timebank: TimeBank | None) -> Standing:
    standing = standing_in(person=person, timebank=timebank)
    if not standing.is_member:
        raise NotFound(_("No such page."))
    return standing


# --- organisations ------------------------------------------------------------------------------


def organisations_for(*, person: Person, timebank: TimeBank | None) -> QuerySet[Organisation]:
    """The time bank's partner organisations, with how many active offers and requests each has
    (one query)."""
    _member_of(person, timebank)
    offers = (
        Offer.objects.filter(organisation=OuterRef("pk"), status=ListingStatus.ACTIVE)
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    requests = (
        Request.objects.filter(organisation=OuterRef("pk"), status=ListingStatus.ACTIVE)
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Organisation.objects.filter(timebank=timebank)
        .annotate(
            offers_count=Coalesce(Subquery(offers, output_field=IntegerField()), Value(0)),
            requests_count=Coalesce(Subquery(requests, output_field=IntegerField()), Value(0)),
        )
        .order_by("name", "pk")
    )


def organisation_get_for(
    person: Person, timebank: TimeBank | None, public_id: UUID | str
) -> tuple[Organisation, Standing]:
    """An organisation of the person's current time bank, and how the person stands to it."""
    standing = _member_of(person, timebank)
    organisation = Organisation.objects.filter(timebank=timebank, public_id=public_id).first()
    if organisation is None:
        raise NotFound(_("No such organisation."))
    return organisation, standing


def organisation_manage_get_for(
    person: Person, timebank: TimeBank | None, public_id: UUID | str
) -> Organisation:
    """For a coordinator's changes (staff, limits): a 404 for anyone else."""
    organisation, standing = organisation_get_for(person, timebank, public_id)
    if not standing.is_coordinator:
        raise NotFound(_("No such page."))
    return organisation


def organisation_edit_get_for(
    person: Person, timebank: TimeBank | None, public_id: UUID | str
) -> Organisation:
    """For editing its description: the time bank's coordinators and the organisation's admins."""
    organisation, standing = organisation_get_for(person, timebank, public_id)
    if not (standing.is_coordinator or standing.is_admin_of(organisation.pk)):
        raise NotFound(_("No such page."))
    return organisation


def organisation_staff_manage_get_for(
    person: Person, timebank: TimeBank | None, public_id: UUID | str
) -> tuple[Organisation, bool]:
    """For managing its staff (inviting, removing, who may refer): the organisation's admins and
    the time bank's coordinators; a 404 for anyone else. Also says whether the asker coordinates
    (only a coordinator invites an organisation's admin)."""
    organisation, standing = organisation_get_for(person, timebank, public_id)
    if not (standing.is_coordinator or standing.is_admin_of(organisation.pk)):
        raise NotFound(_("No such page."))
    return organisation, standing.is_coordinator


def organisation_staff_member(
    organisation: Organisation, person_id: UUID | str
) -> OrganisationStaff:
    """One of the organisation's staff, by their person's public id; a 404 for anyone else."""
    staff = (
        OrganisationStaff.objects.filter(organisation=organisation, person__public_id=person_id)
        .select_related("person")
        .first()
    )
    if staff is None:
        raise NotFound(_("They are not on this organisation's staff."))
    return staff


def organisation_listings(organisation: Organisation) -> tuple[list[Offer], list[Request]]:
    """What it offers and what it needs, active ones only (two queries)."""
    offers = Offer.objects.filter(organisation=organisation, status=ListingStatus.ACTIVE)
    requests = Request.objects.filter(organisation=organisation, status=ListingStatus.ACTIVE)
    return list(offers.order_by("-created_at")), list(requests.order_by("-created_at"))


def organisation_hours(organisation: Organisation) -> dict[str, int]:
    """Minutes members have given the organisation (credits it paid out) and received from it
    (credits paid into its account), over postings that were not reversed (one query).

    The organisation's account is the record: whenever it receives help, pays for members'
    time in a group session or at a co-design meeting, credits leave it; whenever it gives
    help, credits come in.
    """
    totals = (
        Entry.objects.filter(
            account__organisation=organisation,
            account__kind=AccountKind.ORGANISATION,
            account__unit="hour",
            transfer__reversed_by__isnull=True,
        )
        .exclude(transfer__kind=TransferKind.REVERSAL)
        .aggregate(
            given_to_it=Coalesce(Sum(-F("amount"), filter=Q(amount__lt=0)), 0),
            received_from_it=Coalesce(Sum("amount", filter=Q(amount__gt=0)), 0),
            transfers=Count("transfer", distinct=True),
        )
    )
    return {key: int(value) for key, value in totals.items()}


def organisation_staff(organisation: Organisation) -> list[OrganisationStaff]:
    """Its staff, admins first, with each person (one query)."""
    return list(
        OrganisationStaff.objects.filter(organisation=organisation)
        .select_related("person")
        .order_by("role", "person__first_name", "person__username")
    )


def organisation_account(organisation: Organisation) -> Account | None:
    return Account.objects.filter(
        organisation=organisation, kind=AccountKind.ORGANISATION, unit="hour"
    ).first()


# --- referrals ----------------------------------------------------------------------------------


def _first_exchange_at() -> Subquery:
    """When the referred person's first exchange (giving or receiving) was confirmed."""
    return Subquery(
        Participant.objects.filter(
            person=OuterRef("person"),
            timebank=OuterRef("timebank"),
            exchange__status=ExchangeStatus.CONFIRMED,
        )
        .order_by("exchange__confirmed_at")
        .values("exchange__confirmed_at")[:1]
    )


def _visible_referrals(standing: Standing, timebank: TimeBank) -> QuerySet[Referral]:
    referrals = Referral.objects.filter(timebank=timebank)
    if standing.is_coordinator:
        return referrals
    if standing.referring:
        return referrals.filter(organisation_id__in=list(standing.referring))
    raise NotFound(_("No such page."))


def referrals_for(
    *, person: Person, timebank: TimeBank | None, status: str = ""
) -> QuerySet[Referral]:
    """The referrals the person may see, newest first: all of the time bank's for a coordinator,
    their own organisations' for staff; a 404 for anyone else."""
    standing = _member_of(person, timebank)
    assert timebank is not None
    referrals = _visible_referrals(standing, timebank).select_related("organisation", "referred_by")
    if status:
        referrals = referrals.filter(status=status)
    return referrals.order_by("-received_at", "-pk")


def referrals_new(*, timebank: TimeBank) -> QuerySet[Referral]:
    """Referrals received and nobody has contacted the person yet, the longest waiting first:
    the coordinator's dashboard lists them (the caller checks the reader is a coordinator)."""
    return (
        Referral.objects.filter(timebank=timebank, status=ReferralStatus.RECEIVED)
        .select_related("organisation")
        .order_by("received_at", "id")
    )


def referral_get_for(
    person: Person, timebank: TimeBank | None, public_id: UUID | str
) -> tuple[Referral, Standing]:
    standing = _member_of(person, timebank)
    assert timebank is not None
    referral = (
        _visible_referrals(standing, timebank)
        .select_related("organisation", "referred_by", "person", "suggested_offer")
        .filter(public_id=public_id)
        .first()
    )
    if referral is None:
        raise NotFound(_("No such referral."))
    return referral, standing


def may_see_notes(referral: Referral, standing: Standing, person: Person) -> bool:
    """Support and risk notes: the time bank's coordinators and the professional who referred
    (while they may still refer for the organisation)."""
    return standing.is_coordinator or (
        referral.referred_by_id == person.pk and standing.may_refer_for(referral.organisation_id)
    )


def may_record_outcome(referral: Referral, standing: Standing) -> bool:
    return standing.is_coordinator or standing.may_refer_for(referral.organisation_id)


def referral_events(referral: Referral) -> list[ReferralEvent]:
    return list(referral.events.select_related("recorded_by"))


def referral_outcomes_of(referral: Referral) -> dict[str, Outcome]:
    return {o.stage: o for o in referral.outcomes.select_related("recorded_by", "referral")}


def first_exchange_on(referral: Referral) -> datetime | None:
    """When the referred person's first exchange was confirmed (only the moment: who it was
    with and what it was are not the referrer's to see)."""
    if referral.person_id is None:
        return None
    return (
        Referral.objects.filter(pk=referral.pk)
        .annotate(first=_first_exchange_at())
        .values_list("first", flat=True)
        .first()
    )


# Which kinds of help tend to serve each goal, for a first exchange to suggest.
GOAL_CATEGORIES = {
    Goal.LESS_ISOLATED: ["companionship", "creative", "neighbourhood"],
    Goal.MORE_CONFIDENT: ["learning", "creative", "civic"],
    Goal.GET_OUT: ["gardening", "neighbourhood", "transport", "health"],
    Goal.NEW_SKILLS: ["learning", "creative"],
    Goal.GIVE_BACK: ["neighbourhood", "civic", "care"],
    Goal.ACTIVE_HEALTHY: ["health", "gardening"],
}


def offers_suggested_for(referral: Referral, *, limit: int = 5) -> list[Offer]:
    """Active offers in the kinds of help that serve the person's goals, those in their area
    first, then the newest (one query)."""
    categories = {c for goal in referral.goals for c in GOAL_CATEGORIES.get(goal, [])}
    offers = Offer.objects.filter(timebank_id=referral.timebank_id, status=ListingStatus.ACTIVE)
    if categories:
        offers = offers.filter(category__in=categories)
    if referral.person_id:
        offers = offers.exclude(person_id=referral.person_id)
    near = Q(area__iexact=referral.area) if referral.area else Q(pk__in=[])
    return list(
        offers.select_related("person", "organisation")
        .annotate(near=Case(When(near, then=1), default=0, output_field=IntegerField()))
        .order_by("-near", "-created_at")[:limit]
    )


def suggestion_get(referral: Referral, public_id: UUID | str) -> Offer:
    try:
        public_id = UUID(str(public_id))
    except ValueError:  # an empty or garbled form field, not a server error
        raise NotFound(_("That offer is no longer open.")) from None
    offer = Offer.objects.filter(
        timebank_id=referral.timebank_id, status=ListingStatus.ACTIVE, public_id=public_id
    ).first()
    if offer is None:
        raise NotFound(_("That offer is no longer open."))
    return offer


def waiting_days(referral: Referral, *, today: date | None = None) -> int | None:
    """Days an open referral has waited for its next step since it was received (the first
    contact is what people wait for most), or the days it took to be contacted."""
    today = today or timezone.localdate()
    received = timezone.localdate(referral.received_at)
    if referral.contacted_on:
        return (referral.contacted_on - received).days
    if referral.status == ReferralStatus.RECEIVED:
        return (today - received).days
    return None


# --- the referral report and the outcomes figures ------------------------------------------------


def _mean(value: Decimal | float | None) -> float | None:
    # Rounded half up from the decimal text, so both databases (a float average on SQLite, a
    # numeric one on PostgreSQL) give the same figure.
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _summary(referrals: QuerySet[Referral]) -> dict[str, Any]:
    """The figures behind the report and the insights: four aggregate queries."""
    by_stage = {status: 0 for status in ReferralStatus.values}
    for status, n in referrals.order_by().values_list("status").annotate(n=Count("pk")):
        by_stage[status] = n

    waits = [
        (first.date() - received.date()).days
        for received, first in referrals.filter(person__isnull=False)
        .annotate(first=_first_exchange_at())
        .filter(first__isnull=False)
        .values_list("received_at", "first")
    ]
    outcomes = Outcome.objects.filter(referral__in=referrals.values("pk"))
    stages = {
        stage: {"mean": _mean(mean), "n": n}
        for stage, mean, n in outcomes.order_by()
        .values_list("stage")
        .annotate(mean=Avg("metric_score"), n=Count("pk"))
    }
    empty = {"mean": None, "n": 0}
    # People with both a start and a review measure: the change is read on the same people.
    start = Outcome.objects.filter(referral=OuterRef("pk"), stage=OutcomeStage.START)
    review = Outcome.objects.filter(referral=OuterRef("pk"), stage=OutcomeStage.REVIEW)
    paired = (
        referrals.order_by()
        .annotate(
            before=Subquery(start.values("metric_score")[:1]),
            after=Subquery(review.values("metric_score")[:1]),
        )
        .filter(before__isnull=False, after__isnull=False)
        .aggregate(before_mean=Avg("before"), after_mean=Avg("after"), n=Count("pk"))
    )
    change = None
    if paired["n"]:
        change = _mean(Decimal(str(paired["after_mean"])) - Decimal(str(paired["before_mean"])))
    return {
        "referrals": sum(by_stage.values()),
        "by_stage": by_stage,
        "median_days_to_first_exchange": float(statistics.median(waits)) if waits else None,
        "first_exchange_n": len(waits),
        "swemwbs": {
            "before": stages.get(OutcomeStage.START, empty),
            "after": stages.get(OutcomeStage.REVIEW, empty),
            "change": {"mean": change, "n": paired["n"]},
        },
    }


def referral_outcomes(*, timebank: TimeBank, start: date, end: date) -> dict[str, Any]:
    """Referral figures for the time bank's reports, for referrals received from `start` to
    `end` (both included). The shape:

        {"referrals": 12,
         "by_stage": {"received": 1, "contacted": 2, "inducted": 1, "active": 5, "closed": 2,
                      "declined": 0, "unreachable": 1},       # every status, current stage
         "median_days_to_first_exchange": 17.5 | None,         # received → first confirmed
         "first_exchange_n": 6,                                # people behind that median
         "swemwbs": {"before": {"mean": 19.98 | None, "n": 8},  # metric scores at the start
                     "after": {"mean": 22.35 | None, "n": 5},   # at review
                     "change": {"mean": 2.1 | None, "n": 5}}}   # review - start, same people
    """
    tz = timezone.get_current_timezone()
    referrals = Referral.objects.filter(
        timebank=timebank,
        received_at__gte=datetime.combine(start, time.min, tzinfo=tz),
        received_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )
    return _summary(referrals)


def referral_report(
    *, person: Person, timebank: TimeBank | None, organisation: Organisation | None
) -> dict[str, Any]:
    """The report for one organisation (or, for a coordinator, all of them): referrals by month
    and status, time to first exchange, outcomes before and after, goals. Seven queries."""
    standing = _member_of(person, timebank)
    assert timebank is not None
    referrals = _visible_referrals(standing, timebank)
    if organisation is not None:
        if not (standing.is_coordinator or standing.may_refer_for(organisation.pk)):
            raise NotFound(_("No such organisation."))
        referrals = referrals.filter(organisation=organisation)

    months: dict[date, dict[str, int]] = {}
    for month, status, n in (
        referrals.order_by()
        .annotate(month=TruncMonth("received_at"))
        .values_list("month", "status")
        .annotate(n=Count("pk"))
    ):
        key = month.date() if isinstance(month, datetime) else month
        months.setdefault(key, dict.fromkeys(ReferralStatus.values, 0))[status] = n
    rows = [
        {
            "month": month,
            "counts": [counts[s] for s in ReferralStatus.values],
            "total": sum(counts.values()),
        }
        for month, counts in sorted(months.items(), reverse=True)
    ]

    goals: dict[str, dict[str, int]] = {}
    for progress in Outcome.objects.filter(
        referral__in=referrals.values("pk"), stage=OutcomeStage.REVIEW
    ).values_list("goal_progress", flat=True):
        for goal, result in (progress or {}).items():
            if result in GoalProgress.values:
                goals.setdefault(goal, dict.fromkeys(GoalProgress.values, 0))[result] += 1
    goal_rows = [
        {
            "goal": goal,
            "label": str(Goal(goal).label) if goal in Goal.values else _("Their own goal"),
            "counts": [counts[p] for p in GoalProgress.values],
            "n": sum(counts.values()),
        }
        for goal, counts in sorted(goals.items())
    ]
    return {
        "summary": _summary(referrals),
        "months": rows,
        "statuses": [label for _value, label in ReferralStatus.choices],
        "goals": goal_rows,
        "progress_labels": [label for _value, label in GoalProgress.choices],
    }


# --- pools --------------------------------------------------------------------------------------


def _visible_pools(standing: Standing, person: Person, timebank: TimeBank) -> QuerySet[Pool]:
    pools = Pool.objects.filter(timebank=timebank)
    if standing.is_coordinator:
        return pools
    # Hour pools are open to the members, not to someone who has only applied: a pool shows
    # who holds it and who put what in.
    open_to_members = Q(unit="hour") if standing.is_inducted else Q(pk__in=[])
    return pools.filter(
        open_to_members
        | Q(holder_rows__person=person)
        | Q(organisation_id__in=list(standing.staff))
    ).distinct()


def pools_for(*, person: Person, timebank: TimeBank | None) -> QuerySet[Pool]:
    """The pools the person may see, with their account (for the balance) and holders."""
    standing = _member_of(person, timebank)
    assert timebank is not None
    return (
        _visible_pools(standing, person, timebank)
        .select_related("account", "organisation")
        .prefetch_related("holders")
        .order_by("name", "pk")
    )


def pool_get_for(
    person: Person, timebank: TimeBank | None, public_id: UUID | str
) -> tuple[Pool, Standing]:
    standing = _member_of(person, timebank)
    assert timebank is not None
    pool = (
        _visible_pools(standing, person, timebank)
        .select_related("account", "organisation")
        .filter(public_id=public_id)
        .first()
    )
    if pool is None:
        raise NotFound(_("No such pool."))
    return pool, standing


def pool_holder_ids(pool: Pool) -> set[int]:
    return set(pool.holder_rows.values_list("person_id", flat=True))


def pool_contributions(pool: Pool, *, limit: int = 100) -> list[Entry]:
    """Movements into the pool, newest first, with who put them in (one query)."""
    return list(
        Entry.objects.filter(account=pool.account, amount__gt=0)
        .select_related("transfer", "transfer__created_by")
        # The entry's copy of the transfer's moment, served by the account's own index (as
        # `statement_for`): never a walk of every transfer newest first.
        .order_by("-occurred_at", "-pk")[:limit]
    )


def pool_spends(pool: Pool) -> list[PoolSpend]:
    return list(
        PoolSpend.objects.filter(pool=pool)
        .select_related(
            "proposed_by", "approved_by", "payee", "payee__person", "payee__organisation"
        )
        # Pending ones first: they are what holders need to act on.
        .order_by(
            Case(When(status=SpendStatus.PENDING, then=0), default=1, output_field=IntegerField()),
            "-proposed_at",
            "-pk",
        )
    )


def pool_totals(pool: Pool) -> dict[str, int]:
    totals = Entry.objects.filter(account=pool.account).aggregate(
        put_in=Coalesce(Sum("amount", filter=Q(amount__gt=0)), 0),
        spent=Coalesce(Sum(-F("amount"), filter=Q(amount__lt=0)), 0),
    )
    return {key: int(value) for key, value in totals.items()}


def spend_get_for(person: Person, timebank: TimeBank | None, public_id: UUID | str) -> PoolSpend:
    """A pool spend, for one of the pool's holders to decide on."""
    standing = _member_of(person, timebank)
    spend = (
        PoolSpend.objects.filter(timebank=timebank, public_id=public_id)
        .select_related("pool", "pool__account", "payee", "proposed_by")
        .first()
    )
    if spend is None or not (
        standing.is_coordinator or spend.pool.holder_rows.filter(person=person).exists()
    ):
        raise NotFound(_("No such spending proposal."))
    return spend
