"""The exchange lifecycle: proposed → agreed → done → confirmed (or cancelled / disputed).

Credits move only at `confirmed`, through one `transfer_post` whose idempotency key is
`exchange:<uuid>:confirm`, so a retried or repeated confirmation never posts twice.

Who may do what:
- the side that did not propose agrees; a provider marks the help done with the time it took;
  each receiver confirms their part (a provider marking it done is the providers' confirmation);
  either side cancels before it is done, or raises a problem (dispute) after it is done;
- a coordinator of the time bank may agree, mark done, confirm or cancel on behalf of members of
  an exchange they are not part of (offline members), resolves disputes, logs finished exchanges
  and reverses confirmed ones;
- a person acts for an organisation taking part when they are on its staff.

How credits are counted: every provider-receiver pair counts the actual time. One-to-one: the
receiver pays it and the provider earns it. A group session (one provider, several receivers):
each receiver pays the actual time and the provider earns it once per receiver; when an
organisation or the community chest pays, it pays the actual time once per receiver instead. Team
help (several providers, one receiver): each provider earns the hours they gave, and the receiver
pays the total.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Protocol

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationStaff,
    Person,
    TimeBank,
)
from coproduce.core.audit import audit_record
from coproduce.core.categories import Category
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.notifications import notify
from coproduce.core.units import format_hmm
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    Feedback,
    ListingStatus,
    Offer,
    PaidBy,
    Pairing,
    Participant,
    Request,
    Side,
)
from coproduce.exchanges.selectors import (
    exchange_parts_to_confirm,
    exchange_proposer_side,
    exchange_sides_for,
    exchange_standing,
    is_coordinator_of,
    staff_organisation_ids,
)
from coproduce.ledger.models import Account, AccountKind, Transfer, TransferKind
from coproduce.ledger.services import (
    chest_get_or_open,
    member_account_get_or_open,
    organisation_account_get_or_open,
    transfer_post,
    transfer_reverse,
)

Party = Person | Organisation

OUTCOME_CONFIRM, OUTCOME_ADJUST, OUTCOME_CANCEL = "confirm", "adjust", "cancel"
OUTCOMES = (OUTCOME_CONFIRM, OUTCOME_ADJUST, OUTCOME_CANCEL)
FEEDBACK_MAX_LENGTH = 1000


# --- helpers -------------------------------------------------------------------------------


def _locked(exchange: Exchange) -> Exchange:
    # Re-read the exchange under a row lock: this closes the race of two actions arriving
    # together (a confirmation and a cancellation, or two confirmations), as the second waits
    # for the first to commit and then sees its status.
    return (
        Exchange.objects.select_for_update(of=("self",))
        .select_related("timebank", "transfer")
        .prefetch_related("participants__person", "participants__organisation")
        .get(pk=exchange.pk)
    )


def _check_minutes(minutes: int | None, timebank: TimeBank) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise ApplicationError(_("Give the time as more than zero minutes."), "bad_minutes")
    if minutes > timebank.max_exchange_minutes:
        raise ApplicationError(
            _("One exchange can be at most %(max)s hours. Split longer help into several.")
            % {"max": format_hmm(timebank.max_exchange_minutes)},
            "too_long",
        )
    return minutes


def _party_key(party: Party) -> tuple[str, int]:
    return ("person" if isinstance(party, Person) else "organisation", party.pk)


def _party_account(timebank: TimeBank, party: Party) -> Account:
    """The party's hour account, opened on first use, after checking they may trade here."""
    if isinstance(party, Organisation):
        if party.timebank_id != timebank.pk:
            raise ApplicationError(
                _("%(name)s is not a partner of this time bank.") % {"name": party.name},
                "not_member",
            )
        return organisation_account_get_or_open(organisation=party)
    membership = Membership.objects.filter(person=party, timebank=timebank).first()
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        raise ApplicationError(
            _(
                "%(name)s is not an active member of this time bank yet, so cannot give or "
                "receive help. The coordinator activates new members after meeting them."
            )
            % {"name": party.display_name},
            "not_active",
        )
    return member_account_get_or_open(timebank=timebank, person=party)


def _people_of(participants: Sequence[Participant], side: str | None = None) -> list[Person]:
    """Everyone to tell about a change: the people taking part, and the staff of organisations
    taking part."""
    chosen = [p for p in participants if side is None or p.side == side]
    people: dict[int, Person] = {p.person.pk: p.person for p in chosen if p.person is not None}
    organisation_ids = [p.organisation_id for p in chosen if p.organisation_id is not None]
    if organisation_ids:
        for staff in OrganisationStaff.objects.filter(
            organisation_id__in=organisation_ids
        ).select_related("person"):
            people.setdefault(staff.person.pk, staff.person)
    return list(people.values())


def _coordinators(timebank: TimeBank) -> list[Person]:
    return [
        m.person
        for m in Membership.objects.filter(timebank=timebank, status=MembershipStatus.ACTIVE)
        .coordinators()
        .select_related("person")
    ]


def _url(exchange: Exchange) -> str:
    return reverse("exchanges:exchange", args=[exchange.public_id])


def _tell(
    exchange: Exchange, people: Sequence[Person], *, kind: str, message: str, skip: Person | None
) -> None:
    for person in people:
        if skip is not None and person.pk == skip.pk:
            continue
        notify(
            person=person,
            kind=kind,
            message=message,
            url=_url(exchange),
            timebank=exchange.timebank,
        )


def _audit(
    exchange: Exchange,
    action: str,
    acting: Person,
    on_behalf_of: Person | None = None,
    **data: object,
) -> None:
    audit_record(
        action=f"exchange.{action}",
        actor=acting,
        timebank_id=exchange.timebank_id,
        on_behalf_of=on_behalf_of,
        target=f"exchange:{exchange.public_id}",
        data={"status": exchange.status, **data},
    )


def _only_person(participants: Sequence[Participant], side: str) -> Person | None:
    people = [p.person for p in participants if p.side == side and p.person_id is not None]
    return people[0] if len(people) == 1 else None


def _note(exchange: Exchange, line: str) -> None:
    exchange.notes = f"{exchange.notes}\n\n{line}".strip() if exchange.notes else line


def _status_conflict(exchange: Exchange) -> Conflict:
    messages = {
        ExchangeStatus.PROPOSED: _("This exchange has not been agreed yet."),
        ExchangeStatus.AGREED: _("This exchange has not been marked done yet."),
        ExchangeStatus.DONE: _("This exchange is done and waiting to be confirmed."),
        ExchangeStatus.DISPUTED: _(
            "A problem has been raised about this exchange; a coordinator will sort it out."
        ),
        ExchangeStatus.CONFIRMED: _(
            "This exchange is already confirmed and its credits have moved. If that was a "
            "mistake, a coordinator can reverse it."
        ),
        ExchangeStatus.CANCELLED: _("This exchange was cancelled."),
    }
    return Conflict(messages[ExchangeStatus(exchange.status)], "wrong_status")


# --- proposing -----------------------------------------------------------------------------


@transaction.atomic
def exchange_propose(
    *,
    timebank: TimeBank,
    acting: Person,
    providers: Sequence[Party],
    receivers: Sequence[Party],
    title: str,
    category: str,
    expected_minutes: int,
    offer: Offer | None = None,
    request: Request | None = None,
    scheduled_for: datetime | None = None,
    paid_by: str = PaidBy.RECEIVERS,
    paying_account: Account | None = None,
    on_behalf_of: Person | None = None,
    notes: str = "",
) -> Exchange:
    """Propose an exchange: from an offer (the person proposing receives), from a request (the
    person proposing gives), or free-standing. The other side then agrees."""
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Say in a few words what the help is."), "title_required")
    if category not in Category.values:
        raise ApplicationError(_("Choose a kind of help."), "bad_category")
    _check_minutes(expected_minutes, timebank)
    providers, receivers = list(providers), list(receivers)
    if not providers or not receivers:
        raise ApplicationError(
            _("An exchange needs someone giving help and someone receiving it."), "no_one"
        )
    if len(providers) > 1 and len(receivers) > 1:
        raise ApplicationError(
            _(
                "An exchange has one person giving help to several (a group session) or several "
                "helping one (team help), not several on both sides. Arrange it as separate "
                "exchanges."
            ),
            "many_to_many",
        )
    provider_keys = [_party_key(p) for p in providers]
    receiver_keys = [_party_key(p) for p in receivers]
    if len(set(provider_keys)) != len(provider_keys) or len(set(receiver_keys)) != len(
        receiver_keys
    ):
        raise ApplicationError(_("Someone is listed twice on the same side."), "listed_twice")
    if set(provider_keys) & set(receiver_keys):
        raise ApplicationError(_("You can't exchange with yourself."), "self_exchange")

    coordinator = is_coordinator_of(person=acting, timebank=timebank)
    proposer = acting
    if on_behalf_of is not None and on_behalf_of.pk != acting.pk:
        if not coordinator:
            raise PermissionDenied(
                _("Only a coordinator can arrange an exchange for someone else."), "on_behalf"
            )
        proposer = on_behalf_of
    my_org_ids = staff_organisation_ids(person=proposer, timebank=timebank)

    def is_me(party: Party) -> bool:
        if isinstance(party, Person):
            return party.pk == proposer.pk
        return party.pk in my_org_ids

    # Staff of the organisation paying for it (a GP arranging a group for patients) may
    # arrange an exchange they do not take part in.
    pays_for_it = (
        paid_by == PaidBy.ORGANISATION
        and paying_account is not None
        and paying_account.organisation_id in my_org_ids
    )
    if not pays_for_it and not any(is_me(p) for p in providers + receivers):
        raise PermissionDenied(
            _("You can only propose an exchange you take part in."), "not_a_participant"
        )
    if offer is not None and request is not None:
        raise ApplicationError(_("An exchange answers an offer or a request, not both."))
    listing = offer or request
    if listing is not None:
        if listing.timebank_id != timebank.pk or listing.status != ListingStatus.ACTIVE:
            raise ApplicationError(_("That offer or request is no longer open."), "listing_closed")
        owner: Party | None = listing.person or listing.organisation
        owners_side = providers if offer is not None else receivers
        if owner is None or _party_key(owner) not in [_party_key(p) for p in owners_side]:
            raise ApplicationError(
                _("The person who posted it must take part in the exchange."), "owner_missing"
            )

    accounts = {}
    for party in providers + receivers:
        accounts[_party_key(party)] = _party_account(timebank, party)

    if paid_by == PaidBy.RECEIVERS:
        paying_account = None
    elif paid_by == PaidBy.CHEST:
        if not coordinator:
            raise PermissionDenied(
                _("Only a coordinator can arrange for the community chest to pay."), "chest"
            )
        paying_account = chest_get_or_open(timebank=timebank)
    elif paid_by == PaidBy.ORGANISATION:
        if (
            paying_account is None
            or paying_account.timebank_id != timebank.pk
            or paying_account.kind != AccountKind.ORGANISATION
        ):
            raise ApplicationError(_("Choose the organisation that pays."), "no_payer")
        if not coordinator and paying_account.organisation_id not in staff_organisation_ids(
            person=acting, timebank=timebank
        ):
            raise PermissionDenied(
                _("Only its staff or a coordinator can spend an organisation's credits."),
                "organisation_payer",
            )
    else:
        raise ApplicationError(_("Choose who pays for this exchange."), "bad_paid_by")
    if paying_account is not None and paying_account.pk in {accounts[k].pk for k in provider_keys}:
        raise ApplicationError(
            _("Whoever gives the help cannot also pay for it."), "payer_is_provider"
        )

    now = timezone.now()
    exchange = Exchange.objects.create(
        timebank=timebank,
        public_id=uuid.uuid4(),
        offer=offer,
        request=request,
        title=title[:140],
        category=category,
        scheduled_for=scheduled_for,
        expected_minutes=expected_minutes,
        proposed_by=proposer,
        logged_by=acting if proposer.pk != acting.pk else None,
        created_at=now,
        paid_by=paid_by,
        paying_account=paying_account,
        notes=(notes or "").strip(),
    )
    participants = Participant.objects.bulk_create(
        [
            Participant(
                timebank=timebank,
                exchange=exchange,
                side=side,
                person=party if isinstance(party, Person) else None,
                organisation=party if isinstance(party, Organisation) else None,
                account=accounts[_party_key(party)],
            )
            for side, parties in ((Side.PROVIDER, providers), (Side.RECEIVER, receivers))
            for party in parties
        ]
    )
    _audit(
        exchange,
        "proposed",
        acting,
        on_behalf_of=proposer if proposer.pk != acting.pk else None,
        title=exchange.title,
        expected_minutes=expected_minutes,
        providers=[f"{k}:{pk}" for k, pk in provider_keys],
        receivers=[f"{k}:{pk}" for k, pk in receiver_keys],
        paid_by=paid_by,
    )
    proposer_is_provider = any(is_me(p) for p in providers)
    other_side = Side.RECEIVER if proposer_is_provider else Side.PROVIDER
    _tell(
        exchange,
        _people_of(participants, other_side),
        kind="exchange_proposed",
        message=_(
            "%(name)s has proposed an exchange: %(title)s (%(hours)s h). Please agree to it or "
            "cancel it."
        )
        % {
            "name": proposer.display_name,
            "title": exchange.title,
            "hours": format_hmm(expected_minutes),
        },
        skip=proposer,
    )
    return exchange


# --- the lifecycle -------------------------------------------------------------------------


@transaction.atomic
def exchange_agree(*, exchange: Exchange, acting: Person) -> Exchange:
    """The side that did not propose agrees to the exchange."""
    exchange = _locked(exchange)
    if exchange.status != ExchangeStatus.PROPOSED:
        if exchange.status == ExchangeStatus.AGREED:
            return exchange  # agreeing twice changes nothing
        raise _status_conflict(exchange)
    me = exchange_standing(exchange=exchange, person=acting)
    proposer_side = exchange_proposer_side(exchange)
    if not me.acts_for_others and not (me.sides - {proposer_side}):
        raise PermissionDenied(
            _("The other side agrees to an exchange; you proposed this one."), "not_other_side"
        )
    exchange.status = ExchangeStatus.AGREED
    exchange.agreed_at = timezone.now()
    exchange.save(update_fields=["status", "agreed_at"])
    participants = list(exchange.participants.all())
    _audit(exchange, "agreed", acting, coordinator_on_behalf=me.acts_for_others)
    _tell(
        exchange,
        _people_of(participants),
        kind="exchange_agreed",
        message=_("%(name)s agreed to the exchange: %(title)s.")
        % {"name": acting.display_name, "title": exchange.title},
        skip=acting,
    )
    return exchange


@transaction.atomic
def exchange_mark_done(*, exchange: Exchange, acting: Person, actual_minutes: int) -> Exchange:
    """A provider says the help has happened and how long it took; receivers then confirm."""
    exchange = _locked(exchange)
    if exchange.status != ExchangeStatus.AGREED:
        raise _status_conflict(exchange)
    me = exchange_standing(exchange=exchange, person=acting)
    if not me.acts_for_others and not me.on(Side.PROVIDER):
        raise PermissionDenied(_("The person who gave the help marks it done."), "not_provider")
    _check_minutes(actual_minutes, exchange.timebank)
    exchange.status = ExchangeStatus.DONE
    exchange.actual_minutes = actual_minutes
    exchange.done_at = timezone.now()
    exchange.save(update_fields=["status", "actual_minutes", "done_at"])
    participants = list(exchange.participants.all())
    _audit(
        exchange,
        "done",
        acting,
        actual_minutes=actual_minutes,
        expected_minutes=exchange.expected_minutes,
        coordinator_on_behalf=me.acts_for_others,
    )
    _tell(
        exchange,
        _people_of(participants, Side.RECEIVER),
        kind="exchange_done",
        message=_(
            "%(name)s says the help is done: %(title)s, %(hours)s h. Please confirm it, or say "
            "if something is wrong."
        )
        % {
            "name": acting.display_name,
            "title": exchange.title,
            "hours": format_hmm(actual_minutes),
        },
        skip=acting,
    )
    return exchange


def _entries(exchange: Exchange, participants: Sequence[Participant]) -> list[tuple[int, int]]:
    """Every provider-receiver pair counts the actual time (see the module's docstring)."""
    minutes = exchange.actual_minutes or 0
    providers = [p for p in participants if p.side == Side.PROVIDER]
    receivers = [p for p in participants if p.side == Side.RECEIVER]
    entries = [(p.account_id, minutes * len(receivers)) for p in providers]
    if exchange.paid_by == PaidBy.RECEIVERS or exchange.paying_account_id is None:
        entries += [(p.account_id, -minutes * len(providers)) for p in receivers]
    else:
        entries.append((exchange.paying_account_id, -minutes * len(providers) * len(receivers)))
    return entries


def _post_confirmation(
    exchange: Exchange, participants: Sequence[Participant], acting: Person
) -> Transfer:
    """The exchange's one posting; a retry finds the first through its idempotency key."""
    on_behalf_of = None
    receiver = _only_person(participants, Side.RECEIVER)
    if receiver is not None and receiver.pk != acting.pk:
        on_behalf_of = receiver
    transfer = transfer_post(
        timebank=exchange.timebank,
        acting=acting,
        entries=_entries(exchange, participants),
        memo=exchange.title[:255],
        kind=TransferKind.EXCHANGE,
        idempotency_key=f"exchange:{exchange.public_id}:confirm",
        on_behalf_of=on_behalf_of,
        occurred_at=exchange.done_at,
    )
    pairings_record(exchange, participants, transfer)
    now = timezone.now()
    exchange.status = ExchangeStatus.CONFIRMED
    exchange.confirmed_at = now
    exchange.transfer = transfer
    return transfer


class _HasAccount(Protocol):
    account_id: int


def pairs_of(
    providers: Sequence[_HasAccount], receivers: Sequence[_HasAccount]
) -> list[tuple[int, int, bool]]:
    """Each giver with each receiver, by account: (provider, receiver, counts_exchange). The
    first pair is the one that counts the exchange, so summing the flag counts exchanges."""
    return [
        (provider.account_id, receiver.account_id, i == j == 0)
        for i, provider in enumerate(providers)
        for j, receiver in enumerate(receivers)
    ]


def pairings_build(
    exchange: Exchange, participants: Sequence[Participant], transfer: Transfer
) -> list[Pairing]:
    """The exchange's giver-receiver pairs, as `_entries` credits them: each provider earns
    the actual time once for each receiver."""
    return [
        Pairing(
            timebank_id=exchange.timebank_id,
            exchange_id=exchange.pk,
            transfer_id=transfer.pk,
            provider_id=provider_id,
            receiver_id=receiver_id,
            category=exchange.category,
            minutes=exchange.actual_minutes or 0,
            occurred_at=transfer.occurred_at,
            counts_exchange=counts,
        )
        for provider_id, receiver_id, counts in pairs_of(
            [p for p in participants if p.side == Side.PROVIDER],
            [p for p in participants if p.side == Side.RECEIVER],
        )
    ]


def pairings_record(
    exchange: Exchange, participants: Sequence[Participant], transfer: Transfer
) -> None:
    """Writes the pairs with the exchange's transfer (a retry writes nothing twice)."""
    Pairing.objects.bulk_create(
        pairings_build(exchange, participants, transfer), ignore_conflicts=True
    )


@transaction.atomic
def exchange_confirm(*, exchange: Exchange, acting: Person) -> Exchange:
    """A receiver confirms their part. When every receiver has confirmed (or a coordinator
    confirms for them all), the credits move in one transfer. Confirming again changes nothing.

    A ledger refusal (an account past its limit) rolls everything back: the exchange stays done.
    """
    exchange = _locked(exchange)
    if exchange.status == ExchangeStatus.CONFIRMED:
        return exchange
    if exchange.status != ExchangeStatus.DONE:
        raise _status_conflict(exchange)
    me = exchange_standing(exchange=exchange, person=acting)
    if not me.acts_for_others and not me.on(Side.RECEIVER):
        raise PermissionDenied(_("The person who received the help confirms it."), "not_receiver")
    participants = list(exchange.participants.all())
    now = timezone.now()
    newly = exchange_parts_to_confirm(exchange, acting, me)
    if not newly:
        return exchange  # this receiver had already confirmed their part
    for p in newly:
        p.confirmed_at = now
    Participant.objects.filter(pk__in=[p.pk for p in newly]).update(confirmed_at=now)
    waiting = [p for p in participants if p.side == Side.RECEIVER and p.confirmed_at is None]
    if me.acts_for_others:
        exchange.logged_by = acting
    if waiting:
        exchange.save(update_fields=["logged_by"])
        _audit(exchange, "part_confirmed", acting, parts=[p.pk for p in newly])
        return exchange
    transfer = _post_confirmation(exchange, participants, acting)
    exchange.save(update_fields=["status", "confirmed_at", "transfer", "logged_by"])
    _audit(
        exchange,
        "confirmed",
        acting,
        on_behalf_of=transfer.on_behalf_of,
        transfer=str(transfer.public_id),
        actual_minutes=exchange.actual_minutes,
        coordinator_on_behalf=me.acts_for_others,
    )
    _tell(
        exchange,
        _people_of(participants),
        kind="exchange_confirmed",
        message=_("The exchange is confirmed and the time credits have moved: %(title)s.")
        % {"title": exchange.title},
        skip=acting,
    )
    return exchange


@transaction.atomic
def exchange_cancel(*, exchange: Exchange, acting: Person, reason: str = "") -> Exchange:
    """Either side calls it off before the help is done."""
    exchange = _locked(exchange)
    if exchange.status == ExchangeStatus.CANCELLED:
        return exchange
    if exchange.status not in (ExchangeStatus.PROPOSED, ExchangeStatus.AGREED):
        if exchange.status == ExchangeStatus.DONE:
            raise Conflict(
                _(
                    "The help has been marked done, so it can no longer be cancelled. If "
                    "something is wrong, raise a problem and a coordinator will sort it out."
                ),
                "wrong_status",
            )
        raise _status_conflict(exchange)
    me = exchange_standing(exchange=exchange, person=acting)
    if not me.acts_for_others and not me.takes_part:
        raise PermissionDenied(
            _("Only the people taking part can cancel an exchange."), "not_a_participant"
        )
    reason = (reason or "").strip()
    exchange.status = ExchangeStatus.CANCELLED
    exchange.cancelled_at = timezone.now()
    if reason:
        _note(exchange, _("Why it was cancelled: %(reason)s") % {"reason": reason})
    exchange.save(update_fields=["status", "cancelled_at", "notes"])
    _audit(exchange, "cancelled", acting, reason=reason, coordinator_on_behalf=me.acts_for_others)
    message = _("%(name)s cancelled the exchange: %(title)s.") % {
        "name": acting.display_name,
        "title": exchange.title,
    }
    if reason:
        message += " " + _("Reason: %(reason)s") % {"reason": reason}
    _tell(
        exchange,
        _people_of(list(exchange.participants.all())),
        kind="exchange_cancelled",
        message=message,
        skip=acting,
    )
    return exchange


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
    people += [c for c in _coordinators(exchange.timebank) if c.pk not in known]
    _tell(
        exchange,
        people,
        kind="exchange_disputed",
        message=_(
            "%(name)s raised a problem with the exchange %(title)s: %(reason)s. A coordinator "
            "will be in touch."
        )
        % {"name": acting.display_name, "title": exchange.title, "reason": reason},
        skip=acting,
    )
    return exchange


def _require_coordinator(acting: Person, timebank: TimeBank, message: str) -> None:
    if not is_coordinator_of(person=acting, timebank=timebank):
        raise PermissionDenied(message, "coordinator_only")


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
    _require_coordinator(acting, exchange.timebank, _("Only a coordinator can resolve a problem."))
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
        message=_("A coordinator has sorted out the problem with %(title)s: %(note)s")
        % {"title": exchange.title, "note": note},
        skip=acting,
    )
    return exchange


@transaction.atomic
def exchange_log_finished(
    *,
    timebank: TimeBank,
    acting: Person,
    provider: Party,
    receiver: Party,
    title: str,
    category: str,
    minutes: int,
    done_on: date,
    note: str = "",
) -> Exchange:
    """A coordinator records help that has already happened between members who are offline:
    it is confirmed straight away, and both are told at their next sign-in or by their
    contact route."""
    _require_coordinator(acting, timebank, _("Only a coordinator can log an exchange for members."))
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Say in a few words what the help was."), "title_required")
    if category not in Category.values:
        raise ApplicationError(_("Choose a kind of help."), "bad_category")
    _check_minutes(minutes, timebank)
    if done_on > timezone.localdate():
        raise ApplicationError(
            _("That date is in the future; log help once it has happened."), "future_date"
        )
    if _party_key(provider) == _party_key(receiver):
        raise ApplicationError(_("You can't exchange with yourself."), "self_exchange")
    for party in (provider, receiver):
        if isinstance(party, Person) and party.pk == acting.pk:
            raise PermissionDenied(
                _(
                    "You took part in this exchange, so another coordinator should log it, "
                    "or you can propose it yourself."
                ),
                "own_exchange",
            )
    provider_account = _party_account(timebank, provider)
    receiver_account = _party_account(timebank, receiver)
    # Noon, so the day stays the same whatever the time zone the reports are read in.
    done_at = timezone.make_aware(datetime.combine(done_on, time(12)))
    now = timezone.now()
    exchange = Exchange.objects.create(
        timebank=timebank,
        public_id=uuid.uuid4(),
        title=title[:140],
        category=category,
        status=ExchangeStatus.DONE,
        expected_minutes=minutes,
        actual_minutes=minutes,
        proposed_by=acting,
        logged_by=acting,
        created_at=now,
        agreed_at=done_at,
        done_at=done_at,
        notes=(note or "").strip(),
    )
    participants = Participant.objects.bulk_create(
        [
            Participant(
                timebank=timebank,
                exchange=exchange,
                side=side,
                person=party if isinstance(party, Person) else None,
                organisation=party if isinstance(party, Organisation) else None,
                account=account,
                confirmed_at=now if side == Side.RECEIVER else None,
            )
            for side, party, account in (
                (Side.PROVIDER, provider, provider_account),
                (Side.RECEIVER, receiver, receiver_account),
            )
        ]
    )
    exchange.timebank = timebank
    transfer = _post_confirmation(exchange, participants, acting)
    exchange.save(update_fields=["status", "confirmed_at", "transfer"])
    _audit(
        exchange,
        "logged",
        acting,
        on_behalf_of=receiver if isinstance(receiver, Person) else None,
        provider=":".join(map(str, _party_key(provider))),
        receiver=":".join(map(str, _party_key(receiver))),
        minutes=minutes,
        done_on=done_on.isoformat(),
        note=exchange.notes,
        transfer=str(transfer.public_id),
    )
    _tell(
        exchange,
        _people_of(participants),
        kind="exchange_confirmed",
        message=_(
            "%(coordinator)s recorded an exchange for you: %(title)s on %(day)s, %(hours)s h. "
            "The time credits have moved."
        )
        % {
            "coordinator": acting.display_name,
            "title": exchange.title,
            "day": done_on.strftime("%d/%m/%Y"),
            "hours": format_hmm(minutes),
        },
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
    _require_coordinator(
        acting, exchange.timebank, _("Only a coordinator can reverse an exchange.")
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
    reversal = transfer_reverse(transfer=exchange.transfer, acting=acting, reason=reason)
    _note(exchange, _("Credits reversed by a coordinator: %(reason)s") % {"reason": reason})
    exchange.save(update_fields=["notes"])
    _audit(exchange, "reversed", acting, reason=reason, reversal=str(reversal.public_id))
    _tell(
        exchange,
        _people_of(list(exchange.participants.all())),
        kind="exchange_reversed",
        message=_("A coordinator reversed the credits of %(title)s: %(reason)s")
        % {"title": exchange.title, "reason": reason},
        skip=acting,
    )
    return exchange


# --- thanks --------------------------------------------------------------------------------


@transaction.atomic
def feedback_give(
    *,
    exchange: Exchange,
    author: Person,
    message: str,
    about_person: Person | None = None,
    about_organisation: Organisation | None = None,
    private: bool = False,
) -> Feedback:
    """A few words of thanks from one participant about another, once the exchange is
    confirmed: one per author and person, no ratings. The person who received help may keep
    it between themselves and the person they thank."""
    exchange = _locked(exchange)
    me = exchange_standing(exchange=exchange, person=author)
    if not me.takes_part:
        raise PermissionDenied(
            _("Only the people taking part can give thanks for an exchange."), "not_a_participant"
        )
    if exchange.status != ExchangeStatus.CONFIRMED:
        raise Conflict(_("Thanks can be given once the exchange is confirmed."), "not_confirmed")
    if (about_person is None) == (about_organisation is None):
        raise ApplicationError(_("Choose who you are thanking."), "about_required")
    participants = list(exchange.participants.all())
    if about_person is not None:
        if about_person.pk == author.pk:
            raise ApplicationError(_("You can't thank yourself."), "self_thanks")
        taking_part = any(p.person_id == about_person.pk for p in participants)
    else:
        taking_part = any(p.organisation_id == about_organisation.pk for p in participants)  # type: ignore[union-attr]
    if not taking_part:
        raise ApplicationError(
            _("You can thank only someone who took part in this exchange."), "not_in_exchange"
        )
    message = (message or "").strip()
    if not message:
        raise ApplicationError(_("Write a few words of thanks."), "message_required")
    if len(message) > FEEDBACK_MAX_LENGTH:
        raise ApplicationError(
            _("Please keep it under %(n)s characters.") % {"n": FEEDBACK_MAX_LENGTH},
            "too_long",
        )
    if private and not me.on(Side.RECEIVER):
        raise ApplicationError(
            _("Only the person who received the help can keep their thanks private."),
            "private_not_allowed",
        )
    already = Feedback.objects.filter(
        exchange=exchange,
        author=author,
        about_person=about_person,
        about_organisation=about_organisation,
    ).exists()
    if already:
        raise Conflict(_("You have already said thank you for this exchange."), "already_thanked")
    feedback = Feedback.objects.create(
        timebank_id=exchange.timebank_id,
        exchange=exchange,
        author=author,
        about_person=about_person,
        about_organisation=about_organisation,
        message=message,
        private=private,
    )
    _audit(
        exchange,
        "thanked",
        author,
        about=f"person:{about_person.pk}"
        if about_person
        else f"organisation:{about_organisation.pk}",  # type: ignore[union-attr]
        private=private,
    )
    thanked = (
        [about_person]
        if about_person is not None
        else _people_of([p for p in participants if p.organisation_id == about_organisation.pk])  # type: ignore[union-attr]
    )
    _tell(
        exchange,
        thanked,
        kind="exchange_thanks",
        message=_("%(name)s thanked you for %(title)s: “%(message)s”")
        % {"name": author.display_name, "title": exchange.title, "message": message},
        skip=author,
    )
    return feedback
