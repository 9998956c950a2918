"""The `coproduce creditcommons graft|pay|retry|status` commands: options and what they run.

Thin wrappers over this app's services for `coproduce.cli`; each prints a short summary. A bad
option or a refusal is one line and exit status 2; `retry` exits 1 while a payment stays pending.
Models are imported inside the functions: the command line reads its options before Django is set
up.
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation

from coproduce.core.text import text_argument


def _hours(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours")
    return value


def add_creditcommons(sub: argparse._SubParsersAction) -> None:
    cc = sub.add_parser(
        "creditcommons",
        help="link a time bank to other networks over the Credit Commons protocol",
        description="Credit Commons: graft a time bank under a trunkward node (or a node under "
        "it), pay someone at a remote address, complete pending payments, show the links.",
    )
    cc_sub = cc.add_subparsers(dest="cc_command", metavar="ACTION", required=True)
    bank = {"metavar": "SLUG", "type": text_argument, "required": True, "help": "the time bank"}

    graft = cc_sub.add_parser(
        "graft",
        help="link the time bank to a neighbouring node",
        description="Link the time bank to a neighbouring node: by default it is grafted under "
        "the peer (trunkward); with --leafward the peer is grafted under it. The first "
        "last-hash is agreed with the peer's operator out of band (the same on both sides).",
    )
    graft.add_argument("--timebank", **bank)
    graft.add_argument("--our-path", required=True, help="this node's path, e.g. trunk/riverside")
    graft.add_argument("--peer-path", required=True, help="the peer's path, e.g. trunk")
    graft.add_argument(
        "--peer-url", required=True, help="the peer's base address, e.g. https://x/cc/hillside"
    )
    graft.add_argument("--last-hash", required=True, help="the first hash agreed with the peer")
    graft.add_argument(
        "--leafward", action="store_true", help="the peer is grafted under this time bank"
    )
    graft.add_argument("--limit", type=_hours, default=Decimal(100), help="hours either way (100)")
    graft.set_defaults(func=_graft)

    pay = cc_sub.add_parser(
        "pay",
        help="pay someone at a remote address on a member's behalf",
        description="Pay HOURS from a member of the time bank to someone at a remote address; "
        "exit 0 when accepted, 1 when it stays pending, 2 when refused.",
    )
    pay.add_argument("--timebank", **bank)
    pay.add_argument("--from", dest="payer", required=True, metavar="USERNAME")
    pay.add_argument("--to", dest="address", required=True, metavar="ADDRESS")
    pay.add_argument("--hours", type=_hours, required=True, help="e.g. 1.5 (whole minutes)")
    pay.add_argument("--description", default="", help="what it was for")
    pay.set_defaults(func=_pay)

    retry = cc_sub.add_parser(
        "retry",
        help="complete (or return) payments left pending",
        description="For each pending payment (or the one named): ask the peer whether it has "
        "it and book it if so; otherwise relay it again, or with --abandon return the hours. "
        "Exit 0 when none is left pending.",
    )
    retry.add_argument("--timebank", **bank)
    retry.add_argument("uuid", nargs="?", help="one payment (default: every pending one)")
    retry.add_argument("--abandon", action="store_true", help="return the hours instead")
    retry.set_defaults(func=_retry)

    rehash = cc_sub.add_parser(
        "rehash",
        help="set a link's last hash again, agreed with the peer's operator",
        description="When the two ends disagree about the chain (a relay refused with 'does not "
        "match our records'), the operators agree a new last-hash and each sets it here. The "
        "link is paused until a coordinator resumes it.",
    )
    rehash.add_argument("--timebank", **bank)
    rehash.add_argument("--peer-path", required=True)
    rehash.add_argument("--last-hash", required=True)
    rehash.set_defaults(func=_rehash)

    status = cc_sub.add_parser("status", help="show the node, its links and pending payments")
    status.add_argument("--timebank", **bank)
    status.set_defaults(func=_status)


def _fail(message: str) -> int:
    print(f"coproduce: {message}", file=sys.stderr)
    return 2


def _timebank(slug: str):
    from coproduce.community.models import TimeBank

    return TimeBank.objects.filter(slug=slug).first()


def _graft(args: argparse.Namespace) -> int:
    from coproduce.creditcommons.models import PeerDirection
    from coproduce.creditcommons.services import peer_graft
    from coproduce.creditcommons.wire import quant_to_minutes

    timebank = _timebank(args.timebank)
    if timebank is None:
        return _fail(f"no time bank with the slug {args.timebank!r}")
    limit = 0 if args.limit == 0 else quant_to_minutes(args.limit)
    peer = peer_graft(
        timebank=timebank,
        acting=None,
        our_path=args.our_path,
        peer_path=args.peer_path,
        peer_url=args.peer_url,
        last_hash=args.last_hash,
        direction=PeerDirection.LEAFWARD if args.leafward else PeerDirection.TRUNKWARD,
        limit_minutes=limit,
    )
    where = "under us" if args.leafward else "trunkward"
    print(f"{timebank.slug} is {peer.node.path}; linked to {peer.path} ({where}) at {peer.url}")
    return 0


def _pay(args: argparse.Namespace) -> int:
    from coproduce.community.permissions import member_get_by_username
    from coproduce.creditcommons.sending import payment_send
    from coproduce.creditcommons.wire import quant_to_minutes

    timebank = _timebank(args.timebank)
    if timebank is None:
        return _fail(f"no time bank with the slug {args.timebank!r}")
    payer = member_get_by_username(timebank=timebank, username=args.payer)
    if payer is None:
        return _fail(f"no member {args.payer!r} in {timebank.slug}")
    sent = payment_send(
        timebank=timebank,
        payer=payer,
        address=args.address,
        minutes=quant_to_minutes(args.hours),
        description=args.description,
        acting=None,
    )
    return _report(sent)


def _report(sent) -> int:
    from coproduce.core.units import format_hmm

    line = f"{sent.uuid} {format_hmm(sent.minutes)} h to {sent.remote_address}: {sent.status}"
    if sent.is_completed:
        print(line)
        return 0
    print(f"{line} ({sent.error})", file=sys.stderr if sent.is_failed else sys.stdout)
    return 2 if sent.is_failed else 1


def _retry(args: argparse.Namespace) -> int:
    from coproduce.creditcommons.models import Direction, RemoteTransaction, Status
    from coproduce.creditcommons.sending import payment_retry

    timebank = _timebank(args.timebank)
    if timebank is None:
        return _fail(f"no time bank with the slug {args.timebank!r}")
    if args.uuid:
        uuids = [args.uuid]
    else:
        uuids = [
            str(u)
            for u in RemoteTransaction.objects.filter(
                timebank=timebank, direction=Direction.OUTGOING, status=Status.PENDING
            )
            .order_by("created_at")
            .values_list("uuid", flat=True)
        ]
    if not uuids:
        print("nothing is pending")
        return 0
    pending = 0
    for uuid in uuids:
        done = payment_retry(timebank=timebank, uuid=uuid, abandon=args.abandon)
        print(f"{done.uuid}: {done.status}{f' ({done.error})' if done.error else ''}")
        pending += done.is_pending
    return 1 if pending else 0


def _rehash(args: argparse.Namespace) -> int:
    from coproduce.creditcommons.services import peer_rehash

    timebank = _timebank(args.timebank)
    if timebank is None:
        return _fail(f"no time bank with the slug {args.timebank!r}")
    peer = peer_rehash(
        timebank=timebank, peer_path=args.peer_path, last_hash=args.last_hash, acting=None
    )
    print(f"link to {peer.path}: last hash set; paused until a coordinator resumes it")
    return 0


def _status(args: argparse.Namespace) -> int:
    from coproduce.core.units import format_hmm
    from coproduce.creditcommons.models import Node, RemoteTransaction, Status

    timebank = _timebank(args.timebank)
    if timebank is None:
        return _fail(f"no time bank with the slug {args.timebank!r}")
    node = Node.objects.filter(timebank=timebank).first()
    if node is None:
        print(f"{timebank.slug} is not a Credit Commons node")
        return 0
    print(f"node: {node.path}")
    for peer in node.peers.select_related("clearing", "holding").order_by("path"):
        state = f"paused ({peer.paused_reason})" if peer.paused else "open"
        print(
            f"link: {peer.path} {peer.direction} {peer.url} {state}\n"
            f"  position: {format_hmm(peer.clearing.balance)} h given, net"
            f" (limit {format_hmm(peer.clearing.max_balance or 0)} h)"
            f"; waiting: {format_hmm(peer.holding.balance)} h\n"
            f"  last hash: {peer.last_hash}"
        )
    for tx in RemoteTransaction.objects.filter(timebank=timebank, status=Status.PENDING):
        print(f"pending: {tx.uuid} {format_hmm(tx.minutes)} h to {tx.remote_address} {tx.error}")
    return 0
