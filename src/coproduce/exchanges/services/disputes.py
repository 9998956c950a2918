"""When an exchange goes wrong: a participant raises a problem (dispute), a coordinator resolves
it (confirm, adjust the time, or cancel), or reverses a confirmed exchange's credits."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Person,
)
from coproduce.community.permissions import coordinators_of, require_coordinator
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    Participant,
    Side,
)
from coproduce.exchanges.selectors.exchanges import (
    exchange_crosses_banks,
    exchange_sides_for,
    exchange_standing,
)
from coproduce.exchanges.services._common import (
    _audit,
    _check_minutes,
    _locked,
    _note,
    _people_of,
    _status_conflict,
    _tell,
)
from coproduce.exchanges.services.pairings import _post_confirmation
from coproduce.ledger.models import Transfer
from coproduce.ledger.services import (
    transfer_reverse,
)

OUTCOME_CONFIRM, OUTCOME_ADJUST, OUTCOME_CANCEL = "confirm", "adjust", "cancel"
OUTCOMES = (OUTCOME_CONFIRM, OUTCOME_ADJUST, OUTCOME_CANCEL)


@transaction.atomic
def exchange_dispute(*, exchange: Exchange, acting: Person, reason: str) -> Exchange:
    """Either side says something went wrong after the help was marked done; no credits move
    until a coordinator resolves it."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Say what went wrong, so the coordinator can help."), "reason_required"
        )
    exchange = _locked(exchange)
    if exchange.status != ExchangeStatus.DONE:
        raise _status_conflict(exchange)
    me = exchange_standing(exchange=exchange, person=acting)
    if not me.takes_part:
        raise PermissionDenied(
            _("Only the people taking part can raise a problem about an exchange."),
            "not_a_participant",
        )
    exchange.status = ExchangeStatus.DISPUTED
    exchange.dispute_reason = reason
    exchange.save(update_fields=["status", "dispute_reason"])
    _audit(exchange, "disputed", acting, reason=reason)
    people = _people_of(list(exchange.participants.all()))
    known = {p.pk for p in people}
    people += [c for c in coordinators_of(exchange.timebank) if c.pk not in known]
    _tell(
        exchange,
        people,
        kind="exchange_disputed",
        message=lambda: (
            _(
                "%(name)s raised a problem with the exchange %(title)s: %(reason)s. A coordinator "
                "will be in touch."
            )
            % {"name": acting.display_name, "title": exchange.title, "reason": reason}
        ),
        skip=acting,
    )
    return exchange


@transaction.atomic
def exchange_resolve(
    *,
    acting: Person,
    exchange: Exchange,
    outcome: str,
    note: str,
    minutes: int | None = None,
) -> Exchange:
    """A coordinator settles a dispute: confirm as it was, confirm with adjusted time, or
    cancel. The note explains the decision to both sides."""
    exchange = _locked(exchange)
    require_coordinator(
        person=acting,
        timebank=exchange.timebank,
        message=_("Only a coordinator can resolve a problem."),
    )
    if exchange_sides_for(exchange=exchange, person=acting):
        raise PermissionDenied(
            _("You take part in this exchange, so another coordinator should resolve it."),
            "own_exchange",
        )
    if exchange.status != ExchangeStatus.DISPUTED:
        raise _status_conflict(exchange)
    if outcome not in OUTCOMES:
        raise ApplicationError(_("Choose how to resolve it."), "bad_outcome")
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            _("Write a note for both sides saying what was decided."), "note_required"
        )
    participants = list(exchange.participants.all())
    old_minutes = exchange.actual_minutes
    now = timezone.now()
    _note(exchange, _("Coordinator's decision: %(note)s") % {"note": note})
    exchange.logged_by = acting
    if outcome == OUTCOME_CANCEL:
        exchange.status = ExchangeStatus.CANCELLED
        exchange.cancelled_at = now
        exchange.save(update_fields=["status", "cancelled_at", "notes", "logged_by"])
        kind = "exchange_cancelled"
    else:
        if outcome == OUTCOME_ADJUST:
            exchange.actual_minutes = _check_minutes(minutes, exchange.timebank)
        Participant.objects.filter(
            exchange=exchange, side=Side.RECEIVER, confirmed_at__isnull=True
        ).update(confirmed_at=now)
        _post_confirmation(exchange, participants, acting)
        exchange.save(
            update_fields=[
                "status",
                "confirmed_at",
                "transfer",
                "notes",
                "logged_by",
                "actual_minutes",
            ]
        )
        kind = "exchange_confirmed"
    _audit(
        exchange,
        "resolved",
        acting,
        outcome=outcome,
        note=note,
        old_minutes=old_minutes,
        new_minutes=exchange.actual_minutes,
        transfer=str(exchange.transfer.public_id) if exchange.transfer else None,
    )
    _tell(
        exchange,
        _people_of(participants),
        kind=kind,
        message=lambda: (
            _("A coordinator has sorted out the problem with %(title)s: %(note)s")
            % {"title": exchange.title, "note": note}
        ),
        skip=acting,
    )
    return exchange


@transaction.atomic
def exchange_reverse(*, exchange: Exchange, acting: Person, reason: str) -> Exchange:
    """A coordinator undoes a confirmed exchange's credits with a reversal (the ledger is
    append-only); the exchange keeps its history and shows it was reversed."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why this exchange is being reversed."), "reason_required")
    exchange = _locked(exchange)
    require_coordinator(
        person=acting,
        timebank=exchange.timebank,
        message=_("Only a coordinator can reverse an exchange."),
    )
    if exchange_sides_for(exchange=exchange, person=acting):
        raise PermissionDenied(
            _("You take part in this exchange, so another coordinator should reverse it."),
            "own_exchange",
        )
    if exchange.status != ExchangeStatus.CONFIRMED or exchange.transfer is None:
        raise Conflict(_("Only a confirmed exchange has credits to reverse."), "not_confirmed")
    if Transfer.objects.filter(reverses=exchange.transfer).exists():
        raise Conflict(_("This exchange has already been reversed."), "already_reversed")
    if exchange_crosses_banks(exchange):
        # Its credits moved in two banks' ledgers; reversing one half would leave the clearing
        # accounts out of step (federation). The correction is an exchange the other way.
        raise Conflict(
            _(
                "Credits of an exchange with a partner bank moved in both banks, so they "
                "cannot be reversed here; arrange an exchange the other way instead."
            ),
            "crosses_banks",
        )
    reversal = transfer_reverse(transfer=exchange.transfer, acting=acting, reason=reason)
    _note(exchange, _("Credits reversed by a coordinator: %(reason)s") % {"reason": reason})
    exchange.save(update_fields=["notes"])
    _audit(exchange, "reversed", acting, reason=reason, reversal=str(reversal.public_id))
    _tell(
        exchange,
        _people_of(list(exchange.participants.all())),
        kind="exchange_reversed",
        message=lambda: (
            _("A coordinator reversed the credits of %(title)s: %(reason)s")
            % {"title": exchange.title, "reason": reason}
        ),
        skip=acting,
    )
    return exchange
