"""What a site administrator reads: every time bank of the installation with its size and
health, and one time bank with its coordinators. A constant number of queries however many time
banks there are (one per table, grouped by time bank)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Invitation,
    InvitationKind,
    Membership,
    MembershipStatus,
    Person,
    Role,
    TimeBank,
)
from coproduce.community.permissions import COORDINATOR_ROLES, is_site_admin
from coproduce.core.errors import NotFound
from coproduce.core.models import AuditEvent
from coproduce.exchanges.models import Exchange, ExchangeStatus
from coproduce.ledger.models import Account


def require_site_admin(person: Person | None) -> None:
    """Anyone but a site administrator is told there is nothing here (404), coordinators
    included: the site's administration is not a time bank's."""
    if not is_site_admin(person):
        raise NotFound(_("Page not found."), "site_admin_only")


@dataclass(frozen=True)
class TimeBankOverview:
    timebank: TimeBank
    active_members: int  # active memberships, coordinators included
    coordinators: int
    applications: int  # waiting for the coordinator
    exchanges_this_month: int  # confirmed since the 1st
    minutes_this_month: int
    ledger_balanced: bool  # every unit's balances sum to zero (`ledger verify`'s cheap half)
    last_activity: datetime | None  # the newest audit row of the time bank


def month_start(now: datetime | None = None) -> datetime:
    """Midnight on the 1st of this month, in the installation's time zone."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def timebanks_overview(
    *, acting: Person | None, timebanks: QuerySet[TimeBank] | None = None
) -> list[TimeBankOverview]:
    """Every time bank (or those given), by name, with its figures: five queries in all."""
    require_site_admin(acting)
    banks = list((timebanks if timebanks is not None else TimeBank.objects.all()).order_by("name"))
    ids = [bank.pk for bank in banks]
    if not ids:
        return []
    members = {
        row["timebank_id"]: row
        for row in Membership.objects.filter(timebank_id__in=ids)
        .values("timebank_id")
        .annotate(
            active=Count("pk", filter=Q(status=MembershipStatus.ACTIVE)),
            coordinators=Count(
                "pk", filter=Q(status=MembershipStatus.ACTIVE, role__in=COORDINATOR_ROLES)
            ),
            applied=Count("pk", filter=Q(status=MembershipStatus.APPLIED)),
        )
        .order_by()
    }
    exchanges = {
        row["timebank_id"]: row
        for row in Exchange.objects.filter(
            timebank_id__in=ids,
            status=ExchangeStatus.CONFIRMED,
            confirmed_at__gte=month_start(),
        )
        .values("timebank_id")
        .annotate(n=Count("pk"), minutes=Sum("actual_minutes"))
        .order_by()
    }
    unbalanced: set[int] = set()
    totals = (
        Account.objects.filter(timebank_id__in=ids)
        .values("timebank_id", "unit")
        .annotate(total=Sum("balance"))
        .order_by()
    )
    for row in totals:
        if row["total"]:
            unbalanced.add(row["timebank_id"])
    last: dict[int, datetime] = {
        row["timebank_id"]: row["last"]
        for row in AuditEvent.objects.filter(timebank_id__in=ids)
        .values("timebank_id")
        .annotate(last=Max("created_at"))
        .order_by()
    }
    empty: dict[str, int] = defaultdict(int)
    return [
        TimeBankOverview(
            timebank=bank,
            active_members=members.get(bank.pk, empty)["active"],
            coordinators=members.get(bank.pk, empty)["coordinators"],
            applications=members.get(bank.pk, empty)["applied"],
            exchanges_this_month=exchanges.get(bank.pk, empty)["n"],
            minutes_this_month=exchanges.get(bank.pk, empty)["minutes"] or 0,
            ledger_balanced=bank.pk not in unbalanced,
            last_activity=last.get(bank.pk),
        )
        for bank in banks
    ]


def timebank_for_site_admin(*, acting: Person | None, slug: str) -> TimeBank:
    require_site_admin(acting)
    timebank = TimeBank.objects.filter(slug=slug).first()
    if timebank is None:
        raise NotFound(_("There is no time bank with that address."), "timebank_not_found")
    return timebank


def coordinator_memberships(timebank: TimeBank) -> list[Membership]:
    """The time bank's coordinators and administrators, active or not (a paused coordinator is
    listed, marked), with their people: one query."""
    return list(
        Membership.objects.filter(timebank=timebank, role__in=[Role.COORDINATOR, Role.ADMIN])
        .exclude(status=MembershipStatus.LEFT)
        .select_related("person")
        .order_by("person__first_name", "person__last_name", "person__username")
    )


def coordinator_invitations_pending(timebank: TimeBank) -> list[Invitation]:
    """The time bank's coordinator invitations not accepted or withdrawn, newest first, expired
    ones included (a new link revives them): one query."""
    return list(
        Invitation.objects.filter(
            timebank=timebank,
            kind=InvitationKind.COORDINATOR,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def coordinator_invitation_for_site_admin(*, acting: Person | None, public_id: str) -> Invitation:
    """A coordinator invitation of any time bank, for a site administrator; a 404 otherwise."""
    require_site_admin(acting)
    invitation = (
        Invitation.objects.filter(public_id=public_id, kind=InvitationKind.COORDINATOR)
        .select_related("timebank", "invited_by")
        .first()
    )
    if invitation is None:
        raise NotFound(_("There is no such invitation."), "not_found")
    return invitation
