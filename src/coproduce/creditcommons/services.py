"""Grafting a time bank into a Credit Commons tree, pausing a link, and receiving a transaction
relayed by a neighbouring node.

Receiving is one database transaction: the link's row is locked (so two relays over one link are
taken one after the other and the chain never forks), the `cc-node` and `last-hash` headers are
checked against it, the transaction is parsed, booked from the link's clearing account to the
member within both accounts' limits (`transfer_post`, keyed by the uuid), and the link's hash
advanced. Any refusal rolls everything back: a refused relay changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from coproduce.community.models import MembershipStatus, Person
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound
from coproduce.creditcommons import wire
from coproduce.creditcommons.models import (
    Direction,
    Node,
    Peer,
    PeerDirection,
    RemoteTransaction,
    Status,
)
from coproduce.ledger.accounts import clearing_get_or_open, member_account_get_or_open
from coproduce.ledger.models import Account, TransferKind
from coproduce.ledger.services import transfer_post

if TYPE_CHECKING:
    from coproduce.community.models import TimeBank


class Unauthenticated(ApplicationError):
    """The `cc-node` or `last-hash` header does not match this link."""

    http_status = 401


class Paused(ApplicationError):
    """The coordinator has paused the link: refused outright, so the sender returns the hours."""

    http_status = 403


def clearing_name(peer_path: str) -> str:
    return f"Credit Commons: {peer_path}"[:160]


def holding_name(peer_path: str) -> str:
    return f"Credit Commons, sent and waiting: {peer_path}"[:160]


@transaction.atomic
def peer_graft(
    *,
    timebank: TimeBank,
    acting: Person | None,
    our_path: str,
    peer_path: str,
    peer_url: str,
    last_hash: str,
    direction: str,
    limit_minutes: int,
) -> Peer:
    """Link this time bank to a neighbouring node: grafted under it (trunkward) or it under us
    (leafward). The first last-hash is agreed with the peer's operator out of band."""
    our_path = wire.parse_path(our_path, "our path")
    peer_path = wire.parse_path(peer_path, "peer path")
    if direction not in PeerDirection.values:
        raise ApplicationError(_("The direction must be trunkward or leafward."), "bad_direction")
    child, parent = (
        (our_path, peer_path) if direction == PeerDirection.TRUNKWARD else (peer_path, our_path)
    )
    if child.rsplit("/", 1)[0] != parent or "/" not in child:
        raise ApplicationError(
            _("%(child)s is not directly under %(parent)s in the tree.")
            % {"child": child, "parent": parent},
            "bad_tree",
        )
    if not peer_url.startswith(("http://", "https://")) or len(peer_url) > 500:
        raise ApplicationError(
            _("The peer's address must start with https:// (http:// only on a private network)."),
            "bad_url",
        )
    last_hash = (last_hash or "").strip()
    if not 0 < len(last_hash) <= 64:
        raise ApplicationError(_("Give the first last-hash agreed with the peer."), "bad_hash")
    if limit_minutes < 0:
        raise ApplicationError(_("The limit cannot be below zero."), "bad_limit")
    node, _created = Node.objects.get_or_create(timebank=timebank, defaults={"path": our_path})
    if node.path != our_path:
        raise Conflict(
            _("This time bank is already the node %(path)s.") % {"path": node.path}, "other_path"
        )
    if Peer.objects.filter(node=node, path=peer_path).exists():
        raise Conflict(_("%(path)s is already linked.") % {"path": peer_path}, "linked")
    if direction == PeerDirection.TRUNKWARD and node.peers.filter(direction=direction).exists():
        raise Conflict(_("This time bank is already grafted under a trunk."), "has_trunk")
    clearing = clearing_get_or_open(timebank=timebank, name=clearing_name(peer_path))
    clearing.min_balance, clearing.max_balance = -limit_minutes, limit_minutes
    clearing.save(update_fields=["min_balance", "max_balance"])
    holding = clearing_get_or_open(timebank=timebank, name=holding_name(peer_path))
    holding.min_balance = 0
    holding.save(update_fields=["min_balance"])
    peer = Peer.objects.create(
        node=node,
        direction=direction,
        path=peer_path,
        url=peer_url,
        last_hash=last_hash,
        clearing=clearing,
        holding=holding,
    )
    audit_record(
        action="creditcommons.graft",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"peer:{peer.public_id}",
        data={"our_path": our_path, "peer_path": peer_path, "direction": direction},
    )
    return peer


@transaction.atomic
def peer_pause(*, peer: Peer, acting: Person | None, paused: bool, reason: str = "") -> Peer:
    """Stop (or start again) every transaction over a link, both ways."""
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    peer.paused = paused
    peer.paused_reason = reason.strip()[:255] if paused else ""
    peer.save(update_fields=["paused", "paused_reason"])
    audit_record(
        action="creditcommons.pause" if paused else "creditcommons.resume",
        actor=acting,
        timebank_id=peer.node.timebank_id,
        target=f"peer:{peer.public_id}",
        data={"reason": peer.paused_reason},
    )
    return peer


@transaction.atomic
def peer_rehash(
    *, timebank: TimeBank, peer_path: str, last_hash: str, acting: Person | None
) -> Peer:
    """Set a link's last hash to one the two operators agreed again (after the ends disagreed),
    and pause it, for a coordinator to resume once both sides have it."""
    peer = Peer.objects.select_for_update().filter(node__timebank=timebank, path=peer_path).first()
    if peer is None:
        raise NotFound(_("This time bank has no link to %(path)s.") % {"path": peer_path})
    last_hash = (last_hash or "").strip()
    if not 0 < len(last_hash) <= 64:
        raise ApplicationError(_("Give the last-hash agreed with the peer."), "bad_hash")
    if peer.in_flight_id is not None:
        raise Conflict(_("A payment is waiting for an answer; run retry first."), "in_flight")
    audit_record(
        action="creditcommons.rehash",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"peer:{peer.public_id}",
        data={"old": peer.last_hash, "new": last_hash},
    )
    peer.last_hash, peer.paused = last_hash, True
    peer.paused_reason = _("A new last-hash was set; resume once both sides have it.")
    peer.save(update_fields=["last_hash", "paused", "paused_reason"])
    return peer


def peer_authenticate(
    *, timebank: TimeBank, cc_node: str, last_hash: str, lock: bool = False, earlier: str = ""
) -> Peer:
    """The link the headers name, when its hash matches; `earlier` (a uuid) also accepts the hash
    the link had before that transaction of ours, so a sender whose answer was lost can ask."""
    node = Node.objects.filter(timebank=timebank).first()
    if node is None:
        raise NotFound(_("This time bank is not a Credit Commons node."), "not_grafted")
    if not cc_node:
        raise Unauthenticated(_("The cc-node header is required."), "no_node")
    if not last_hash:
        raise Unauthenticated(_("The last-hash header is required."), "no_hash")
    peers = Peer.objects.filter(node=node)
    if lock:
        peers = peers.select_for_update()
    # A node may name itself by its full path or by its last segment.
    peer = next((p for p in peers if cc_node in (p.path, p.name)), None)
    if peer is None:
        raise Unauthenticated(
            _("cc-node %(node)r is not a neighbour of this node.") % {"node": cc_node[:80]},
            "unknown_node",
        )
    if last_hash == peer.last_hash:
        return peer
    if (
        earlier
        and RemoteTransaction.objects.filter(
            peer=peer, uuid=earlier, previous_hash=last_hash, hash=peer.last_hash
        ).exists()
    ):
        return peer
    raise Unauthenticated(
        _("The last-hash header %(hash)r does not match our records.") % {"hash": last_hash[:64]},
        "bad_hash",
    )


def _local_account(*, node: Node, tx: wire.Transaction) -> tuple[Account, int, str]:
    """The one member here the entries credit, the net minutes they gain, and the remote payer."""
    base, username, net, remote = node.path, None, 0, ""

    def here(path: str) -> bool:
        # An account of this node: one segment under its path (deeper is a node under it).
        return wire.is_path_under(path, base) and "/" not in path[len(base) + 1 :]

    for entry in tx.entries:
        payer_here, payee_here = here(entry.payer), here(entry.payee)
        if payer_here and payee_here:
            raise wire.WireError(_("Payer and payee cannot both be local."), "both_local")
        if not (payer_here or payee_here):
            if wire.is_path_under(entry.payee, base):
                raise wire.WireError(
                    _("This node does not relay to nodes under it: %(path)s.")
                    % {"path": entry.payee},
                    "no_onward_relay",
                )
            raise wire.WireError(_("Payer and payee cannot both be remote."), "both_remote")
        local = (entry.payer if payer_here else entry.payee)[len(base) + 1 :]
        if username is not None and local != username:
            raise wire.WireError(
                _("All entries must be to or from the same local account."), "many_accounts"
            )
        username = local
        minutes = wire.quant_to_minutes(entry.quant)
        net += -minutes if payer_here else minutes
        if payee_here and not remote:
            remote = entry.payer
    if net <= 0:
        raise wire.WireError(
            _("The transaction must bring this node's account a net gain."), "no_gain"
        )
    person = Person.objects.filter(
        username=username,
        memberships__timebank_id=node.timebank_id,
        memberships__status=MembershipStatus.ACTIVE,
    ).first()
    if person is None:
        raise NotFound(
            _("There is no active account %(path)s here.") % {"path": f"{base}/{username}"},
            "no_account",
        )
    account = member_account_get_or_open(timebank=node.timebank, person=person)
    return account, net, remote


@transaction.atomic
def transaction_receive(
    *, timebank: TimeBank, cc_node: str, last_hash: str, body: bytes
) -> RemoteTransaction:
    """Book a transaction relayed by a neighbour, or refuse it having changed nothing."""
    # The lock on the link's row makes relays over one link take turns; a relay with the hash
    # another has just moved on is then refused below.
    peer = peer_authenticate(timebank=timebank, cc_node=cc_node, last_hash=last_hash, lock=True)
    if peer.paused:
        raise Paused(_("This link is paused by the coordinator."), "paused")
    if peer.in_flight_id is not None:
        # Refused outright (409), not "later" (503): when both ends send at once, both are
        # refused and both senders return the hours, instead of each waiting for the other.
        raise Conflict(_("This node is waiting for an answer from you; try again shortly."), "busy")
    tx = wire.parse_transaction(body)
    if tx.state not in wire.BOOKABLE_STATES:
        raise wire.WireError(
            _(
                "This node books transactions at once, in state V or C; state %(state)s is not "
                "supported."
            )
            % {"state": tx.state[:8]},
            "unsupported_state",
        )
    if RemoteTransaction.objects.filter(timebank=timebank, uuid=tx.uuid).exists():
        raise Conflict(
            _("Transaction %(uuid)s was already received; nothing changed.") % {"uuid": tx.uuid},
            "replayed",
        )
    node = peer.node
    account, minutes, remote = _local_account(node=node, tx=tx)
    description = "; ".join(e.description for e in tx.entries if e.description)[:200]
    booked = transfer_post(
        timebank=timebank,
        acting=None,
        payer=peer.clearing,
        payee=account,
        minutes=minutes,
        memo=(_("From %(address)s: %(note)s") % {"address": remote, "note": description})[:255],
        kind=TransferKind.GIFT,
        idempotency_key=f"cc:{tx.uuid}:receive",
    )
    new_hash = tx.next_hash(peer.last_hash)
    remote_tx = RemoteTransaction.objects.create(
        timebank=timebank,
        peer=peer,
        uuid=tx.uuid,
        direction=Direction.INCOMING,
        status=Status.COMPLETED,
        state=tx.state,
        workflow=tx.workflow,
        version=tx.version,
        entries=[entry.as_json() for entry in tx.entries],
        previous_hash=peer.last_hash,
        hash=new_hash,
        account=account,
        minutes=minutes,
        remote_address=remote,
        description=description,
        transfer=booked,
    )
    peer.last_hash = new_hash
    peer.save(update_fields=["last_hash"])
    return remote_tx
