"""A new coordinator's first steps, shown on the dashboard until all are done (issue 12).

Each step ticks itself off from what is really in the database, never from a box the
coordinator ticks: the settings saved once (`TimeBank.settings_completed_at`); a second
coordinator, or a live invitation for one; a member besides the coordinators, or a live
invitation for one; a partner organisation. One query, whatever the size of the time bank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import router
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coproduce.community.models import (
    Invitation,
    InvitationKind,
    Membership,
    MembershipStatus,
    Organisation,
    Role,
    TimeBank,
)
from coproduce.coordination.kept_sql import DashboardQuery

COORDINATOR_ROLES = [Role.COORDINATOR, Role.ADMIN]


@dataclass(frozen=True)
class FirstStep:
    key: str
    label: str | Promise
    url: str
    done: bool


def _url(*names: str) -> str:
    """The first of these pages that exists (the invitations page may come later)."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(names[-1])


def _pending(kind: str, now: datetime) -> Exists:
    return Exists(
        Invitation.objects.filter(
            timebank=OuterRef("pk"),
            kind=kind,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
    )


def _state(timebank: TimeBank, now: datetime) -> QuerySet[TimeBank, dict[str, Any]]:
    coordinators = (
        Membership.objects.filter(
            timebank=OuterRef("pk"),
            status=MembershipStatus.ACTIVE,
            role__in=COORDINATOR_ROLES,
        )
        .order_by()
        .values("timebank")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        TimeBank.objects.filter(pk=timebank.pk)
        .annotate(
            coordinators=Coalesce(Subquery(coordinators, output_field=IntegerField()), 0),
            coordinator_invited=_pending(InvitationKind.COORDINATOR, now),
            has_member=Exists(
                Membership.objects.filter(timebank=OuterRef("pk"), role=Role.MEMBER).exclude(
                    status=MembershipStatus.LEFT
                )
            ),
            member_invited=_pending(InvitationKind.MEMBER, now),
            has_organisation=Exists(Organisation.objects.filter(timebank=OuterRef("pk"))),
        )
        .values(
            "settings_completed_at",
            "coordinators",
            "coordinator_invited",
            "has_member",
            "member_invited",
            "has_organisation",
        )
    )


# Its SQL built and compiled once per process (coordination.kept_sql: ~3 ms a view).
_STATE = DashboardQuery(_state)


def first_steps_for(timebank: TimeBank, *, now: datetime | None = None) -> list[FirstStep] | None:
    """The four first steps with whether each is done, or None once they all are."""
    alias = router.db_for_read(TimeBank)
    found = _STATE(timebank, now or timezone.now(), alias)
    if not found:
        raise TimeBank.DoesNotExist
    state = found[0]
    done = {
        "settings": state["settings_completed_at"] is not None,
        "coordinator": state["coordinators"] >= 2 or state["coordinator_invited"],
        "members": state["has_member"] or state["member_invited"],
        "organisation": state["has_organisation"],
    }
    if all(done.values()):
        return None  # the box is gone: no address to reverse (three a view, issue 17)
    invitations = _url("coordinator:invitations", "members:list")
    return [
        FirstStep(
            "settings",
            _("Finish the time bank's settings"),
            reverse("coordinator:settings"),
            done["settings"],
        ),
        FirstStep(
            "coordinator", _("Invite a second coordinator"), invitations, done["coordinator"]
        ),
        FirstStep("members", _("Invite the first members"), invitations, done["members"]),
        FirstStep(
            "organisation",
            _("Add a partner organisation"),
            reverse("partners:organisation_new"),
            done["organisation"],
        ),
    ]
