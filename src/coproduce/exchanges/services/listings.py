"""Offers and requests: posting them (for oneself, or by a coordinator for an offline member),
changing them, pausing, resuming, closing and renewing them, and letting them expire.

The reads, with their permission checks, are in `selectors.listings`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coproduce.community.availability import SLOTS
from coproduce.community.models import Person, TimeBank
from coproduce.community.permissions import membership_is_coordinator
from coproduce.community.settings import category_known
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.notifications import notify
from coproduce.exchanges.models import ListingStatus, Offer, Request
from coproduce.exchanges.selectors.listings import (
    Listing,
    can_change,
    listing_kind,
    listing_url,
    membership_for,
)
from coproduce.exchanges.selectors.search import LISTING_MODELS, Kind

REMIND_DAYS_BEFORE_EXPIRY = 7


def _clean_fields(
    *,
    timebank: TimeBank,
    title: str,
    category: str,
    description: str,
    tags: str,
    availability: Iterable[str],
) -> dict[str, Any]:
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Please say in a few words what the help is."), "no_title")
    if not category_known(timebank, category):
        raise ApplicationError(_("Please choose a kind of help from the list."), "bad_category")
    slots = list(dict.fromkeys(availability or []))
    unknown = [slot for slot in slots if slot not in SLOTS]
    if unknown:
        raise ApplicationError(
            _("“%(slot)s” is not a time of the week.") % {"slot": unknown[0]}, "bad_slot"
        )
    # Keep the week's order, so "Monday morning" is always listed before "Tuesday evening".
    slots.sort(key=SLOTS.index)
    return {
        "title": title[:140],
        "category": category,
        "description": (description or "").strip(),
        "tags": tags_normalise(tags),
        "availability": slots,
    }


def tags_normalise(tags: str) -> str:
    """ "Garden, weeding ,garden" → "garden, weeding": lower case, no repeats, at most 200 chars."""
    seen: list[str] = []
    for tag in (tags or "").split(","):
        tag = " ".join(tag.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    text = ", ".join(seen)
    if len(text) > 200:
        raise ApplicationError(_("Please use fewer tags (200 characters at most)."), "too_many")
    return text


@transaction.atomic
def listing_create(
    *,
    kind: Kind,
    timebank: TimeBank,
    acting: Person,
    title: str,
    category: str,
    description: str = "",
    tags: str = "",
    area: str = "",
    availability: Iterable[str] = (),
    for_member: Person | None = None,
) -> Listing:
    """Post an offer or request. A coordinator may post `for_member`, an active member who is not
    online: the member owns it, `created_by` records the coordinator, and the member is told."""
    acting_membership = membership_for(acting, timebank)
    if acting_membership is None or not acting_membership.can_trade:
        raise PermissionDenied(
            _(
                "You can post offers and requests once your membership is active. "
                "The coordinator will be in touch to welcome you."
            ),
            "not_active",
        )
    owner = acting
    owner_membership = acting_membership
    on_behalf = for_member is not None and for_member.pk != acting.pk
    if on_behalf:
        assert for_member is not None
        if not membership_is_coordinator(acting_membership):
            raise PermissionDenied(
                _("Only a coordinator can post for another member."), "not_coordinator"
            )
        member_membership = membership_for(for_member, timebank)
        if member_membership is None or not member_membership.can_trade:
            raise ApplicationError(
                _("%(name)s is not an active member of this time bank.")
                % {"name": for_member.display_name},
                "member_not_active",
            )
        owner, owner_membership = for_member, member_membership

    fields = _clean_fields(
        timebank=timebank,
        title=title,
        category=category,
        description=description,
        tags=tags,
        availability=availability,
    )
    now = timezone.now()
    listing = LISTING_MODELS[kind].objects.create(
        timebank=timebank,
        person=owner,
        area=(area or "").strip()[:80] or owner_membership.area,
        expires_at=now + timedelta(days=timebank.listing_expiry_days),
        created_at=now,
        created_by=acting if on_behalf else None,
        **fields,
    )
    audit_record(
        action=f"{kind}.create",
        actor=acting,
        on_behalf_of=owner if on_behalf else None,
        timebank_id=timebank.pk,
        target=f"{kind}:{listing.public_id}",
        data={"title": listing.title, "category": listing.category},
    )
    if on_behalf:
        notify(
            person=owner,
            kind=f"{kind}_posted_for_you",
            timebank=timebank,
            url=listing_url(listing),
            message=lambda: (
                (
                    _("%(coordinator)s posted an offer for you: “%(title)s”.")
                    if kind == "offer"
                    else _("%(coordinator)s posted a request for you: “%(title)s”.")
                )
                % {"coordinator": acting.display_name, "title": listing.title}
            ),
        )
    return listing


@transaction.atomic
def listing_update(
    *,
    listing: Listing,
    acting: Person,
    title: str,
    category: str,
    description: str = "",
    tags: str = "",
    area: str = "",
    availability: Iterable[str] = (),
) -> Listing:
    listing = _lock_for_change(listing, acting)
    if listing.status == ListingStatus.CLOSED:
        raise Conflict(_("This listing is closed. Please post a new one instead."), "closed")
    fields = _clean_fields(
        timebank=listing.timebank,
        title=title,
        category=category,
        description=description,
        tags=tags,
        availability=availability,
    )
    fields["area"] = (area or "").strip()[:80]
    changes = {
        name: [getattr(listing, name), value]
        for name, value in fields.items()
        if getattr(listing, name) != value
    }
    if not changes:
        return listing
    for name, value in fields.items():
        setattr(listing, name, value)
    listing.save(update_fields=[*changes, "updated_at"])
    _audit(listing, acting, "update", changes)
    return listing


@transaction.atomic
def listing_pause(*, listing: Listing, acting: Person) -> Listing:
    listing = _lock_for_change(listing, acting)
    return _move(listing, acting, "pause", {ListingStatus.ACTIVE}, ListingStatus.PAUSED)


@transaction.atomic
def listing_resume(*, listing: Listing, acting: Person) -> Listing:
    listing = _lock_for_change(listing, acting)
    if listing.status == ListingStatus.PAUSED and _expired(listing, timezone.now()):
        # A listing paused past its date would vanish at once: resuming renews it.
        _renew_fields(listing)
    return _move(listing, acting, "resume", {ListingStatus.PAUSED}, ListingStatus.ACTIVE)


@transaction.atomic
def listing_close(*, listing: Listing, acting: Person) -> Listing:
    listing = _lock_for_change(listing, acting)
    return _move(
        listing,
        acting,
        "close",
        {ListingStatus.ACTIVE, ListingStatus.PAUSED, ListingStatus.EXPIRED},
        ListingStatus.CLOSED,
    )


@transaction.atomic
def listing_renew(*, listing: Listing, acting: Person) -> Listing:
    """Push the expiry date forward by the time bank's listing life; an expired listing becomes
    active again, a paused one stays paused."""
    listing = _lock_for_change(listing, acting)
    if listing.status == ListingStatus.CLOSED:
        raise Conflict(_("This listing is closed. Please post a new one instead."), "closed")
    old_expiry = listing.expires_at
    _renew_fields(listing)
    if listing.status == ListingStatus.EXPIRED:
        listing.status = ListingStatus.ACTIVE
    listing.save(update_fields=_STATE_FIELDS)
    _audit(
        listing,
        acting,
        "renew",
        {"expires_at": [_iso(old_expiry), _iso(listing.expires_at)]},
    )
    return listing


def listings_expire(*, now: datetime | None = None) -> str:
    """Daily: remind owners a week before their listing expires, and expire those past their
    date. Safe to run twice, or twice at once: each reminder is claimed by one UPDATE first."""
    now = now or timezone.now()
    reminded = expired = 0
    for kind, model in LISTING_MODELS.items():
        due = model.objects.filter(
            status=ListingStatus.ACTIVE,
            expiry_reminded_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=REMIND_DAYS_BEFORE_EXPIRY),
        ).select_related("person", "created_by", "timebank")
        for listing in due:
            reminded += _remind(kind, model, listing, now)
        with transaction.atomic():
            past = list(
                model.objects.select_for_update()
                .filter(
                    status__in=[ListingStatus.ACTIVE, ListingStatus.PAUSED], expires_at__lte=now
                )
                .values_list("pk", "public_id", "timebank_id", "status")
            )
            model.objects.filter(pk__in=[pk for pk, *_rest in past]).update(
                status=ListingStatus.EXPIRED
            )
            for _pk, public_id, timebank_id, status in past:
                audit_record(
                    action=f"{kind}.expire",
                    actor=None,
                    timebank_id=timebank_id,
                    target=f"{kind}:{public_id}",
                    data={"status": [status, ListingStatus.EXPIRED]},
                )
            expired += len(past)
    return f"{reminded} expiry reminders sent, {expired} listings expired."


# Helpers --------------------------------------------------------------------------------------


@transaction.atomic
def _remind(kind: str, model: type[Offer] | type[Request], listing: Listing, now: datetime) -> int:
    # Claim the reminder before sending it, so two overlapping runs never send it twice.
    claimed = model.objects.filter(pk=listing.pk, expiry_reminded_at__isnull=True).update(
        expiry_reminded_at=now
    )
    if not claimed:
        return 0
    owner = listing.person or listing.created_by
    if owner is not None:
        assert listing.expires_at is not None
        expires_on = timezone.localtime(listing.expires_at).date()

        def message() -> str:
            return (
                _("Your offer “%(title)s” will expire on %(date)s. Renew it if you can still help.")
                if kind == "offer"
                else _(
                    "Your request “%(title)s” will expire on %(date)s. "
                    "Renew it if you would still like help."
                )
            ) % {"title": listing.title, "date": date_format(expires_on, "j F Y")}

        notify(
            person=owner,
            kind=f"{kind}_expiring",
            timebank=listing.timebank,
            url=listing_url(listing),
            message=message,
        )
    return 1


def _lock_for_change(listing: Listing, acting: Person) -> Listing:
    # Two clicks (or the owner and the coordinator) acting at once: the second waits and sees
    # the first one's status, instead of both reading "active" and both writing.
    locked = type(listing).objects.select_for_update().get(pk=listing.pk)
    if not can_change(
        person=acting, membership=membership_for(acting, locked.timebank), listing=locked
    ):
        raise NotFound(_("No such listing."))
    return locked


def _move(
    listing: Listing,
    acting: Person,
    action: str,
    allowed_from: set[str],
    to: str,
) -> Listing:
    """Move a listing already locked by `_lock_for_change` from one status to another."""
    if listing.status not in allowed_from:
        raise Conflict(
            _("This listing is %(status)s, so it cannot be changed that way.")
            % {"status": listing.get_status_display().lower()},
            "wrong_status",
        )
    old = listing.status
    listing.status = to
    listing.save(update_fields=_STATE_FIELDS)
    _audit(listing, acting, action, {"status": [old, to]})
    return listing


# What a move between statuses and a renewal write (resuming may renew). Saved by name, so a
# request's words are not re-indexed for a change that leaves them as they were
# (matching.receivers.request_changed).
_STATE_FIELDS = ["status", "expires_at", "expiry_reminded_at", "updated_at"]


def _renew_fields(listing: Listing) -> None:
    listing.expires_at = timezone.now() + timedelta(days=listing.timebank.listing_expiry_days)
    listing.expiry_reminded_at = None


def _expired(listing: Listing, now: datetime) -> bool:
    return listing.expires_at is not None and listing.expires_at <= now


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _audit(listing: Listing, acting: Person, action: str, changes: dict[str, Any]) -> None:
    kind = listing_kind(listing)
    owner = listing.person
    audit_record(
        action=f"{kind}.{action}",
        actor=acting,
        on_behalf_of=owner if owner is not None and owner.pk != acting.pk else None,
        timebank_id=listing.timebank_id,
        target=f"{kind}:{listing.public_id}",
        data=changes,
    )
