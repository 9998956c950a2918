"""What the demo builds after its bulk write, through the apps' own services: referrals,
pools and a co-design project (so every credit goes through the ledger like any other), a
current safeguarding check for everyone who gives care, and the shared demo password for
people referred in.
"""

from __future__ import annotations

from datetime import timedelta
from random import Random

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef
from django.utils import timezone

from coproduce.community.models import (
    CheckKind,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    SafeguardingCheck,
    TimeBank,
)
from coproduce.core.categories import Category
from coproduce.demo.codesign import codesign_demo_build
from coproduce.demo.partners import partners_demo_build
from coproduce.exchanges.models import Offer, Participant, Side


def partners_and_codesign_build(timebank: TimeBank, seed: int) -> dict[str, int]:
    """Referrals at every stage with outcomes, pools, and a council co-design project, built
    through the partners' and co-design services themselves (so every credit goes through the
    ledger like any other)."""

    def named(base: str) -> Person:
        return Person.objects.get(
            memberships__timebank=timebank, username__in=[base, f"{base}@{timebank.slug}"]
        )

    carol, dr_patel, sam = named("carol"), named("dr_patel"), named("sam")
    council = Organisation.objects.get(timebank=timebank, kind=OrganisationKind.COUNCIL)
    members = list(
        Person.objects.filter(
            memberships__timebank=timebank,
            memberships__status=MembershipStatus.ACTIVE,
            memberships__role=Role.MEMBER,
        )
        .exclude(staff_roles__organisation__timebank=timebank)
        .order_by("id")[:40]
    )
    rng = Random(f"{seed}:partners")
    made = partners_demo_build(
        timebank=timebank, rng=rng, carol=carol, dr_patel=dr_patel, sam=sam, members=members
    )
    project = codesign_demo_build(
        timebank=timebank, rng=rng, carol=carol, council_org=council, sam=sam, members=members
    )
    # Everyone offering care or help with children, or who has given it, has a current enhanced
    # check on record: the time bank's check rule (community.safeguarding), which the history,
    # written in bulk rather than through exchange_propose, must obey too.
    today = timezone.localdate()
    guarded = [Category.CARE, Category.CHILDREN]
    carers = Person.objects.filter(
        Exists(Offer.objects.filter(timebank=timebank, person=OuterRef("pk"), category__in=guarded))
        | Exists(
            Participant.objects.filter(
                timebank=timebank,
                person=OuterRef("pk"),
                side=Side.PROVIDER,
                exchange__category__in=guarded,
            )
        ),
        memberships__timebank=timebank,
    ).order_by("id")
    SafeguardingCheck.objects.bulk_create(
        SafeguardingCheck(
            timebank=timebank,
            person=person,
            kind=CheckKind.ENHANCED,
            checked_on=today - timedelta(days=30 + rng.randrange(700)),
            expires_on=today + timedelta(days=365 + rng.randrange(700)),
            reference=f"DEMO-{n:06d}",
            recorded_by=carol,
        )
        for n, person in enumerate(carers, start=1)
    )

    # People referred in are created without a password (a coordinator sets one); in the demo
    # they share the demo password like everyone else, so their journey can be tried.
    shared_hash = (
        Person.objects.filter(memberships__timebank=timebank, username=carol.username)
        .values_list("password", flat=True)
        .get()
    )
    Person.objects.filter(
        memberships__timebank=timebank, password__startswith=UNUSABLE_PASSWORD_PREFIX
    ).update(password=shared_hash)
    return {**made, "projects": 1, "proposals": project.proposals}
