"""A time bank as a Credit Commons node: its path, its links to neighbouring nodes, and every
transaction relayed over a link.

A `Node` gives a time bank its place in a Credit Commons tree (`trunk/riverside`). Each `Peer` is
one link to a neighbouring node: the trunkward node it is grafted under (at most one), or a
leafward node grafted under it. A link keeps the last hash of its chain, its clearing ("vostro")
account, whose limits are the link's limits, and a holding account for payments sent but not yet
accepted. A `RemoteTransaction` is one transaction over a link, with the ledger transfers it made.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Node(models.Model):
    timebank = models.OneToOneField(
        "community.TimeBank", on_delete=models.PROTECT, related_name="+"
    )
    path = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.path

    @property
    def name(self) -> str:
        """The last segment of the path: what this node calls itself in `cc-node`."""
        return self.path.rsplit("/", 1)[-1]


class PeerDirection(models.TextChoices):
    TRUNKWARD = "trunkward", _("Trunkward (we are grafted under it)")
    LEAFWARD = "leafward", _("Leafward (it is grafted under us)")


class Peer(models.Model):
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="peers")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    direction = models.CharField(max_length=16, choices=PeerDirection.choices)
    path = models.CharField(max_length=1000)
    # The peer's Credit Commons base address, to which `/transaction/relay` is added.
    url = models.URLField(max_length=500)
    last_hash = models.CharField(max_length=64)
    clearing = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    holding = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    paused = models.BooleanField(default=False)
    paused_reason = models.CharField(max_length=255, blank=True)
    # The outgoing transaction relayed and not yet settled: one at a time per link, so the chain
    # never forks; incoming ones are refused meanwhile (the sender retries).
    in_flight = models.ForeignKey(
        "RemoteTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "path"], name="cc_one_peer_per_path"),
            models.UniqueConstraint(
                fields=["node"],
                condition=models.Q(direction="trunkward"),
                name="cc_one_trunkward_peer",
            ),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def is_trunkward(self) -> bool:
        return self.direction == PeerDirection.TRUNKWARD


class Direction(models.TextChoices):
    INCOMING = "in", _("Received")
    OUTGOING = "out", _("Sent")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for the other network")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Refused; hours returned")


class RemoteTransaction(models.Model):
    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="transactions")
    uuid = models.UUIDField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    # The protocol's own fields, as relayed.
    state = models.CharField(max_length=8)
    workflow = models.CharField(max_length=64, blank=True)
    version = models.IntegerField(null=True, blank=True)
    entries = models.JSONField()
    # The link's hash before and after this transaction (after: once accepted).
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, blank=True)
    # The member's account here and the net minutes it gained (in) or paid (out); the address
    # at the other end.
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    minutes = models.BigIntegerField()
    remote_address = models.CharField(max_length=1000)
    description = models.CharField(max_length=255, blank=True)
    # Ledger transfers: an outgoing payment is held (member -> holding) when sent, settled
    # (holding -> clearing) when accepted, or refunded (holding -> member) when refused; an
    # incoming one is booked (clearing -> member) when accepted.
    hold = models.ForeignKey(
        "ledger.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transfer = models.ForeignKey(
        "ledger.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund = models.ForeignKey(
        "ledger.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timebank", "uuid"], name="cc_one_transaction_per_uuid")
        ]
        indexes = [models.Index(fields=["peer", "-created_at"], name="cc_tx_peer_recent")]

    def __str__(self) -> str:
        return str(self.uuid)

    @property
    def is_pending(self) -> bool:
        return self.status == Status.PENDING

    @property
    def is_completed(self) -> bool:
        return self.status == Status.COMPLETED

    @property
    def is_failed(self) -> bool:
        return self.status == Status.FAILED

    @property
    def is_incoming(self) -> bool:
        return self.direction == Direction.INCOMING
