"""Reads for partnerships between time banks: a bank's partnerships and their positions for
its coordinators, and the offers and requests of active partner banks for its members.

A member of a partner bank sees only what a listing shows to anyone: its title, words, kind
of help, area, and its author's display name — never contact details or profiles. Listings of
people under a safeguarding pause in their bank, and of anyone blocked with the viewer, stay
hidden, as they are at home.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.blocks import blocked_ids_of, is_blocked_between
from coproduce.community.models import Person, TimeBank
from coproduce.community.permissions import is_coordinator
from coproduce.community.safeguarding import is_paused
from coproduce.core.errors import NotFound
from coproduce.core.kept_query import KeptQuery
from coproduce.exchanges.models import ListingStatus, Offer, Request
from coproduce.exchanges.selectors.search import LISTING_MODELS, Kind, listings_search
from coproduce.federation.models import Partnership, PartnershipStatus
from coproduce.ledger.models import Entry

Listing = Offer | Request
# The partner banks' listings shown under a bank's own on the offers and requests pages.
PARTNER_LISTINGS_SHOWN = 20


def _of(timebank: TimeBank | int) -> Q:
    bank_id = timebank if isinstance(timebank, int) else timebank.pk
    return Q(proposer_id=bank_id) | Q(partner_id=bank_id)


# A bank's active partnerships: every list page's first page asks (most banks have none), so
# the SQL is kept (`core.kept_query`), run with the bank's id.
_partnerships_active: KeptQuery[Partnership] = KeptQuery(
    Partnership,
    lambda timebank_id: Partnership.objects.filter(
        _of(timebank_id), status=PartnershipStatus.ACTIVE
    ).only("proposer_id", "partner_id"),
    ids=("timebank_id",),
)


def partner_banks(timebank: TimeBank) -> list[TimeBank]:
    """The banks `timebank` has an active partnership with, by name (one query)."""
    ids = {p.other(timebank.pk) for p in _partnerships_active(timebank_id=timebank.pk)}
    if not ids:
        return []
    return list(TimeBank.objects.filter(pk__in=ids).order_by("name"))


def partner_bank_ids(timebank: TimeBank | int) -> set[int]:
    bank_id = timebank if isinstance(timebank, int) else timebank.pk
    return {
        p.other(bank_id)
        for p in Partnership.objects.filter(_of(bank_id), status=PartnershipStatus.ACTIVE).only(
            "proposer_id", "partner_id"
        )
    }


@dataclass
class PartnerListings:
    listings: list[Listing]
    more: bool


def partner_listings(
    *, viewer: Person, timebank: TimeBank, kind: Kind, **filters: Any
) -> PartnerListings:
    """Active listings of the banks `timebank` is an active partner of, found with the same
    search and filters as the bank's own, each with `listing.timebank` to mark where it is
    from; nothing when there is no active partner."""
    banks = partner_banks(timebank)
    if not banks:
        return PartnerListings([], False)
    blocked = blocked_ids_of(viewer)
    found: list[Listing] = []
    for bank in banks:
        # Each bank searched as its own members search it (its pauses, its expiry), up to the
        # page's share; a handful of partner banks at most.
        rows = listings_search(timebank=bank, kind=kind, **filters).select_related("timebank")
        if blocked:
            rows = rows.exclude(person_id__in=blocked)
        found.extend(rows[: PARTNER_LISTINGS_SHOWN + 1])
    found.sort(key=lambda listing: listing.created_at, reverse=True)
    return PartnerListings(found[:PARTNER_LISTINGS_SHOWN], len(found) > PARTNER_LISTINGS_SHOWN)


def partner_listing_visible(*, person: Person, timebank: TimeBank, listing: Listing) -> bool:
    """Whether a member of `timebank` may see (and propose from) a listing of another bank now."""
    if listing.timebank_id == timebank.pk or listing.timebank_id not in partner_bank_ids(timebank):
        return False
    if listing.status != ListingStatus.ACTIVE:
        return False
    if listing.expires_at is not None and listing.expires_at <= timezone.now():
        return False
    if listing.person_id is not None:
        if listing.person_id == person.pk:
            return False  # their own listing, seen at home in the other bank
        if is_paused(person=listing.person, timebank=listing.timebank_id):
            return False
        if is_blocked_between(person, listing.person_id):
            return False
    return True


def partner_listing_get_for(
    *, person: Person, timebank: TimeBank, kind: Kind, public_id: uuid.UUID | str
) -> Listing:
    """A partner bank's listing a member of `timebank` may see; anyone else: NotFound."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("No such listing.")) from None
    listing = (
        LISTING_MODELS[kind]
        .objects.filter(public_id=public_id)
        .select_related("timebank", "person", "organisation")
        .first()
    )
    if listing is None or not partner_listing_visible(
        person=person, timebank=timebank, listing=listing
    ):
        raise NotFound(_("No such listing."))
    return listing


# --- for coordinators ------------------------------------------------------------------------


def partnerships_of(timebank: TimeBank) -> QuerySet[Partnership]:
    """Every partnership the bank proposed or was asked for, live ones first, newest first."""
    return (
        Partnership.objects.filter(_of(timebank))
        .select_related("proposer", "partner", "proposer_clearing", "partner_clearing")
        .order_by("status", "-created_at", "-pk")
    )


def partnership_get_for(
    *, person: Person, timebank: TimeBank, public_id: uuid.UUID | str
) -> Partnership:
    """A partnership of the current bank, for its coordinators; anyone else: NotFound."""
    if not is_coordinator(person=person, timebank=timebank):
        raise NotFound(_("No such partnership."))
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("No such partnership.")) from None
    partnership = partnerships_of(timebank).filter(public_id=public_id).first()
    if partnership is None:
        raise NotFound(_("No such partnership."))
    return partnership


def banks_to_propose_to(timebank: TimeBank) -> QuerySet[TimeBank]:
    """The installation's other banks, by name."""
    return TimeBank.objects.exclude(pk=timebank.pk).order_by("name")


@dataclass
class Position:
    """Where a bank stands with a partner, from its own clearing account: what it owes the
    partner (positive) or is owed (negative), and the two limits."""

    balance: int  # this bank's clearing account for the other
    they_may_owe: int  # this bank's limit: how far the other may go into debt to it
    we_may_owe: int | None  # the other bank's limit for this one

    @property
    def we_owe(self) -> int:
        return max(self.balance, 0)

    @property
    def they_owe(self) -> int:
        return max(-self.balance, 0)


def position_of(partnership: Partnership, timebank: TimeBank) -> Position | None:
    """Where `timebank` stands with the other bank (reads the clearing accounts
    `partnerships_of` selected with the partnership: no query)."""
    ours = partnership.proposer_id == timebank.pk
    mine = partnership.proposer_clearing if ours else partnership.partner_clearing
    theirs = partnership.partner_clearing if ours else partnership.proposer_clearing
    if mine is None:
        return None
    return Position(
        balance=mine.balance,
        they_may_owe=-mine.min_balance,
        we_may_owe=-theirs.min_balance if theirs is not None else None,
    )


def recent_crossings(partnership: Partnership, timebank: TimeBank, limit: int = 20) -> list[Entry]:
    """The latest postings through the bank's clearing account for the other, newest first,
    with the transfer (its memo says what the help was)."""
    mine_id = partnership.clearing_of(timebank.pk)
    if mine_id is None:
        return []
    return list(
        Entry.objects.filter(account_id=mine_id)
        .select_related("transfer")
        .order_by("-occurred_at", "-pk")[:limit]
    )
