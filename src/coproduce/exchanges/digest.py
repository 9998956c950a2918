"""The weekly digest: one email per person per time bank with the week's new offers and requests,
the ones in their own area first.

Built in a fixed number of queries however many members there are: one for the people who want
email, one for the week's offers and one for its requests in all their time banks; each person's
list is then picked in memory from those.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.community.emails import unsubscribe_url
from coproduce.community.models import Membership, MembershipStatus, TimeBank
from coproduce.community.safeguarding import is_paused_q
from coproduce.core.audit import audit_record
from coproduce.core.mail import (
    absolute,
    mail_compose,
    mail_deliver,
    mail_language,
    mail_record_many,
)
from coproduce.core.models import OutgoingEmail
from coproduce.exchanges.models import Listing, ListingStatus, Offer, Request

DAYS = 7
PER_LIST = 10


@dataclass
class Digest:
    """One email: what is new for one person in one time bank."""

    membership: Membership
    offers: list[Offer]
    requests: list[Request]

    @property
    def timebank(self) -> TimeBank:
        return self.membership.timebank

    def subject(self) -> str:
        return _("[%(timebank)s] New this week: %(offers)s and %(requests)s") % {
            "timebank": self.timebank.name,
            "offers": ngettext("%(n)d offer", "%(n)d offers", len(self.offers))
            % {"n": len(self.offers)},
            "requests": ngettext("%(n)d request", "%(n)d requests", len(self.requests))
            % {"n": len(self.requests)},
        }

    def body(self) -> str:
        person = self.membership.person
        lines = [
            _("Hello %(name)s,") % {"name": person.first_name or person.username},
            "",
            _("Here is what is new in %(timebank)s this week.") % {"timebank": self.timebank.name},
        ]
        for heading, listings in (
            (_("People offering help"), self.offers),
            (_("People asking for help"), self.requests),
        ):
            if listings:
                lines += ["", heading, "-" * len(heading)]
                lines += [f"* {_line(listing)}" for listing in listings]
        lines += [
            "",
            _(
                "Sign in to reply, or call your coordinator. You get this email because you "
                "chose the weekly email on your profile; a link below turns it off."
            ),
        ]
        return "\n".join(lines)


@dataclass
class DigestRun:
    digests: list[Digest] = field(default_factory=list)
    skipped: int = 0

    def summary(self, *, dry_run: bool) -> str:
        verb = "Would send" if dry_run else "Sent"
        return (
            f"{verb} {len(self.digests)} weekly digest email(s); "
            f"skipped {self.skipped} member(s) with nothing new."
        )


def _line(listing: Listing) -> str:
    who = ""
    if listing.organisation:
        who = listing.organisation.name
    elif listing.person:
        who = listing.person.first_name or listing.person.username
    details = [str(listing.get_category_display())]  # type: ignore[attr-defined]
    if listing.area:
        details.append(listing.area)
    if who:
        details.append(who)
    return f"{listing.title} ({', '.join(details)})"


def _recent(model: type[Listing], timebank_ids: set[int], since: datetime, now: datetime):
    return (
        model.objects.filter(  # type: ignore[attr-defined]
            timebank_id__in=timebank_ids, status=ListingStatus.ACTIVE, created_at__gte=since
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exclude(is_paused_q())  # a safeguarding pause hides a member's listings
        .select_related("person", "organisation")
        .order_by("-created_at", "-id")
    )


def _pick(listings: Sequence[Listing], membership: Membership) -> list:
    """At most PER_LIST listings that are not the person's own, in their own area first."""
    area = membership.area.strip().casefold()
    theirs = [item for item in listings if item.person_id != membership.person_id]
    if area:
        near = [item for item in theirs if item.area.strip().casefold() == area]
        theirs = near + [item for item in theirs if item.area.strip().casefold() != area]
    return theirs[:PER_LIST]


def _recipients() -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            status=MembershipStatus.ACTIVE,
            person__is_active=True,
            person__digest_by_email=True,
        )
        .exclude(person__email="")
        # Someone under a safeguarding pause cannot answer a listing: no digest for now.
        .exclude(is_paused_q())
        .select_related("person", "timebank")
        .order_by("timebank_id", "person_id")
    )


def weekly_digests(*, now: datetime | None = None) -> DigestRun:
    """Who gets a digest and what is in it, in three queries."""
    now = now or timezone.now()
    since = now - timedelta(days=DAYS)
    memberships = list(_recipients())
    timebank_ids = {membership.timebank_id for membership in memberships}
    run = DigestRun()
    if not timebank_ids:
        return run
    offers: dict[int, list[Offer]] = defaultdict(list)
    requests: dict[int, list[Request]] = defaultdict(list)
    for offer in _recent(Offer, timebank_ids, since, now):
        offers[offer.timebank_id].append(offer)
    for request in _recent(Request, timebank_ids, since, now):
        requests[request.timebank_id].append(request)
    for membership in memberships:
        digest = Digest(
            membership=membership,
            offers=_pick(offers[membership.timebank_id], membership),
            requests=_pick(requests[membership.timebank_id], membership),
        )
        if digest.offers or digest.requests:
            run.digests.append(digest)
        else:
            run.skipped += 1
    return run


def _email(digest: Digest) -> OutgoingEmail | None:
    """One digest as an email in its reader's language, with a one-click unsubscribe (RFC 8058)
    that turns the digest off for them, no sign-in needed (community.emails)."""
    person = digest.membership.person
    language = mail_language(person, digest.timebank)
    unsubscribe = unsubscribe_url(person, "digest")
    with translation.override(language):
        return mail_compose(
            to=person.email,
            subject=digest.subject(),
            template="exchanges/email/digest",
            context={
                "person": person,
                "body": digest.body(),
                "offers": [(item, _line(item)) for item in digest.offers],
                "requests": [(item, _line(item)) for item in digest.requests],
                "unsubscribe_url": unsubscribe,
                "settings_link": absolute(reverse("community:profile_edit")),
                "home_link": absolute(reverse("web:home")),
            },
            language=language,
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            kind="digest",
            person=person,
            timebank=digest.timebank,
        )


def weekly_digest_send(*, dry_run: bool = False, now: datetime | None = None) -> str:
    """Record this week's digests (core.mail, one statement) with their audit rows, then send
    them over one mail connection; returns a summary for the command, which runs outside any
    transaction. A mail server that is down leaves them failed, for `mail_retry`."""
    run = weekly_digests(now=now)
    if dry_run or not run.digests:
        return run.summary(dry_run=dry_run)
    with transaction.atomic():
        rows = mail_record_many(_email(digest) for digest in run.digests)
        per_timebank: dict[int, int] = defaultdict(int)
        for digest in run.digests:
            per_timebank[digest.membership.timebank_id] += 1
        for timebank_id, count in per_timebank.items():
            audit_record(
                action="exchanges.weekly_digest_sent",
                actor=None,
                timebank_id=timebank_id,
                data={"emails": count},
            )
    mail_deliver([row.pk for row in rows])
    return run.summary(dry_run=False)
