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
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Organisation,
    Person,
    TimeBank,
)
from coproduce.community.permissions import (
    is_coordinator,
    require_coordinator,
    staff_organisation_ids,
)
from coproduce.community.settings import category_known
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.units import format_hmm
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    ListingStatus,
    Offer,
    PaidBy,
    Participant,
    Request,
    Side,
)
from coproduce.exchanges.selectors.exchanges import (
    exchange_parts_to_confirm,
    exchange_proposer_side,
    exchange_standing,
)
from coproduce.exchanges.services._common import (
    Party,
    _audit,
    _cancelled_words,
    _check_minutes,
    _locked,
    _note,
    _party_account,
    _party_key,
    _people_of,
    _proposal_message,
    _safeguarding_require,
    _status_conflict,
    _tell,
    refuse_blocked,
)
from coproduce.exchanges.services.pairings import _post_confirmation
from coproduce.ledger.accounts import chest_get_or_open, organisation_account_get_or_open
from coproduce.ledger.models import Account

# --- proposing -----------------------------------------------------------------------------


def _exchange_create(
    *,
    timebank: TimeBank,
    now: datetime,
    providers: Sequence[Party],
    receivers: Sequence[Party],
    accounts: Mapping[tuple[str, int], Account],
    receivers_confirmed: bool = False,
    **fields: Any,
) -> tuple[Exchange, list[Participant]]:
    """The exchange and its participants, each with the account it earns into or pays from
    (proposing and logging a finished exchange both make one this way)."""
    exchange = Exchange.objects.create(
        timebank=timebank, public_id=uuid.uuid4(), created_at=now, **fields
    )
    participants = Participant.objects.bulk_create(
        [
            Participant(
                # The bank the party takes part from: the exchange's, or a partner bank's for
                # a member proposing from there (federation).
                timebank_id=accounts[_party_key(party)].timebank_id,
                exchange=exchange,
                side=side,
                person=party if isinstance(party, Person) else None,
                organisation=party if isinstance(party, Organisation) else None,
                account=accounts[_party_key(party)],
                confirmed_at=now if receivers_confirmed and side == Side.RECEIVER else None,
            )
            for side, parties in ((Side.PROVIDER, providers), (Side.RECEIVER, receivers))
            for party in parties
        ]
    )
    # Cache them as if prefetched, so whoever shows the new exchange reads no row again.
    cached = exchange.participants.all()
    cached._result_cache = participants  # type: ignore[attr-defined]
    cached._prefetch_done = True  # type: ignore[attr-defined]
    exchange._prefetched_objects_cache = {"participants": cached}  # type: ignore[attr-defined]
    return exchange, participants


@transaction.atomic
def exchange_propose(
    *,
    timebank: TimeBank,
    acting: Person,
    expected_minutes: int,
    listing: Offer | Request | None = None,
    providers: Sequence[Party] = (),
    receivers: Sequence[Party] = (),
    title: str = "",
    category: str = "",
    scheduled_for: datetime | None = None,
    paid_by: str = PaidBy.RECEIVERS,
    paying_organisation: Organisation | None = None,
    on_behalf_of: Person | None = None,
    notes: str = "",
    visiting_from: TimeBank | None = None,
) -> Exchange:
    """Propose an exchange; the other side then agrees. From a listing: its owner gives (an
    offer) or receives (a request), and the person proposing is on the other side unless the
    sides are named; its title and kind of help are the exchange's unless given. Free-standing:
    name who gives and who receives. Every account it needs (the people's, the paying
    organisation's, the chest) is opened here, in this transaction.

    `visiting_from`: the proposer takes part from that partner bank, with their account there
    (only `federation.services.crossing_propose` passes it, one to one from a listing)."""
    if listing is not None:
        title = title or listing.title
        category = category or listing.category
        if not providers and not receivers:
            poster = listing.person or listing.organisation
            assert poster is not None  # a listing belongs to a person or an organisation
            me: Party = on_behalf_of or acting
            providers, receivers = (
                ([poster], [me]) if isinstance(listing, Offer) else ([me], [poster])
            )
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Say in a few words what the help is."), "title_required")
    if not category_known(timebank, category):
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
    # Conversations (issue 13): people who blocked each other cannot arrange an exchange.
    refuse_blocked(providers, receivers)

    coordinator = is_coordinator(person=acting, timebank=timebank)
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
        and paying_organisation is not None
        and paying_organisation.pk in my_org_ids
    )
    if not pays_for_it and not any(is_me(p) for p in providers + receivers):
        raise PermissionDenied(
            _("You can only propose an exchange you take part in."), "not_a_participant"
        )
    if listing is not None:
        if listing.timebank_id != timebank.pk or listing.status != ListingStatus.ACTIVE:
            raise ApplicationError(_("That offer or request is no longer open."), "listing_closed")
        owner: Party | None = listing.person or listing.organisation
        owners_side = providers if isinstance(listing, Offer) else receivers
        if owner is None or _party_key(owner) not in [_party_key(p) for p in owners_side]:
            raise ApplicationError(
                _("The person who posted it must take part in the exchange."), "owner_missing"
            )

    _safeguarding_require(
        timebank=timebank,
        category=category,
        providers=providers,
        others=[*receivers, proposer],
        acting=acting,
    )
    accounts = {}
    for party in providers + receivers:
        visiting = visiting_from is not None and isinstance(party, Person) and is_me(party)
        bank = visiting_from if visiting and visiting_from is not None else timebank
        accounts[_party_key(party)] = _party_account(bank, party)

    paying_account: Account | None = None  # the receivers pay, each from their own account
    if paid_by == PaidBy.CHEST:
        if not coordinator:
            raise PermissionDenied(
                _("Only a coordinator can arrange for the community chest to pay."), "chest"
            )
        paying_account = chest_get_or_open(timebank=timebank)
    elif paid_by == PaidBy.ORGANISATION:
        if paying_organisation is None or paying_organisation.timebank_id != timebank.pk:
            raise ApplicationError(_("Choose the organisation that pays."), "no_payer")
        if not coordinator and paying_organisation.pk not in staff_organisation_ids(
            person=acting, timebank=timebank
        ):
            raise PermissionDenied(
                _("Only its staff or a coordinator can spend an organisation's credits."),
                "organisation_payer",
            )
        paying_account = organisation_account_get_or_open(organisation=paying_organisation)
    elif paid_by != PaidBy.RECEIVERS:
        raise ApplicationError(_("Choose who pays for this exchange."), "bad_paid_by")
    if paying_account is not None and paying_account.pk in {accounts[k].pk for k in provider_keys}:
        raise ApplicationError(
            _("Whoever gives the help cannot also pay for it."), "payer_is_provider"
        )

    exchange, participants = _exchange_create(
        timebank=timebank,
        now=timezone.now(),
        providers=providers,
        receivers=receivers,
        accounts=accounts,
        offer=listing if isinstance(listing, Offer) else None,
        request=listing if isinstance(listing, Request) else None,
        title=title[:140],
        category=category,
        scheduled_for=scheduled_for,
        expected_minutes=expected_minutes,
        proposed_by=proposer,
        logged_by=acting if proposer.pk != acting.pk else None,
        paid_by=paid_by,
        paying_account=paying_account,
        notes=(notes or "").strip(),
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
        message=partial(
            _proposal_message,
            exchange,
            proposer=proposer,
            acting=acting,
            # The one who posted a request, asking someone to help with it.
            asks_for_help=isinstance(listing, Request) and not proposer_is_provider,
        ),
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
    participants = list(exchange.participants.all())
    # A pause or an expired check since it was proposed stops it here too.
    _safeguarding_require(
        timebank=exchange.timebank,
        category=exchange.category,
        providers=[p.person or p.organisation for p in participants if p.side == Side.PROVIDER],  # type: ignore[misc]
        others=[p.person or p.organisation for p in participants if p.side == Side.RECEIVER],  # type: ignore[misc]
        acting=acting,
    )
    exchange.status = ExchangeStatus.AGREED
    exchange.agreed_at = timezone.now()
    exchange.save(update_fields=["status", "agreed_at"])
    _audit(exchange, "agreed", acting, coordinator_on_behalf=me.acts_for_others)
    _tell(
        exchange,
        _people_of(participants),
        kind="exchange_agreed",
        message=lambda: (
            _("%(name)s agreed to the exchange: %(title)s.")
            % {"name": acting.display_name, "title": exchange.title}
        ),
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
        message=lambda: (
            _(
                "%(name)s says the help is done: %(title)s, %(hours)s h. Please confirm it, or say "
                "if something is wrong."
            )
            % {
                "name": acting.display_name,
                "title": exchange.title,
                "hours": format_hmm(actual_minutes),
            }
        ),
        skip=acting,
    )
    return exchange


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
        message=lambda: (
            _("The exchange is confirmed and the time credits have moved: %(title)s.")
            % {"title": exchange.title}
        ),
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
    _tell(
        exchange,
        _people_of(list(exchange.participants.all())),
        kind="exchange_cancelled",
        message=partial(_cancelled_words, acting, exchange, reason),
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
    require_coordinator(
        person=acting,
        timebank=timebank,
        message=_("Only a coordinator can log an exchange for members."),
    )
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Say in a few words what the help was."), "title_required")
    if not category_known(timebank, category):
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
    _safeguarding_require(
        timebank=timebank, category=category, providers=[provider], others=[receiver], acting=acting
    )
    accounts = {
        _party_key(party): _party_account(timebank, party) for party in (provider, receiver)
    }
    # Noon, so the day stays the same whatever the time zone the reports are read in.
    done_at = timezone.make_aware(datetime.combine(done_on, time(12)))
    exchange, participants = _exchange_create(
        timebank=timebank,
        now=timezone.now(),
        providers=[provider],
        receivers=[receiver],
        accounts=accounts,
        receivers_confirmed=True,
        title=title[:140],
        category=category,
        status=ExchangeStatus.DONE,
        expected_minutes=minutes,
        actual_minutes=minutes,
        proposed_by=acting,
        logged_by=acting,
        agreed_at=done_at,
        done_at=done_at,
        notes=(note or "").strip(),
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
        message=lambda: (
            _(
                "%(coordinator)s recorded an exchange for you: %(title)s on %(day)s, %(hours)s h. "
                "The time credits have moved."
            )
            % {
                "coordinator": acting.display_name,
                "title": exchange.title,
                "day": date_format(done_on, "SHORT_DATE_FORMAT"),
                "hours": format_hmm(minutes),
            }
        ),
        skip=acting,
    )
    return exchange
