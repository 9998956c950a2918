"""Partnerships between two time banks of one installation, so that their members can help
each other.

A coordinator of one bank proposes, a coordinator of the other accepts; either may pause
(and that bank alone resumes) or stop it. Each bank holds a **clearing account** for the other
in its own ledger: an exchange between a member of each posts in both
ledgers at once, through those accounts (federation.clearing), so each ledger stays zero-sum
and the two clearing balances mirror each other. A stopped partnership keeps its history and
its accounts; a new partnership between the same two banks takes them up again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnershipStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, waiting for the other bank")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")
    DECLINED = "declined", _("Declined")


# A partnership that is neither stopped nor declined: at most one per pair of banks.
LIVE_STATUSES = (PartnershipStatus.PROPOSED, PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)


class Partnership(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The bank whose coordinator proposed it, and the bank asked.
    proposer = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=12, choices=PartnershipStatus.choices, default=PartnershipStatus.PROPOSED
    )
    # Each bank's clearing account for the other: the proposer's opens (or is taken up again)
    # when it proposes, the partner's when it accepts. Each account's floor is how far the
    # other bank may go into debt to this one, set by this bank's coordinators alone.
    proposer_clearing = models.ForeignKey(
        "ledger.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    partner_clearing = models.ForeignKey(
        "ledger.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The bank that paused it (only that bank resumes).
    paused_by = models.ForeignKey(
        "community.TimeBank", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("a word to the other bank's coordinators"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(proposer=models.F("partner")), name="partnership_two_banks"
            ),
        ]
        indexes = [
            models.Index(fields=["proposer", "status"]),
            models.Index(fields=["partner", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.proposer_id} ↔ {self.partner_id} ({self.status})"

    # For templates, which cannot name PartnershipStatus.
    @property
    def is_proposed(self) -> bool:
        return self.status == PartnershipStatus.PROPOSED

    @property
    def is_active(self) -> bool:
        return self.status == PartnershipStatus.ACTIVE

    @property
    def is_paused(self) -> bool:
        return self.status == PartnershipStatus.PAUSED

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def other(self, timebank_id: int) -> int:
        """The id of the other bank of the pair."""
        return self.partner_id if timebank_id == self.proposer_id else self.proposer_id

    def clearing_of(self, timebank_id: int) -> int | None:
        """The id of `timebank_id`'s clearing account for the other bank."""
        if timebank_id == self.proposer_id:
            return self.proposer_clearing_id
        return self.partner_clearing_id
