"""Download my data: everything Coproduce holds about one person, as one JSON document.

Built in memory for one person with one query per section (a fixed number, whatever their
history: `tests/privacy/test_download.py` pins it). Other people appear by display name only,
never with their contact details. Referrals about the person come without the referrer's name
and without the support and risk notes a professional wrote (those are for coordinators and the
referrer; a person who wants them asks the coordinator, who can check what may be shared).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coproduce.community.models import Membership, Person, SafeguardingCheck
from coproduce.conversations.selectors import messages_written_by
from coproduce.core.audit import audit_record
from coproduce.core.models import AuditEvent, Notification
from coproduce.exchanges.models import Exchange, Feedback, Offer, Request
from coproduce.ledger.models import Account, Entry
from coproduce.partners.models import Referral

FORMAT = "coproduce-personal-data/1"


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _party(participant: Any) -> str:
    if participant.person_id is not None:
        return participant.person.display_name
    return participant.organisation.name if participant.organisation_id else ""


def person_data(*, person: Person) -> dict[str, Any]:
    """The person's data as a dictionary ready for JSON (a bounded number of queries)."""
    memberships = list(
        Membership.objects.filter(person=person).select_related("timebank").order_by("pk")
    )
    listings = []
    for kind, model in (("offer", Offer), ("request", Request)):
        for listing in (
            model.objects.filter(person=person).select_related("timebank").order_by("created_at")
        ):
            listings.append(
                {
                    "kind": kind,
                    "time_bank": listing.timebank.name,
                    "title": listing.title,
                    "description": listing.description,
                    "category": listing.category,
                    "tags": listing.tags,
                    "area": listing.area,
                    "availability": listing.availability,
                    "status": listing.status,
                    "created_at": _when(listing.created_at),
                    "expires_at": _when(listing.expires_at),
                }
            )
    exchanges = []
    for exchange in (
        Exchange.objects.filter(participants__person=person)
        .distinct()
        .select_related("timebank")
        .prefetch_related("participants__person", "participants__organisation")
        .order_by("created_at", "pk")
    ):
        parts = list(exchange.participants.all())
        exchanges.append(
            {
                "time_bank": exchange.timebank.name,
                "title": exchange.title,
                "category": exchange.category,
                "status": exchange.status,
                "my_side": sorted({p.side for p in parts if p.person_id == person.pk}),
                "givers": [_party(p) for p in parts if p.side == "provider"],
                "receivers": [_party(p) for p in parts if p.side == "receiver"],
                "expected_minutes": exchange.expected_minutes,
                "actual_minutes": exchange.actual_minutes,
                "scheduled_for": _when(exchange.scheduled_for),
                "created_at": _when(exchange.created_at),
                "agreed_at": _when(exchange.agreed_at),
                "done_at": _when(exchange.done_at),
                "confirmed_at": _when(exchange.confirmed_at),
                "cancelled_at": _when(exchange.cancelled_at),
                "notes": exchange.notes,
                "what_went_wrong": exchange.dispute_reason,
            }
        )
    thanks = list(
        Feedback.objects.filter(Q(author=person) | Q(about_person=person))
        .select_related("author", "about_person", "about_organisation", "exchange")
        .order_by("created_at", "pk")
    )

    def thanks_row(item: Feedback, other: str) -> dict[str, Any]:
        return {
            "exchange": item.exchange.title,
            other: (
                (item.about_person.display_name if item.about_person else "")
                or (item.about_organisation.name if item.about_organisation else "")
            )
            if other == "to"
            else item.author.display_name,
            "message": item.message,
            "private": item.private,
            "created_at": _when(item.created_at),
        }

    accounts = list(Account.objects.filter(person=person).select_related("timebank").order_by("pk"))
    entries: dict[int, list[dict[str, Any]]] = {account.pk: [] for account in accounts}
    for entry in (
        Entry.objects.filter(account__person=person)
        .select_related("transfer")
        .order_by("occurred_at", "pk")
    ):
        entries[entry.account_id].append(
            {
                "occurred_at": _when(entry.occurred_at),
                "amount": entry.amount,
                "kind": entry.kind,
                "memo": entry.transfer.memo,
                "transfer": str(entry.transfer.public_id),
            }
        )
    return {
        "format": FORMAT,
        "generated_at": _when(timezone.now()),
        "profile": {
            "username": person.username,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "contact_preference": person.contact_preference,
            "gives": person.gives,
            "needs": person.needs,
            "about": person.about,
            "availability": person.availability,
            "languages": person.languages,
            "access_needs": person.accessibility_needs,
            "emails_about_my_exchanges": person.notify_by_email,
            "joined_the_site": _when(person.date_joined),
            "last_signed_in": _when(person.last_login),
        },
        "memberships": [
            {
                "time_bank": m.timebank.name,
                "role": m.role,
                "status": m.status,
                "area": m.area,
                "applied_at": _when(m.applied_at),
                "activated_at": _when(m.activated_at),
                "inducted_on": _when(m.inducted_on),
                "induction_notes": m.induction_notes,
                "application_note": m.application_note,
                "who_sees_my_phone": m.phone_visible_to,
                "who_sees_my_email": m.email_visible_to,
                "who_sees_my_area": m.area_visible_to,
            }
            for m in memberships
        ],
        "checks": [
            {"kind": c.kind, "checked_on": _when(c.checked_on), "expires_on": _when(c.expires_on)}
            for c in SafeguardingCheck.objects.filter(person=person).order_by("checked_on", "pk")
        ],
        "listings": listings,
        "exchanges": exchanges,
        "thanks_given": [thanks_row(t, "to") for t in thanks if t.author_id == person.pk],
        "thanks_received": [
            thanks_row(t, "from") for t in thanks if t.about_person_id == person.pk
        ],
        "statement": [
            {
                "time_bank": account.timebank.name,
                "unit": account.unit,
                "balance": account.balance,
                "lowest_balance": account.min_balance,
                "highest_balance": account.max_balance,
                "closed_at": _when(account.closed_at),
                "entries": entries[account.pk],
            }
            for account in accounts
        ],
        "referrals_about_me": [
            {
                "time_bank": r.timebank.name,
                "organisation": r.organisation.name,
                "first_name": r.first_name,
                "last_name": r.last_name,
                "email": r.email,
                "phone": r.phone,
                "area": r.area,
                "what_matters": r.what_matters,
                "goals": r.goal_labels(),
                "consent_given_by": r.consent_given_by,
                "consent_given_on": _when(r.consent_given_on),
                "consent_how": r.consent_how,
                "status": r.status,
                "received_at": _when(r.received_at),
                "contacted_on": _when(r.contacted_on),
                "inducted_on": _when(r.inducted_on),
                "active_on": _when(r.active_on),
                "ended_on": _when(r.ended_on),
            }
            for r in Referral.objects.filter(person=person)
            .select_related("timebank", "organisation")
            .order_by("received_at", "pk")
        ],
        # Conversations (issue 13): what the person wrote, never what others wrote to them.
        "messages": [
            {
                "time_bank": m.conversation.timebank.name,
                "conversation": str(m.conversation.public_id),
                "message": m.body,
                "created_at": _when(m.created_at),
            }
            for m in messages_written_by(person)
        ],
        "notifications": [
            {
                "kind": n.kind,
                "message": n.message,
                "created_at": _when(n.created_at),
                "read_at": _when(n.read_at),
            }
            for n in Notification.objects.filter(person=person).order_by("created_at", "pk")
        ],
        "my_actions": [
            {"action": action, "at": _when(at)}
            for action, at in AuditEvent.objects.filter(actor=person)
            .order_by("created_at", "pk")
            .values_list("action", "created_at")
        ],
    }


@transaction.atomic
def person_data_download(*, person: Person) -> bytes:
    """The person's data as UTF-8 JSON, and an audit row saying they downloaded it."""
    data = person_data(person=person)
    audit_record(
        action="person.data_downloaded",
        actor=person,
        target=f"person:{person.public_id}",
    )
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
