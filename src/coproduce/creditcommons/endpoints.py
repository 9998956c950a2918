"""The Credit Commons endpoints a neighbouring node calls, under `/cc/<time bank slug>/`.

Authenticated only by the protocol's `cc-node` and `last-hash` headers (no session, no CSRF
token: a node is not a browser). Every answer is JSON; every refusal is the protocol's
`{"errors": ["…"]}` with its status (400 bad transaction, 401 headers, 403 paused, 404 unknown,
409 replayed or busy), never a page and never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from coproduce.community.models import TimeBank
from coproduce.core.errors import ApplicationError, NotFound
from coproduce.creditcommons import selectors, services, wire
from coproduce.creditcommons.models import Direction, Peer, RemoteTransaction

MAX_BODY = 256 * 1024


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse(wire.error_body(message), status=status)


def _trace(request: HttpRequest, response: HttpResponse, peer: Peer | None) -> HttpResponse:
    if peer is not None:
        trace = request.headers.get("cc-node-trace", "")[:500]
        response["cc-node-trace"] = f"{trace}, <{peer.node.name}" if trace else f"<{peer.node.name}"
    return response


def _protocol(methods: set[str]) -> Callable:
    """Wrap a handler: the method check, the time bank, refusals as the protocol's JSON."""

    def wrap(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def view(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = _error(405, _("Method not allowed."))
                response["Allow"] = ", ".join(sorted(methods))
                return response
            timebank = TimeBank.objects.filter(slug=slug).first()
            try:
                if timebank is None:
                    raise NotFound(_("There is no such node here."), "no_node")
                return handler(request, timebank, **kwargs)
            except ApplicationError as exc:
                return _error(exc.http_status, exc.message)

        view.__name__ = handler.__name__
        view.__doc__ = handler.__doc__
        return view

    return wrap


def _peer(request: HttpRequest, timebank: TimeBank, earlier: str = "") -> Peer:
    return services.peer_authenticate(
        timebank=timebank,
        cc_node=request.headers.get("cc-node", "").strip(),
        last_hash=request.headers.get("last-hash", "").strip(),
        earlier=earlier,
    )


@_protocol({"GET"})
def welcome(request: HttpRequest, timebank: TimeBank) -> HttpResponse:
    """A handshake: the headers are right."""
    peer = _peer(request, timebank)
    body = {"message": _("Welcome to the Credit Commons node %(path)s.") % {"path": peer.node.path}}
    return _trace(request, JsonResponse(body), peer)


@_protocol({"POST"})
def relay(request: HttpRequest, timebank: TimeBank) -> HttpResponse:
    """Receive a transaction: book it and advance the hash, or refuse it changing nothing."""
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY:
        return _error(413, _("The transaction is too large."))
    try:
        raw = request.body
    except RawPostDataException:
        # A form post that a middleware has read already: not JSON, refused as such.
        raw = b""
    remote_tx = services.transaction_receive(
        timebank=timebank,
        cc_node=request.headers.get("cc-node", "").strip(),
        last_hash=request.headers.get("last-hash", "").strip(),
        body=raw,
    )
    body = {"data": remote_tx.entries, "meta": {"secs_valid_left": 0}}
    response = JsonResponse(body, status=201)
    response["last-hash"] = remote_tx.hash
    return _trace(request, response, remote_tx.peer)


def _transaction_json(remote_tx: RemoteTransaction) -> dict[str, Any]:
    return {
        "uuid": str(remote_tx.uuid),
        "state": remote_tx.state,
        "workflow": remote_tx.workflow,
        "version": remote_tx.version,
        "entries": remote_tx.entries,
    }


@_protocol({"GET"})
def transaction_show(request: HttpRequest, timebank: TimeBank, uuid: str) -> HttpResponse:
    """One transaction received over this link. The sender may ask with the hash from before
    it, for its answer may have been lost."""
    peer = _peer(request, timebank, earlier=str(uuid))
    remote_tx = RemoteTransaction.objects.filter(
        peer=peer, uuid=uuid, direction=Direction.INCOMING
    ).first()
    if remote_tx is None:
        raise NotFound(_("No transaction %(uuid)s was received from you.") % {"uuid": uuid})
    body = {"data": _transaction_json(remote_tx)}
    return _trace(request, JsonResponse(body), peer)


@_protocol({"PATCH"})
def transaction_state(
    request: HttpRequest, timebank: TimeBank, uuid: str, state: str
) -> HttpResponse:
    """Move a transaction to another state. Every transaction here is completed when booked,
    so completing it again is accepted and changes nothing; any other state is refused."""
    peer = _peer(request, timebank)
    remote_tx = RemoteTransaction.objects.filter(peer=peer, uuid=uuid).first()
    if remote_tx is None:
        raise NotFound(_("No transaction %(uuid)s crossed this link.") % {"uuid": uuid})
    if state != "C" or not remote_tx.is_completed:
        raise wire.WireError(
            _(
                "This node completes transactions when it books them; it cannot move one to "
                "%(state)s."
            )
            % {"state": state[:8]},
            "unsupported_state",
        )
    return _trace(request, HttpResponse(status=201), peer)


@_protocol({"GET"})
def account(request: HttpRequest, timebank: TimeBank) -> HttpResponse:
    """An account's trades over this link."""
    peer = _peer(request, timebank)
    summary = selectors.account_summary(peer=peer, acc_path=request.GET.get("acc_path", ""))
    return _trace(request, JsonResponse(summary), peer)


@_protocol({"GET"})
def account_history(request: HttpRequest, timebank: TimeBank) -> HttpResponse:
    peer = _peer(request, timebank)
    history = selectors.account_history(peer=peer, acc_path=request.GET.get("acc_path", ""))
    return _trace(request, JsonResponse(history), peer)
