"""The partners' part of the demo community: a GP practice with referrals at every stage (some
with wellbeing outcomes), an hour pool and a money pool.

Everything goes through the services, so the demo has the same history, audit rows and ledger
postings as real use; only the dates of the referrals' steps are moved into the past afterwards,
so that waiting times and the report have something to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from random import Random

from django.utils import timezone

from coproduce.community.models import (
    Organisation,
    OrganisationKind,
    OrganisationStaff,
    Person,
    StaffRole,
    TimeBank,
)
from coproduce.core.errors import ApplicationError
from coproduce.exchanges.services.exchanges import (
    exchange_agree,
    exchange_confirm,
    exchange_mark_done,
    exchange_propose,
)
from coproduce.ledger.accounts import organisation_account_get_or_open
from coproduce.partners.models import Goal, Referral, ReferralEvent
from coproduce.partners.services.pools import (
    pool_contribute,
    pool_create,
    pool_spend_approve,
    pool_spend_propose,
)
from coproduce.partners.services.referrals import (
    outcome_record,
    referral_create,
    referral_induct,
    referral_move,
)

# (first name, family name, goals, where the referral has got to)
PEOPLE = [
    ("Edna", "Wright", ["less_isolated", "get_out"], "received"),
    ("Tomasz", "Nowak", ["more_confident", "new_skills"], "received"),
    ("Grace", "Mensah", ["less_isolated"], "contacted"),
    ("Derek", "Hall", ["get_out", "active_healthy"], "unreachable"),
    ("Maureen", "Kelly", ["less_isolated"], "declined"),
    ("Yusuf", "Ali", ["give_back", "more_confident"], "inducted"),
    ("Brenda", "Shaw", ["get_out"], "inducted"),
    ("Kwame", "Boateng", ["give_back", "less_isolated"], "active"),
    ("Irene", "Fox", ["less_isolated", "get_out"], "active"),
    ("Colin", "Price", ["active_healthy", "new_skills"], "closed"),
    ("Hazel", "Dunn", ["less_isolated", "more_confident"], "closed"),
]
PATH = ["contacted", "inducted", "active", "closed"]


def _gp_practice(timebank: TimeBank, dr_patel: Person) -> Organisation:
    staff = (
        OrganisationStaff.objects.filter(
            person=dr_patel, timebank=timebank, organisation__kind=OrganisationKind.GP_PRACTICE
        )
        .select_related("organisation")
        .first()
    )
    if staff is not None:
        return staff.organisation
    practice, _created = Organisation.objects.get_or_create(
        timebank=timebank,
        slug="old-town-medical-practice",
        defaults={"name": "Old Town Medical Practice", "kind": OrganisationKind.GP_PRACTICE},
    )
    organisation_account_get_or_open(organisation=practice)
    OrganisationStaff.objects.get_or_create(
        organisation=practice,
        person=dr_patel,
        defaults={"timebank": timebank, "role": StaffRole.PROFESSIONAL},
    )
    return practice


def _items(rng: Random, low: int, high: int) -> list[int]:
    return [rng.randint(low, high) for _ in range(7)]


def partners_demo_build(
    *,
    timebank: TimeBank,
    rng: Random,
    carol: Person,
    dr_patel: Person,
    sam: Person,
    members: Sequence[Person],
) -> dict[str, int]:
    """Add the partners' demo to a time bank. `carol` is an active coordinator, `dr_patel` a
    member (he is made staff of a GP practice if he is not already), `sam` staff of an
    organisation (the money pool is his organisation's), and `members` at least four active
    members (helpers for first exchanges, pool holders and contributors).
    Returns how many of each thing it made."""
    if len(members) < 4:
        raise ApplicationError("The partners' demo needs at least four active members.")
    practice = _gp_practice(timebank, dr_patel)
    today = timezone.localdate()
    made = {"referrals": 0, "outcomes": 0, "first_exchanges": 0, "pools": 0, "pool_spends": 0}
    for n, (first, last, goals, stage) in enumerate(PEOPLE):
        referral = referral_create(
            timebank=timebank,
            acting=dr_patel,
            organisation=practice,
            first_name=first,
            last_name=last,
            phone=f"07700 900{100 + n:03d}",
            contact_preference="phone",
            area=rng.choice(["Old Town", "Riverside", "Northbank", ""]),
            what_matters=rng.choice(
                [
                    "Getting out of the flat, and company.",
                    "Feeling useful again after retiring.",
                    "Meeting people nearby since moving here.",
                ]
            ),
            goals=[g for g in goals if g in Goal.values],
            support_notes=rng.choice(["", "Uses a walking frame.", "Low mood; prefers mornings."]),
            consent=True,
            consent_given_by=f"{first} {last}",
            consent_given_on=today,
            consent_how=rng.choice(["verbal", "written"]),
        )
        made["referrals"] += 1
        # The referral came in some weeks ago; each step follows a few days after the last.
        received = today - timedelta(days=rng.randint(30, 150))
        # Consent was given at the appointment that made the referral, never after it came in.
        Referral.objects.filter(pk=referral.pk).update(
            received_at=referral.received_at - (today - received), consent_given_on=received
        )
        ReferralEvent.objects.filter(referral=referral).update(occurred_on=received)
        referral.refresh_from_db()
        on = received
        exits = {
            "received": [],
            "unreachable": ["unreachable"],
            "declined": ["contacted", "declined"],
        }
        steps = exits[stage] if stage in exits else PATH[: PATH.index(stage) + 1]
        for step in steps:
            on = min(today, on + timedelta(days=rng.randint(2, 12)))
            if step == "inducted":
                referral = referral_induct(referral=referral, acting=carol, inducted_on=on)
            else:
                referral = referral_move(
                    referral=referral,
                    acting=carol,
                    to_status=step,
                    on=on,
                    reason={
                        "unreachable": "No answer to three calls and a letter.",
                        "declined": "Decided the time bank is not for them just now.",
                    }.get(step, ""),
                )
            if step == "inducted":
                made["outcomes"] += _outcome(referral, dr_patel, "start", on, rng)
            if step == "active":
                made["first_exchanges"] += _first_exchange(timebank, referral, members, rng)
            if step == "closed":
                made["outcomes"] += _outcome(referral, carol, "review", on, rng)
    made["pools"], made["pool_spends"] = _pools(timebank, rng, sam, members)
    return made


def _outcome(referral: Referral, acting: Person, stage: str, on: date, rng: Random) -> int:
    low, high = (1, 3) if stage == "start" else (3, 5)
    goals = list(referral.goals) + (["other"] if referral.other_goal else [])
    outcome_record(
        referral=referral,
        acting=acting,
        stage=stage,
        measured_on=on,
        items=_items(rng, low, high),
        goal_progress={g: rng.choice(["met", "partly", "met", "not_met"]) for g in goals}
        if stage == "review"
        else None,
        own_words=rng.choice(
            ["I look forward to Tuesdays now.", "I've made a friend on my street.", ""]
        )
        if stage == "review"
        else "",
    )
    return 1


def _first_exchange(
    timebank: TimeBank, referral: Referral, members: Sequence[Person], rng: Random
) -> int:
    helper = rng.choice(list(members))
    person = referral.person
    assert person is not None
    exchange = exchange_propose(
        timebank=timebank,
        acting=helper,
        providers=[helper],
        receivers=[person],
        title=rng.choice(["A walk to the park", "Tea and a chat", "Help with a form"]),
        category=rng.choice(["companionship", "health", "admin"]),
        expected_minutes=60,
    )
    exchange_agree(exchange=exchange, acting=person)
    exchange_mark_done(exchange=exchange, acting=helper, actual_minutes=60)
    exchange_confirm(exchange=exchange, acting=person)
    return 1


def _pools(
    timebank: TimeBank, rng: Random, sam: Person, members: Sequence[Person]
) -> tuple[int, int]:
    first, second, third, fourth = list(members)[:4]
    garden = pool_create(
        timebank=timebank,
        acting=first,
        name="Old Town community garden",
        description="Hours clubbed together for the garden's heavy jobs.",
        unit="hour",
        holders=[first, second],
        approvals_required=2,
    )
    for person in (first, second, third, fourth):
        try:
            pool_contribute(pool=garden, acting=person, amount=rng.choice([60, 90, 120]))
        except ApplicationError:
            continue  # a demo member already at their limit gives nothing this time
    spends = 0
    spend = pool_spend_propose(
        pool=garden, acting=first, payee=third, amount=60, purpose="Clearing the pond"
    )
    try:
        pool_spend_approve(spend=spend, acting=second)
        spends += 1
    except ApplicationError:
        pass
    try:
        pool_spend_propose(
            pool=garden, acting=second, payee=fourth, amount=30, purpose="Mending the shed door"
        )
        spends += 1
    except ApplicationError:
        pass  # the garden's hours are already spoken for

    organisation = (
        Organisation.objects.filter(timebank=timebank, staff__person=sam).order_by("pk").first()
    )
    budgets = pool_create(
        timebank=timebank,
        acting=sam if organisation is not None else third,
        name="Shared support budget",
        description="Personal budgets clubbed together to share a support worker.",
        unit="GBP",
        holders=[third, fourth],
        approvals_required=2,
        organisation=organisation,
    )
    pool_contribute(pool=budgets, acting=third, amount=12000)
    pool_contribute(pool=budgets, acting=fourth, amount=9500)
    if organisation is not None:
        spend = pool_spend_propose(
            pool=budgets,
            acting=third,
            payee=organisation,
            amount=15000,
            purpose="Support worker, four weeks",
        )
        pool_spend_approve(spend=spend, acting=fourth)
        spends += 1
    return 2, spends
