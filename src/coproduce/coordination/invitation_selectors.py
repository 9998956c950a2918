"""Reads for the coordinator's invitations page: the invitations already settled (accepted,
withdrawn or run out), newest first. The waiting ones are `community.invitations.
invitations_pending`, which also says who may see them."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from coproduce.community.models import Invitation, TimeBank

# The page lists the latest settled ones briefly; the audit log keeps them all.
SETTLED_SHOWN = 20


def invitations_settled(*, timebank: TimeBank, limit: int = SETTLED_SHOWN) -> QuerySet[Invitation]:
    """The time bank's latest invitations that no longer wait: accepted, withdrawn, or expired
    (one query). The caller has checked that the asker coordinates the time bank."""
    return (
        Invitation.objects.filter(timebank=timebank)
        .filter(
            Q(accepted_at__isnull=False)
            | Q(revoked_at__isnull=False)
            | Q(expires_at__lte=timezone.now())
        )
        .select_related("organisation", "invited_by", "accepted_by", "revoked_by")
        .order_by("-created_at", "-pk")[:limit]
    )
