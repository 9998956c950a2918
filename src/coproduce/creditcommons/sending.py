"""Paying someone in another network: relay to the neighbouring node, book on acceptance.

1. `payment_send` holds the hours (member -> the link's holding account, within the member's
   limit), records the transaction as pending and marks it in flight on its link, all in one
   database transaction; then it relays, with no database lock held across the network.
2. The peer accepts (201): the link's hash advances exactly as the peer's did, and the held hours
   move to the link's clearing account (the position). The peer refuses (a 4xx answer): the
   hours go back to the member. No answer at all (refused connection, timeout, a 5xx): the
   transaction stays pending and in flight; nothing more is booked.
3. `payment_retry` completes a pending one: it asks the peer whether it has the uuid (with the
   hash from before it, which the peer accepts for its latest transaction) and books it if so;
   if not, it relays again, or with `abandon` returns the hours. A pending transaction is never
   half posted: held, then settled or refunded, each keyed by its uuid.

Each ledger posting goes through `transfer_post` with a key `cc:<uuid>:hold|settle|refund`.
"""

from __future__ import annotations

import uuid as uuid_module
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from coproduce.community.models import MembershipStatus
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound
from coproduce.creditcommons import client, wire
from coproduce.creditcommons.models import (
    Direction,
    Node,
    Peer,
    RemoteTransaction,
    Status,
)
from coproduce.ledger.accounts import member_account_get_or_open
from coproduce.ledger.models import Account, TransferKind
from coproduce.ledger.services import transfer_post

if TYPE_CHECKING:
    from coproduce.community.models import Person, TimeBank


def route(*, node: Node, address: str) -> Peer:
    """The link a remote address goes over: a leafward peer it is under, else the trunk."""
    address = wire.parse_path(address, _("The address"))
    peers = list(node.peers.all())
    for peer in peers:
        if not peer.is_trunkward and wire.is_path_under(address, peer.path):
            if "/" in address[len(peer.path) + 1 :]:
                raise ApplicationError(
                    _("This node does not relay beyond %(path)s.") % {"path": peer.path},
                    "no_onward_relay",
                )
            return peer
    if wire.is_path_under(address, node.path) or address == node.path:
        raise ApplicationError(
            _("%(address)s is in this time bank; give hours to members here instead.")
            % {"address": address},
            "local_address",
        )
    trunk = next((p for p in peers if p.is_trunkward), None)
    if trunk is None:
        raise ApplicationError(
            _("No linked network holds %(address)s.") % {"address": address}, "no_route"
        )
    return trunk


@transaction.atomic
def _start(
    *,
    timebank: TimeBank,
    payer: Person,
    address: str,
    minutes: int,
    description: str,
    acting: Person | None,
    tx_uuid: uuid_module.UUID | None,
) -> RemoteTransaction:
    if tx_uuid is not None:
        # A form sent twice carries the same uuid: the first payment, never a second.
        existing = RemoteTransaction.objects.filter(timebank=timebank, uuid=tx_uuid).first()
        if existing is not None:
            if existing.account.person_id != payer.pk or existing.is_incoming:
                raise Conflict(_("That payment number is taken; send the form again."), "uuid")
            return existing
    node = Node.objects.filter(timebank=timebank).first()
    if node is None:
        raise ApplicationError(
            _("This time bank is not linked to any other network."), "not_grafted"
        )
    quant = wire.minutes_to_quant(minutes)
    description = (description or "").strip()[:255]
    peer = route(node=node, address=address)
    # Locked so two payments over one link take turns: one in flight at a time keeps the chain
    # straight.
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    if peer.paused:
        raise ApplicationError(
            _("Payments to %(path)s are paused by the coordinator.") % {"path": peer.path},
            "paused",
        )
    if peer.in_flight_id is not None:
        raise Conflict(
            _("Another payment to %(path)s is waiting for an answer; try again shortly.")
            % {"path": peer.path},
            "busy",
        )
    if not payer.memberships.filter(timebank=timebank, status=MembershipStatus.ACTIVE).exists():
        raise ApplicationError(_("Only an active member can pay."), "not_active")
    clearing = Account.objects.get(pk=peer.clearing_id)
    if clearing.max_balance is not None and clearing.balance + minutes > clearing.max_balance:
        raise ApplicationError(
            _("This would take the position with %(path)s past its limit.") % {"path": peer.path},
            "position_limit",
        )
    account = member_account_get_or_open(timebank=timebank, person=payer)
    tx_uuid = tx_uuid or uuid_module.uuid4()
    entry = wire.Entry(
        payer=f"{node.path}/{payer.username}",
        payee=address,
        quant=quant,
        description=description,
        metadata={},
    )
    hold = transfer_post(
        timebank=timebank,
        acting=acting,
        on_behalf_of=payer if acting is not None and acting != payer else None,
        payer=account,
        payee=peer.holding,
        minutes=minutes,
        memo=(_("To %(address)s (waiting for the other network)") % {"address": address})[:255],
        kind=TransferKind.GIFT,
        idempotency_key=f"cc:{tx_uuid}:hold",
    )
    remote_tx = RemoteTransaction.objects.create(
        timebank=timebank,
        peer=peer,
        uuid=tx_uuid,
        direction=Direction.OUTGOING,
        status=Status.PENDING,
        state=wire.SENT_STATE,
        workflow=wire.SENT_WORKFLOW,
        version=wire.SENT_VERSION,
        entries=[entry.as_json()],
        previous_hash=peer.last_hash,
        account=account,
        minutes=minutes,
        remote_address=address,
        description=description,
        hold=hold,
        created_by=acting,
    )
    peer.in_flight = remote_tx
    peer.save(update_fields=["in_flight"])
    audit_record(
        action="creditcommons.send",
        actor=acting,
        on_behalf_of=payer if acting != payer else None,
        timebank_id=timebank.pk,
        target=f"cc:{tx_uuid}",
        data={"to": address, "minutes": minutes},
    )
    return remote_tx


def _as_wire(remote_tx: RemoteTransaction) -> wire.Transaction:
    from decimal import Decimal

    return wire.Transaction(
        uuid=str(remote_tx.uuid),
        state=remote_tx.state,
        workflow=remote_tx.workflow,
        version=remote_tx.version,
        entries=tuple(
            wire.Entry(
                payer=e["payer"],
                payee=e["payee"],
                quant=Decimal(str(e["quant"])),
                description=e["description"],
                metadata=e.get("metadata") or {},
            )
            for e in remote_tx.entries
        ),
    )


@transaction.atomic
def _settle(remote_tx: RemoteTransaction) -> RemoteTransaction:
    """The peer has the transaction: advance the link's hash and move the held hours to the
    position. Idempotent: a settled one is returned as it is."""
    remote_tx = RemoteTransaction.objects.select_for_update().get(pk=remote_tx.pk)
    if not remote_tx.is_pending:
        return remote_tx
    peer = Peer.objects.select_for_update().get(pk=remote_tx.peer_id)
    remote_tx.hash = _as_wire(remote_tx).next_hash(remote_tx.previous_hash)
    remote_tx.transfer = transfer_post(
        timebank=remote_tx.timebank,
        acting=None,
        payer=peer.holding,
        payee=peer.clearing,
        minutes=remote_tx.minutes,
        memo=(_("To %(address)s") % {"address": remote_tx.remote_address})[:255],
        kind=TransferKind.GIFT,
        idempotency_key=f"cc:{remote_tx.uuid}:settle",
    )
    remote_tx.status, remote_tx.error = Status.COMPLETED, ""
    remote_tx.save(update_fields=["hash", "transfer", "status", "error", "updated_at"])
    peer.last_hash, peer.in_flight = remote_tx.hash, None
    peer.save(update_fields=["last_hash", "in_flight"])
    return remote_tx


@transaction.atomic
def _refund(remote_tx: RemoteTransaction, reason: str, *, pause: bool = False) -> RemoteTransaction:
    """The peer refused (or the operator abandoned a transaction the peer does not have): the
    held hours go back to the member."""
    remote_tx = RemoteTransaction.objects.select_for_update().get(pk=remote_tx.pk)
    if not remote_tx.is_pending:
        return remote_tx
    peer = Peer.objects.select_for_update().get(pk=remote_tx.peer_id)
    remote_tx.refund = transfer_post(
        timebank=remote_tx.timebank,
        acting=None,
        payer=peer.holding,
        payee=remote_tx.account,
        minutes=remote_tx.minutes,
        memo=(_("Returned: %(address)s refused") % {"address": remote_tx.remote_address})[:255],
        kind=TransferKind.GIFT,
        idempotency_key=f"cc:{remote_tx.uuid}:refund",
    )
    remote_tx.status, remote_tx.error = Status.FAILED, reason[:500]
    remote_tx.save(update_fields=["refund", "status", "error", "updated_at"])
    peer.in_flight = None
    if pause:
        # The two ends disagree about the chain: nothing more crosses until the operators agree
        # a new hash out of band.
        peer.paused, peer.paused_reason = True, reason[:255]
    peer.save(update_fields=["in_flight", "paused", "paused_reason"])
    return remote_tx


def _note(remote_tx: RemoteTransaction, error: str) -> RemoteTransaction:
    RemoteTransaction.objects.filter(pk=remote_tx.pk).update(error=error[:500])
    remote_tx.error = error[:500]
    return remote_tx


def _relay(remote_tx: RemoteTransaction) -> RemoteTransaction:
    peer = Peer.objects.select_related("node").get(pk=remote_tx.peer_id)
    RemoteTransaction.objects.filter(pk=remote_tx.pk).update(attempts=remote_tx.attempts + 1)
    try:
        answer = client.send(
            method="POST",
            base_url=peer.url,
            path="transaction/relay",
            node_name=peer.node.name,
            last_hash=remote_tx.previous_hash,
            body=wire.dumps(_as_wire(remote_tx).as_json()),
        )
    except client.Unreachable as exc:
        return _note(
            remote_tx, _("No answer from %(path)s: %(reason)s") % {"path": peer.path, "reason": exc}
        )
    if answer.status in (200, 201):
        return _settle(remote_tx)
    if answer.status == 409:
        # Busy, or it has this uuid already (an answer of ours was lost): ask, do not guess.
        return _ask(remote_tx, peer) or _refund(remote_tx, answer.error_text())
    if 400 <= answer.status < 500:
        return _refund(remote_tx, answer.error_text(), pause=answer.status == 401)
    return _note(remote_tx, answer.error_text())


def _ask(remote_tx: RemoteTransaction, peer: Peer) -> RemoteTransaction | None:
    """Ask the peer whether it has the transaction: settled if it has, None if it says it does
    not; left pending (with the reason) when there is no clear answer."""
    try:
        answer = client.send(
            method="GET",
            base_url=peer.url,
            path=f"transaction/{remote_tx.uuid}",
            node_name=peer.node.name,
            last_hash=remote_tx.previous_hash,
        )
    except client.Unreachable as exc:
        return _note(
            remote_tx, _("No answer from %(path)s: %(reason)s") % {"path": peer.path, "reason": exc}
        )
    if answer.status == 200:
        return _settle(remote_tx)
    if answer.status == 404:
        return None
    return _note(remote_tx, answer.error_text())


def payment_send(
    *,
    timebank: TimeBank,
    payer: Person,
    address: str,
    minutes: int,
    description: str,
    acting: Person | None,
    tx_uuid: uuid_module.UUID | None = None,
) -> RemoteTransaction:
    """Pay `minutes` from `payer` to a member of another network; returns the transaction,
    completed, refused (hours returned) or pending (no answer yet)."""
    remote_tx = _start(
        timebank=timebank,
        payer=payer,
        address=address,
        minutes=minutes,
        description=description,
        acting=acting,
        tx_uuid=tx_uuid,
    )
    if remote_tx.attempts:
        return remote_tx
    return _relay(remote_tx)


def payment_retry(*, timebank: TimeBank, uuid: str, abandon: bool = False) -> RemoteTransaction:
    """Complete a pending payment: settle it if the peer has it; otherwise relay it again, or,
    with `abandon`, return the hours. A completed or refused one is returned unchanged."""
    try:
        remote_tx = RemoteTransaction.objects.get(
            timebank=timebank, uuid=uuid_module.UUID(str(uuid)), direction=Direction.OUTGOING
        )
    except (RemoteTransaction.DoesNotExist, ValueError):
        raise NotFound(_("No payment %(uuid)s was sent from here.") % {"uuid": uuid}) from None
    if not remote_tx.is_pending:
        return remote_tx
    peer = Peer.objects.select_related("node").get(pk=remote_tx.peer_id)
    asked = _ask(remote_tx, peer)
    if asked is not None:
        return asked
    if abandon:
        return _refund(remote_tx, _("Abandoned by the operator; the peer does not have it."))
    return _relay(remote_tx)
