"""Reads about people and time banks, always scoped to the person asking."""

from __future__ import annotations

from coproduce.community.models import Membership, MembershipStatus, Person, TimeBank
from coproduce.core.errors import NotFound


def membership_get(*, person: Person, timebank: TimeBank) -> Membership | None:
    return Membership.objects.filter(person=person, timebank=timebank).first()


def is_coordinator(*, person: Person | None, timebank: TimeBank) -> bool:
    if person is None or not person.is_authenticated:
        return False
    return (
        Membership.objects.filter(person=person, timebank=timebank, status=MembershipStatus.ACTIVE)
        .coordinators()
        .exists()
    )


def timebanks_for(person: Person) -> list[Membership]:
    """The time banks a person belongs to (any status but left), for the switcher."""
    return list(
        Membership.objects.filter(person=person)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("timebank")
        .order_by("timebank__name")
    )


def timebank_get_for(person: Person, slug: str) -> TimeBank:
    """A time bank the person belongs to; anyone else is told it does not exist."""
    membership = (
        Membership.objects.filter(person=person, timebank__slug=slug)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("timebank")
        .first()
    )
    if membership is None:
        raise NotFound("No such time bank.")
    return membership.timebank
