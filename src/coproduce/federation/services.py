"""Writes for partnerships between time banks, and proposing an exchange to a partner bank's
member.

A coordinator of bank A proposes (A's clearing account for B opens, or is taken up again, at
the limit A's coordinator chose: how far B may go into debt to A); a coordinator of B accepts
(B's account for A opens at B's limit) or declines. Either bank pauses (only that bank resumes)
or stops; a stopped partnership keeps its history and its accounts. Exchanges already arranged
finish and settle whatever the partnership's state: the help was agreed while it was active.
Every step is audited in both banks and told to the other bank's coordinators.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import Membership, MembershipStatus, Person, TimeBank
from coproduce.community.permissions import coordinators_of, require_coordinator
from coproduce.community.safeguarding import is_paused
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.notifications import Words, notify
from coproduce.core.units import format_hmm
from coproduce.exchanges.models import Exchange, Offer, Request
from coproduce.exchanges.services.exchanges import exchange_propose
from coproduce.federation.clearing import partnership_between
from coproduce.federation.models import LIVE_STATUSES, Partnership, PartnershipStatus
from coproduce.federation.selectors import partner_listing_visible
from coproduce.ledger.accounts import clearing_get_or_open
from coproduce.ledger.limits import account_limits_set
from coproduce.ledger.models import Account

# How far a partner bank may go into debt to this one, at most: a sanity bound (a year of
# full-time help), not a policy.
MAX_LIMIT_MINUTES = 2000 * 60


def _check_limit(limit_minutes: int) -> int:
    if isinstance(limit_minutes, bool) or not isinstance(limit_minutes, int) or limit_minutes < 0:
        raise ApplicationError(
            _("Give the limit as zero or more hours (zero: they may not owe you anything)."),
            "bad_limit",
        )
    if limit_minutes > MAX_LIMIT_MINUTES:
        raise ApplicationError(
            _("A limit of more than %(max)s hours is far too large to be right.")
            % {"max": format_hmm(MAX_LIMIT_MINUTES)},
            "bad_limit",
        )
    return limit_minutes


def _audit(partnership: Partnership, action: str, acting: Person, **data: object) -> None:
    # In both banks' logs: each bank's coordinators read their own.
    for timebank_id in (partnership.proposer_id, partnership.partner_id):
        audit_record(
            action=f"federation.{action}",
            actor=acting,
            timebank_id=timebank_id,
            target=f"partnership:{partnership.public_id}",
            data={"status": partnership.status, **data},
        )


def _tell_other(partnership: Partnership, acting_bank: TimeBank, message: Words) -> None:
    """Tell the other bank's coordinators, each in their own language (`message` is a
    function writing the words, see `core.notifications.notify`)."""
    other = (
        partnership.partner if acting_bank.pk == partnership.proposer_id else partnership.proposer
    )
    url = reverse("federation:partnership", args=[partnership.public_id])
    for person in coordinators_of(other):
        notify(person=person, kind="federation", message=message, url=url, timebank=other)


def _clearing_open(
    *, timebank: TimeBank, other: TimeBank, previous: Partnership | None, limit: int, acting: Person
) -> Account:
    """`timebank`'s clearing account for `other` (the one an earlier partnership of the pair
    used, so positions carry over), with its floor at `-limit`."""
    account_id = previous.clearing_of(timebank.pk) if previous is not None else None
    if account_id is not None:
        account = Account.objects.get(pk=account_id)
    else:
        account = clearing_get_or_open(timebank=timebank, name=_clearing_name(other))
    return account_limits_set(
        account=account,
        min_balance=-limit,
        max_balance=None,
        acting=acting,
        reason=_("Partnership with %(bank)s") % {"bank": other.name},
    )


def _clearing_name(other: TimeBank) -> str:
    # A stored name, like "Opening balances": the partner bank's name and address.
    return f"{other.name} (partner bank {other.slug})"[:160]


def _lock_pair(a: TimeBank, b: TimeBank) -> None:
    # Two coordinators proposing to each other at once: both lock the two banks' rows in id
    # order, so the second waits and then finds the first's proposal. NO KEY UPDATE, so rows
    # that merely reference the banks can still be written meanwhile.
    list(
        TimeBank.objects.select_for_update(no_key=True)
        .filter(pk__in=sorted([a.pk, b.pk]))
        .order_by("pk")
    )


@transaction.atomic
def partnership_propose(
    *, timebank: TimeBank, partner: TimeBank, acting: Person, limit_minutes: int, message: str = ""
) -> Partnership:
    """`timebank`'s coordinator asks `partner` to let their members help each other.
    `limit_minutes`: how far the partner bank may go into debt to this one."""
    require_coordinator(
        person=acting,
        timebank=timebank,
        message=_("Only a coordinator can propose a partnership with another time bank."),
    )
    if partner.pk == timebank.pk:
        raise ApplicationError(_("Choose another time bank."), "same_bank")
    _check_limit(limit_minutes)
    _lock_pair(timebank, partner)
    live = Partnership.objects.filter(
        Q(proposer=timebank, partner=partner) | Q(proposer=partner, partner=timebank),
        status__in=LIVE_STATUSES,
    ).first()
    if live is not None:
        raise Conflict(
            _("There is already a partnership with %(bank)s (%(status)s).")
            % {"bank": partner.name, "status": live.get_status_display()},
            "already_partners",
        )
    previous = partnership_between(timebank.pk, partner.pk)
    partnership = Partnership.objects.create(
        proposer=timebank,
        partner=partner,
        proposed_by=acting,
        message=(message or "").strip(),
    )
    partnership.proposer_clearing = _clearing_open(
        timebank=timebank, other=partner, previous=previous, limit=limit_minutes, acting=acting
    )
    partnership.save(update_fields=["proposer_clearing"])
    _audit(partnership, "proposed", acting, limit_minutes=limit_minutes)
    _tell_other(
        partnership,
        timebank,
        lambda: (
            _(
                "%(bank)s would like its members and yours to help each other. "
                "Please accept or decline."
            )
            % {"bank": timebank.name}
        ),
    )
    return partnership


def _locked(partnership: Partnership) -> Partnership:
    # Re-read under its row lock: two coordinators acting at once (one pausing, one stopping)
    # take turns, and the second sees the first's change.
    return (
        Partnership.objects.select_for_update(of=("self",))
        .select_related("proposer", "partner")
        .get(pk=partnership.pk)
    )


def _require_party(partnership: Partnership, timebank: TimeBank, acting: Person) -> None:
    if timebank.pk not in (partnership.proposer_id, partnership.partner_id):
        raise NotFound(_("No such partnership."))
    require_coordinator(
        person=acting,
        timebank=timebank,
        message=_("Only a coordinator can change a partnership with another time bank."),
    )


def _wrong_status(partnership: Partnership) -> Conflict:
    return Conflict(
        _("This partnership is %(status)s, so that cannot be done now.")
        % {"status": partnership.get_status_display().lower()},
        "wrong_status",
    )


@transaction.atomic
def partnership_accept(
    *, partnership: Partnership, timebank: TimeBank, acting: Person, limit_minutes: int
) -> Partnership:
    """The asked bank's coordinator accepts; `limit_minutes`: how far the proposing bank may go
    into debt to this one. Its members see each other's offers and requests from now on."""
    _require_party(partnership, timebank, acting)
    _check_limit(limit_minutes)
    partnership = _locked(partnership)
    if partnership.partner_id != timebank.pk:
        raise PermissionDenied(
            _("The other time bank accepts a partnership; you proposed this one."), "not_asked"
        )
    if partnership.status != PartnershipStatus.PROPOSED:
        raise _wrong_status(partnership)
    previous = partnership_between(partnership.proposer_id, partnership.partner_id)
    partnership.partner_clearing = _clearing_open(
        timebank=timebank,
        other=partnership.proposer,
        previous=previous,
        limit=limit_minutes,
        acting=acting,
    )
    partnership.status = PartnershipStatus.ACTIVE
    partnership.accepted_at = timezone.now()
    partnership.save(update_fields=["partner_clearing", "status", "accepted_at"])
    _audit(partnership, "accepted", acting, limit_minutes=limit_minutes)
    _tell_other(
        partnership,
        timebank,
        lambda: (
            _("%(bank)s accepted your partnership: your members can now help each other.")
            % {"bank": timebank.name}
        ),
    )
    return partnership


@transaction.atomic
def partnership_decline(
    *, partnership: Partnership, timebank: TimeBank, acting: Person
) -> Partnership:
    """The asked bank says no (or the proposing bank withdraws its proposal)."""
    _require_party(partnership, timebank, acting)
    partnership = _locked(partnership)
    if partnership.status != PartnershipStatus.PROPOSED:
        raise _wrong_status(partnership)
    partnership.status = PartnershipStatus.DECLINED
    partnership.ended_at = timezone.now()
    partnership.save(update_fields=["status", "ended_at"])
    _audit(partnership, "declined", acting)
    _tell_other(
        partnership,
        timebank,
        lambda: (
            _("%(bank)s declined the partnership.") % {"bank": timebank.name}
            if timebank.pk == partnership.partner_id
            else _("%(bank)s withdrew its proposed partnership.") % {"bank": timebank.name}
        ),
    )
    return partnership


@transaction.atomic
def partnership_pause(
    *, partnership: Partnership, timebank: TimeBank, acting: Person
) -> Partnership:
    """Either bank pauses: no new exchanges, and each bank's members no longer see the other's
    offers and requests. Exchanges already arranged finish and settle."""
    _require_party(partnership, timebank, acting)
    partnership = _locked(partnership)
    if partnership.status == PartnershipStatus.PAUSED:
        return partnership
    if partnership.status != PartnershipStatus.ACTIVE:
        raise _wrong_status(partnership)
    partnership.status = PartnershipStatus.PAUSED
    partnership.paused_by = timebank
    partnership.save(update_fields=["status", "paused_by"])
    _audit(partnership, "paused", acting)
    _tell_other(
        partnership,
        timebank,
        lambda: (
            _("%(bank)s paused the partnership: no new exchanges until it resumes.")
            % {"bank": timebank.name}
        ),
    )
    return partnership


@transaction.atomic
def partnership_resume(
    *, partnership: Partnership, timebank: TimeBank, acting: Person
) -> Partnership:
    """The bank that paused resumes (the other cannot undo its pause)."""
    _require_party(partnership, timebank, acting)
    partnership = _locked(partnership)
    if partnership.status == PartnershipStatus.ACTIVE:
        return partnership
    if partnership.status != PartnershipStatus.PAUSED:
        raise _wrong_status(partnership)
    if partnership.paused_by_id != timebank.pk:
        raise PermissionDenied(
            _("The other time bank paused this partnership; only they can resume it."),
            "paused_by_other",
        )
    partnership.status = PartnershipStatus.ACTIVE
    partnership.paused_by = None
    partnership.save(update_fields=["status", "paused_by"])
    _audit(partnership, "resumed", acting)
    _tell_other(
        partnership,
        timebank,
        lambda: _("%(bank)s resumed the partnership.") % {"bank": timebank.name},
    )
    return partnership


@transaction.atomic
def partnership_stop(
    *, partnership: Partnership, timebank: TimeBank, acting: Person
) -> Partnership:
    """Either bank ends it for good. The history, the clearing accounts and their positions
    stay; exchanges already arranged finish and settle; to trade again, propose anew."""
    _require_party(partnership, timebank, acting)
    partnership = _locked(partnership)
    if partnership.status == PartnershipStatus.STOPPED:
        return partnership
    if partnership.status not in (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED):
        raise _wrong_status(partnership)
    partnership.status = PartnershipStatus.STOPPED
    partnership.ended_at = timezone.now()
    partnership.save(update_fields=["status", "ended_at"])
    _audit(partnership, "stopped", acting)
    _tell_other(
        partnership,
        timebank,
        lambda: (
            _("%(bank)s stopped the partnership. Exchanges already arranged can still finish.")
            % {"bank": timebank.name}
        ),
    )
    return partnership


@transaction.atomic
def partnership_limit_set(
    *, partnership: Partnership, timebank: TimeBank, acting: Person, limit_minutes: int
) -> Account:
    """How far the other bank may go into debt to this one: the floor of this bank's clearing
    account (each bank sets only its own). A limit below the present position stops further
    debt; nothing already owed changes."""
    _require_party(partnership, timebank, acting)
    _check_limit(limit_minutes)
    account_id = partnership.clearing_of(timebank.pk)
    if account_id is None:
        raise _wrong_status(partnership)
    account = account_limits_set(
        account=Account.objects.get(pk=account_id),
        min_balance=-limit_minutes,
        max_balance=None,
        acting=acting,
        reason=_("Partner bank limit"),
    )
    _audit(partnership, "limit_set", acting, bank=timebank.slug, limit_minutes=limit_minutes)
    return account


# --- members: proposing to a partner bank's member -------------------------------------------


@transaction.atomic
def crossing_propose(
    *,
    timebank: TimeBank,
    acting: Person,
    listing: Offer | Request,
    expected_minutes: int,
    notes: str = "",
) -> Exchange:
    """A member of `timebank` proposes an exchange from an offer or request of a partner bank.

    The exchange belongs to the listing's bank (its coordinators act for offline members and
    resolve problems); the member takes part from their own bank, with their own account, so
    on confirmation credits move in both ledgers through the clearing accounts. One to one
    only, each person for themselves."""
    membership = Membership.objects.filter(person=acting, timebank=timebank).first()
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        raise PermissionDenied(
            _("Only active members can arrange exchanges with a partner bank."), "not_active"
        )
    if is_paused(person=acting, timebank=timebank):
        raise PermissionDenied(
            _("You cannot arrange exchanges at the moment. Please speak to your coordinator."),
            "paused",
        )
    # Visible to them now: the partnership is active, the listing open, nobody blocked.
    if not partner_listing_visible(person=acting, timebank=timebank, listing=listing):
        raise ApplicationError(_("That offer or request is no longer open."), "listing_closed")
    exchange = exchange_propose(
        timebank=listing.timebank,
        acting=acting,
        listing=listing,
        expected_minutes=expected_minutes,
        notes=notes,
        visiting_from=timebank,
    )
    audit_record(
        action="federation.exchange_proposed",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"exchange:{exchange.public_id}",
        data={"partner": listing.timebank_id, "expected_minutes": expected_minutes},
    )
    return exchange
