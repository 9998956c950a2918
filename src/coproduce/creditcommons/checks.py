"""What `coproduce ledger verify` checks for Credit Commons (registered in `apps.py`).

For every link: each completed transaction is booked exactly once (received: one transfer; sent:
held, then settled, never refunded), each refused one held and refunded and never settled, each
pending one held and nothing more; the holding account holds exactly the pending payments; the
clearing account's balance equals the sum of the completed transactions (sent minus received).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum
from django.utils.translation import gettext as _

from coproduce.creditcommons.models import Direction, Peer, RemoteTransaction, Status
from coproduce.ledger.models import Entry


def _expected_links(tx: RemoteTransaction) -> tuple[bool, bool, bool]:
    """Whether hold, transfer and refund must be set."""
    if tx.direction == Direction.INCOMING:
        return False, tx.status == Status.COMPLETED, False
    return True, tx.status == Status.COMPLETED, tx.status == Status.FAILED


def creditcommons_check(timebank_id: int | None, limit: int) -> list[str]:
    problems: list[str] = []
    transactions = RemoteTransaction.objects.all()
    peers = Peer.objects.select_related("clearing", "holding", "node")
    if timebank_id is not None:
        transactions = transactions.filter(timebank_id=timebank_id)
        peers = peers.filter(node__timebank_id=timebank_id)
    held: dict[int, int] = defaultdict(int)
    position: dict[int, int] = defaultdict(int)
    fields = ("id", "uuid", "peer_id", "direction", "status", "minutes")
    links = ("hold_id", "transfer_id", "refund_id")
    for tx in transactions.only(*fields, *links):
        present = tuple(getattr(tx, name) is not None for name in links)
        if present != _expected_links(tx):
            problems.append(
                _("Credit Commons transaction %(uuid)s (%(status)s) is not booked as it should be.")
                % {"uuid": tx.uuid, "status": tx.status}
            )
        if tx.status == Status.PENDING:
            held[tx.peer_id] += tx.minutes
        if tx.status == Status.COMPLETED:
            position[tx.peer_id] += (
                tx.minutes if tx.direction == Direction.OUTGOING else -tx.minutes
            )
    booked = defaultdict(int)
    for peer in peers:
        for account_id in (peer.clearing_id, peer.holding_id):
            booked[account_id] = 0
    sums = (
        Entry.objects.filter(account_id__in=list(booked))
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    booked.update(dict(sums))
    for peer in peers:
        if booked[peer.holding_id] != held[peer.pk]:
            problems.append(
                _(
                    "The Credit Commons link to %(path)s holds %(booked)s minutes, but its pending "
                    "payments come to %(held)s."
                )
                % {"path": peer.path, "booked": booked[peer.holding_id], "held": held[peer.pk]}
            )
        if booked[peer.clearing_id] != position[peer.pk]:
            problems.append(
                _(
                    "The Credit Commons position with %(path)s is %(booked)s minutes, but its "
                    "completed transactions come to %(position)s."
                )
                % {
                    "path": peer.path,
                    "booked": booked[peer.clearing_id],
                    "position": position[peer.pk],
                }
            )
    return problems[:limit]
