"""Blocking a person (issue 13): the member's own way to stop someone reaching them.

A block works both ways: once either of two people has blocked the other, they cannot message
each other (conversations), propose an exchange to each other (exchanges' propose service) or be
suggested to each other (matching). It lives in community, below those apps, so each of them asks
`is_blocked_between` here. Only the person who blocked can lift it; nobody is told either way.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from coproduce.community.models import Block, Person
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError


def is_blocked_between(a: Person | int, b: Person | int) -> bool:
    """Whether either of the two people has blocked the other (one query)."""
    a_id = a if isinstance(a, int) else a.pk
    b_id = b if isinstance(b, int) else b.pk
    return Block.objects.filter(
        Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)
    ).exists()


def blocked_ids_of(person: Person | int) -> set[int]:
    """Everyone `person` has blocked or is blocked by: the people never put in front of them
    (one query)."""
    pid = person if isinstance(person, int) else person.pk
    pairs = Block.objects.filter(Q(blocker_id=pid) | Q(blocked_id=pid)).values_list(
        "blocker_id", "blocked_id"
    )
    return {other for pair in pairs for other in pair if other != pid}


def not_blocked_with(person_id: int, field: str = "person_id") -> Q:
    """A filter leaving out the rows whose `field` names someone who blocked, or was blocked by,
    the person: a subquery, so it adds no query of its own (matching's hard filters)."""
    blocked = Block.objects.filter(blocker_id=person_id).values("blocked_id")
    blockers = Block.objects.filter(blocked_id=person_id).values("blocker_id")
    return ~Q(**{f"{field}__in": blocked}) & ~Q(**{f"{field}__in": blockers})


def blocks_by(person: Person) -> list[Person]:
    """The people `person` has blocked, by name (what they may unblock)."""
    return list(
        Person.objects.filter(
            pk__in=Block.objects.filter(blocker=person).values("blocked_id")
        ).order_by("first_name", "last_name", "username")
    )


@transaction.atomic
def block_create(*, blocker: Person, blocked: Person) -> Block:
    """`blocker` blocks `blocked`; blocking someone already blocked changes nothing."""
    if blocker.pk == blocked.pk:
        raise ApplicationError(_("You cannot block yourself."), "block_self")
    existing = Block.objects.filter(blocker=blocker, blocked=blocked).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # two clicks at once: the second finds the first's row
            block = Block.objects.create(blocker=blocker, blocked=blocked)
    except IntegrityError:
        return Block.objects.get(blocker=blocker, blocked=blocked)
    audit_record(action="person.blocked", actor=blocker, target=f"person:{blocked.public_id}")
    return block


@transaction.atomic
def block_remove(*, blocker: Person, blocked: Person) -> bool:
    """`blocker` lifts their block on `blocked`; True when there was one."""
    deleted, _rows = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    if deleted:
        audit_record(action="person.unblocked", actor=blocker, target=f"person:{blocked.public_id}")
    return bool(deleted)
