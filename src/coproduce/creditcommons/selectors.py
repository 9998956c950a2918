"""Reads for Credit Commons: a member's account as a neighbouring node may see it, and the
coordinator's view of the links.

A neighbour sees only what crossed its own link: an account's trades with that peer, never the
member's other history here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from coproduce.community.models import MembershipStatus, Person
from coproduce.community.permissions import require_coordinator
from coproduce.core.errors import NotFound
from coproduce.creditcommons.models import Node, Peer, RemoteTransaction, Status
from coproduce.creditcommons.wire import MINUTES_PER_HOUR, quant_json

if TYPE_CHECKING:
    from coproduce.community.models import TimeBank


def hours(minutes: int) -> int | float:
    """Whole minutes as hours for the wire; two decimals at most for what Coproduce sends, and
    a minute that is not exact in decimal hours is written to four."""
    value = (Decimal(minutes) / MINUTES_PER_HOUR).quantize(Decimal("0.0001")).normalize()
    return quant_json(value)


def _account_trades(*, peer: Peer, acc_path: str) -> list[RemoteTransaction]:
    node = peer.node
    username = acc_path[len(node.path) + 1 :] if acc_path.startswith(node.path + "/") else acc_path
    person = Person.objects.filter(
        username=username,
        memberships__timebank_id=node.timebank_id,
        memberships__status=MembershipStatus.ACTIVE,
    ).first()
    if not username or person is None:
        raise NotFound(
            _("There is no active account %(path)s here.") % {"path": acc_path[:200]},
            "no_account",
        )
    return list(
        RemoteTransaction.objects.filter(
            peer=peer, account__person=person, status=Status.COMPLETED
        ).order_by("created_at", "pk")
    )


def _signed(trade: RemoteTransaction) -> int:
    return trade.minutes if trade.is_incoming else -trade.minutes


def account_summary(*, peer: Peer, acc_path: str) -> dict[str, Any]:
    """The protocol's account summary, over this link's trades: hours in and out, net."""
    trades = _account_trades(peer=peer, acc_path=acc_path)
    gross_in = sum(t.minutes for t in trades if t.is_incoming)
    gross_out = sum(t.minutes for t in trades if not t.is_incoming)
    pending = RemoteTransaction.objects.filter(
        peer=peer, account__in=[t.account_id for t in trades], status=Status.PENDING
    ).count()
    return {
        "trades": len(trades),
        "entries": sum(len(t.entries) for t in trades),
        "gross_in": hours(gross_in),
        "gross_out": hours(gross_out),
        "partners": len({t.remote_address for t in trades}),
        "pending": pending,
        "balance": hours(gross_in - gross_out),
    }


def account_history(*, peer: Peer, acc_path: str) -> dict[str, Any]:
    """The running balance over this link's trades, one point per trade (UTC times)."""
    data: dict[str, int | float] = {}
    running = 0
    points: list[int] = []
    for trade in _account_trades(peer=peer, acc_path=acc_path):
        running += _signed(trade)
        points.append(running)
        data[trade.created_at.strftime("%Y-%m-%d %H:%M:%S")] = hours(running)
    stamps = list(data)
    return {
        "data": data,
        "meta": {
            "min": hours(min(points)) if points else 0,
            "max": hours(max(points)) if points else 0,
            "points": len(points),
            "start": stamps[0] if stamps else None,
            "end": stamps[-1] if stamps else None,
        },
    }


@dataclass(frozen=True)
class PeerView:
    peer: Peer
    position: int  # minutes: net hours this bank has given that network (below 0: received)
    held: int  # minutes sent and waiting for an answer


@dataclass(frozen=True)
class FederationView:
    node: Node | None
    peers: list[PeerView]
    recent: list[RemoteTransaction]
    pending: list[RemoteTransaction]


def federation_for(*, person: Person, timebank: TimeBank, recent: int = 20) -> FederationView:
    """The coordinator's page: links, positions, recent transfers, pending ones."""
    require_coordinator(person=person, timebank=timebank)
    node = Node.objects.filter(timebank=timebank).first()
    if node is None:
        return FederationView(node=None, peers=[], recent=[], pending=[])
    peers = list(
        Peer.objects.filter(node=node).select_related("clearing", "holding").order_by("path")
    )
    views = [PeerView(peer=p, position=p.clearing.balance, held=p.holding.balance) for p in peers]
    transactions = RemoteTransaction.objects.filter(timebank=timebank).select_related(
        "peer", "account__person"
    )
    return FederationView(
        node=node,
        peers=views,
        recent=list(transactions.order_by("-created_at", "-pk")[:recent]),
        pending=list(transactions.filter(Q(status=Status.PENDING)).order_by("created_at")),
    )


def node_for(timebank: TimeBank) -> Node | None:
    return Node.objects.filter(timebank=timebank).first()


def peer_get_for(*, person: Person, timebank: TimeBank, public_id: str) -> Peer:
    require_coordinator(person=person, timebank=timebank)
    peer = Peer.objects.filter(node__timebank=timebank, public_id=public_id).first()
    if peer is None:
        raise NotFound()
    return peer


def my_remote_payments(*, person: Person, timebank: TimeBank, limit: int = 10):
    return list(
        RemoteTransaction.objects.filter(timebank=timebank, account__person=person).order_by(
            "-created_at", "-pk"
        )[:limit]
    )
