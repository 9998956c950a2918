"""Builds the demo time bank: members, partner organisations, offers, requests and months of
exchanges, with every credit posted through `ledger.services.transfer_post`.

Everything comes from the seed, so the same seed builds the same community; only the absolute
dates move, because the history ends at the start of the month it is built in. The community is
planned in memory first (`community`, `history`), then written here: rows in bulk (10,000
members must take seconds, not minutes; `demo.rows`), credits one transfer at a time in the order
the help happened, and last what the apps' own services build (`demo.finish`). The build is one
transaction: a failure leaves nothing half-built.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

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
from coproduce.core.errors import ApplicationError
from coproduce.core.models import AuditEvent
from coproduce.core.notifications import emails_held
from coproduce.demo.community import CommunityPlanner
from coproduce.demo.finish import partners_and_codesign_build
from coproduce.demo.history import HistoryPlanner
from coproduce.demo.plan import DEFAULT_SLUG, Member, Plan, PlannedExchange, Posting
from coproduce.demo.rows import ProgressBar, insert_rows, refresh_statistics
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    Offer,
    Pairing,
    Participant,
    Request,
    Side,
)
from coproduce.exchanges.services.pairings import pairs_of
from coproduce.exchanges.services.tallies import activity_refresh
from coproduce.ledger.accounts import chest_get_or_open, organisation_account_get_or_open
from coproduce.ledger.models import HOUR, Account, AccountKind, Entry, Transfer, TransferKind
from coproduce.ledger.services import transfer_post
from coproduce.matching.index import timebank_reindex

# Published on purpose: the demo is for trying the app out, never for real people.
DEMO_PASSWORD = "coproduce-demo"  # noqa: S105
DEMO_LOGINS: list[tuple[str, str]] = [
    ("carol", "coordinator"),
    ("alice", "member who gives and receives"),
    ("bob", "alice's neighbour"),
    ("dr_patel", "GP at Riverside Surgery (professional)"),
    ("sam", "council community services (organisation admin)"),
]

# The columns given for every exchange and participant row (see `demo.rows.insert_rows`).
_EXCHANGE_COLUMNS = (
    "timebank_id", "public_id", "offer_id", "request_id", "title", "category", "status",
    "scheduled_for", "expected_minutes", "actual_minutes", "proposed_by_id", "created_at",
    "agreed_at", "done_at", "confirmed_at", "transfer_id", "logged_by_id",
)  # fmt: skip
_PARTICIPANT_COLUMNS = (
    "timebank_id", "exchange_id", "side", "person_id", "organisation_id", "account_id",
    "confirmed_at", "exchange_confirmed_at",
)  # fmt: skip
_PAIRING_COLUMNS = (
    "timebank_id", "exchange_id", "transfer_id", "provider_id", "receiver_id", "category",
    "minutes", "occurred_at", "counts_exchange",
)  # fmt: skip
# After this many postings the ledger tables' statistics are refreshed again (PostgreSQL only,
# see `demo.rows.refresh_statistics`).
RESTATISTICS_AT = (1_000, 20_000)


@dataclass
class DemoOptions:
    """`members` counts the active members, the named demo logins included."""

    members: int
    months: int
    seed: int
    slug: str = DEFAULT_SLUG
    progress: bool = False


@dataclass
class DemoSummary:
    timebank: str
    slug: str
    members: int
    applicants: int
    organisations: list[str]
    offers: int
    requests: int
    exchanges: int
    pending: int
    transfers: int
    minutes_exchanged: int
    seconds: float
    partners: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        return "\n".join(
            [
                f"Built the demo time bank {self.timebank!r} (slug {self.slug}).",
                f"  members:          {self.members:,} active, {self.applicants} waiting to join",
                f"  organisations:    {', '.join(self.organisations)}",
                f"  offers:           {self.offers:,}",
                f"  requests:         {self.requests:,}",
                f"  exchanges:        {self.exchanges:,} confirmed, "
                f"{self.pending} waiting for someone to act",
                f"  hours exchanged:  {self.minutes_exchanged / 60:,.1f} "
                f"({self.transfers:,} transfers posted)",
                *(
                    [
                        f"  partners:         {self.partners.get('referrals', 0)} referrals "
                        f"({self.partners.get('outcomes', 0)} outcome measures), "
                        f"{self.partners.get('pools', 0)} pools, "
                        f"{self.partners.get('projects', 0)} co-design project with "
                        f"{self.partners.get('proposals', 0)} proposals"
                    ]
                    if self.partners
                    else []
                ),
                f"  took {self.seconds:.1f} s",
            ]
        )


def demo_build(options: DemoOptions) -> DemoSummary:
    """Build the demo time bank described by `options` and say what was built.

    A slug or a username that is already taken is refused with an ApplicationError before
    anything is written.
    """
    started = time.perf_counter()
    _check(options)
    plan = Plan(
        members=options.members, months=options.months, seed=options.seed, slug=options.slug
    )
    CommunityPlanner(plan).run()
    _refuse_taken_usernames([m.username for m in plan.everyone])
    writer = _Writer(plan, progress=options.progress, seed=options.seed)
    try:
        # The services the partners' demo goes through notify people; a demo's people are
        # invented, so their in-app messages are kept and no email leaves (even after commit).
        with emails_held(), transaction.atomic():
            writer.write()
            partners = partners_and_codesign_build(writer.timebank, options.seed)
            timebank_reindex(timebank=writer.timebank)
    except IntegrityError:
        # Another build took the slug between the check above and the write.
        if TimeBank.objects.filter(slug=options.slug).exists():
            raise ApplicationError(_slug_taken(options.slug), "slug_taken") from None
        raise
    summary = writer.summary(seconds=time.perf_counter() - started)
    summary.partners = partners
    # The partners' demo posts through the same ledger (first exchanges, pools, meetings).
    summary.transfers = Transfer.objects.filter(timebank=writer.timebank).count()
    summary.exchanges = Exchange.objects.filter(
        timebank=writer.timebank, status=ExchangeStatus.CONFIRMED
    ).count()
    return summary


def _slug_taken(slug: str) -> str:
    return f"A time bank called {slug!r} already exists; choose another --slug."


def _check(options: DemoOptions) -> None:
    if options.members < 1 or options.months < 1:
        raise ApplicationError("A demo needs at least one member and one month.", "bad_option")
    try:
        validate_slug(options.slug)
    except ValidationError:
        raise ApplicationError(
            f"{options.slug!r} cannot be a slug: use letters, numbers, hyphens and underscores.",
            "bad_slug",
        ) from None
    if len(options.slug) > 50:
        raise ApplicationError("A slug must be at most 50 characters.", "bad_slug")
    if TimeBank.objects.filter(slug=options.slug).exists():
        raise ApplicationError(_slug_taken(options.slug), "slug_taken")


def _refuse_taken_usernames(usernames: list[str]) -> None:
    # In chunks: SQLite limits the number of parameters in one query.
    for start in range(0, len(usernames), 500):
        taken = (
            Person.objects.filter(username__in=usernames[start : start + 500])
            .values_list("username", flat=True)
            .first()
        )
        if taken is not None:
            raise ApplicationError(
                f"Someone with the username {taken!r} already exists; choose another --slug.",
                "username_taken",
            )


class _Writer:
    """Writes a planned community, inside the caller's transaction."""

    def __init__(self, plan: Plan, *, progress: bool, seed: int) -> None:
        self.plan = plan
        self.progress = progress
        self.seed = seed
        self.timebank = plan.timebank
        self.offer_count = self.request_count = self.exchange_count = 0
        self.minutes_exchanged = 0

    def write(self) -> None:
        self._timebank()
        self._people()
        self._organisations()
        self._listings()
        refresh_statistics([Person, Membership, Account, Offer, Request])
        # The history is planned only now, as it needs the accounts' real limits.
        HistoryPlanner(self.plan).run()
        self._transfers()
        self._exchanges()
        self._tidy_dates()
        audit_record(
            action="demo.built",
            actor=None,
            timebank_id=self.timebank.pk,
            target=f"timebank:{self.timebank.public_id}",
            data={"seed": self.seed, "members": len(self.plan.members), "months": self.plan.months},
        )

    def _timebank(self) -> None:
        self.timebank.public_id = self.plan.new_id()
        self.timebank.description = (
            "A demo community of made-up people, built by `coproduce demo`. Every hour of help "
            "earns one time credit, whatever the help."
        )
        self.timebank.save()
        chest = chest_get_or_open(timebank=self.timebank)
        self.plan.chest.account_id = chest.pk
        self.plan.chest.min_balance = chest.min_balance
        self.plan.chest.max_balance = chest.max_balance

    def _people(self) -> None:
        plan = self.plan
        # Argon2 is slow on purpose: hash once and share the hash (every demo login has the
        # same password anyway).
        password = make_password(DEMO_PASSWORD)
        labels = {value: str(label).lower() for value, label in Category.choices}
        everyone = plan.everyone
        people = [
            Person(
                username=m.username,
                first_name=m.first_name,
                last_name=m.last_name,
                email=f"{m.base}@{plan.slug}.example.org",
                password=password,
                phone=m.phone,
                contact_preference=m.contact,
                public_id=m.public_id,
                date_joined=m.joined_at,
                gives=_sentence("I can help with", [labels[c] for c in m.gives]),
                needs=_sentence("I would like help with", [r.text.title for r in m.requests]),
                languages=m.languages,
                availability=m.availability,
            )
            for m in everyone
        ]
        Person.objects.bulk_create(people)
        for m, person in zip(everyone, people, strict=True):
            m.person = person
        carol = plan.carol.person
        memberships = [
            Membership(
                timebank=self.timebank,
                person=m.person,
                role=m.role,
                status=m.status,
                area=m.area,
                activated_at=m.activated_at,
                # The coordinator meets every newcomer before they can trade.
                inducted_on=_inducted_on(m) if m.inducted else None,
                inducted_by=carol if m.inducted and m is not plan.carol else None,
            )
            for m in everyone
        ]
        Membership.objects.bulk_create(memberships)
        for m, membership in zip(everyone, memberships, strict=True):
            m.membership = membership
        accounts = [
            Account(
                timebank=self.timebank,
                public_id=m.account_public_id,
                kind=AccountKind.MEMBER,
                unit=HOUR,
                person=m.person,
                min_balance=m.min_balance,
                max_balance=m.max_balance,
            )
            for m in plan.members
        ]
        Account.objects.bulk_create(accounts)
        for m, account in zip(plan.members, accounts, strict=True):
            m.account_id = account.pk

    def _organisations(self) -> None:
        for org in self.plan.orgs:
            org.organisation = Organisation.objects.create(
                timebank=self.timebank,
                public_id=org.public_id,
                slug=org.text.slug,
                name=org.text.name,
                kind=org.text.kind,
                description=org.text.description,
            )
            assert org.staff.person is not None
            OrganisationStaff.objects.create(
                timebank=self.timebank,
                organisation=org.organisation,
                person=org.staff.person,
                role=org.staff_role,
            )
            account = organisation_account_get_or_open(organisation=org.organisation)
            org.account_id = account.pk
            org.min_balance = account.min_balance
            org.max_balance = account.max_balance

    def _listings(self) -> None:
        expiry = timedelta(days=self.timebank.listing_expiry_days)
        rows: dict[type[Offer] | type[Request], list[Any]] = {Offer: [], Request: []}
        for listing in self.plan.listings:
            listing.row = listing.model(
                timebank=self.timebank,
                public_id=listing.public_id,
                person=listing.member.person if listing.member else None,
                organisation=listing.org.organisation if listing.org else None,
                title=listing.text.title,
                description=listing.text.description,
                category=listing.category,
                tags=listing.text.tags,
                area=listing.area,
                status=listing.status,
                created_at=listing.created_at,
                expires_at=listing.created_at + expiry,
                created_by=listing.created_by.person if listing.created_by else None,
            )
            rows[listing.model].append(listing.row)
        Offer.objects.bulk_create(rows[Offer])
        Request.objects.bulk_create(rows[Request])
        self.offer_count, self.request_count = len(rows[Offer]), len(rows[Request])

    def _transfers(self) -> None:
        """Post every planned transfer, in the order the help happened."""
        timeline = self.plan.timeline
        bar = ProgressBar(len(timeline), "Posting transfers") if self.progress else None
        for done, item in enumerate(timeline, start=1):
            if isinstance(item, Posting):
                self._post(item)
            else:
                item.transfer_id = self._post_exchange(item)
            if done in RESTATISTICS_AT:
                refresh_statistics([Transfer, Entry, AuditEvent, Account])
            if bar is not None:
                bar.update(done)
        if bar is not None:
            bar.close()

    def _post(self, posting: Posting) -> None:
        transfer_post(
            timebank=self.timebank,
            acting=posting.acting.person,
            payer=posting.payer.account_id,
            payee=posting.payee.account_id,
            minutes=posting.minutes,
            memo=posting.memo,
            kind=posting.kind,
            occurred_at=posting.occurred_at,
            idempotency_key=f"{posting.kind}:{posting.public_id}",
        )

    def _post_exchange(self, exchange: PlannedExchange) -> int:
        common: dict[str, Any] = {
            "timebank": self.timebank,
            "acting": exchange.acting.person,
            "on_behalf_of": exchange.on_behalf_of.person if exchange.on_behalf_of else None,
            "kind": TransferKind.EXCHANGE,
            "memo": exchange.title,
            "occurred_at": exchange.done_at,
            "idempotency_key": f"exchange:{exchange.public_id}:confirm",
        }
        if len(exchange.legs) == 2:
            (payee, minutes), (payer, _paid) = exchange.legs
            transfer = transfer_post(
                payer=payer.account_id, payee=payee.account_id, minutes=minutes, **common
            )
        else:
            transfer = transfer_post(
                entries=[(party.account_id, amount) for party, amount in exchange.legs], **common
            )
        return transfer.pk

    def _exchanges(self) -> None:
        plan = self.plan
        confirmed = [x for x in plan.timeline if isinstance(x, PlannedExchange)]
        planned = confirmed + plan.pending
        carol = plan.carol.person_id()
        insert_rows(
            Exchange,
            _EXCHANGE_COLUMNS,
            [
                (
                    self.timebank.pk,
                    x.public_id,
                    x.offer.pk if x.offer else None,
                    x.request.pk if x.request else None,
                    x.title,
                    x.category,
                    x.status,
                    x.scheduled_for,
                    x.expected_minutes,
                    x.minutes if x.done_at else None,
                    x.proposed_by.person_id(),
                    x.created_at,
                    x.agreed_at,
                    x.done_at,
                    x.confirmed_at,
                    x.transfer_id,
                    # The coordinator confirmed it for a member who is offline.
                    carol if x.acting is plan.carol and x.on_behalf_of else None,
                )
                for x in planned
            ],
        )
        exchange_ids = dict(
            Exchange.objects.filter(timebank=self.timebank).values_list("public_id", "pk")
        )
        insert_rows(
            Participant,
            _PARTICIPANT_COLUMNS,
            [
                (
                    self.timebank.pk,
                    exchange_ids[x.public_id],
                    side,
                    party.person_id(),
                    party.organisation_id(),
                    party.account_id,
                    confirmed_at,
                    x.confirmed_at if x.status == ExchangeStatus.CONFIRMED else None,
                )
                for x in planned
                for side, parties, confirmed_at in (
                    (Side.PROVIDER, x.providers, x.providers_confirmed_at),
                    (Side.RECEIVER, x.receivers, x.confirmed_at),
                )
                for party in parties
            ],
        )
        # Who helped whom, as exchanges.services.pairings_record writes it on confirmation.
        insert_rows(
            Pairing,
            _PAIRING_COLUMNS,
            [
                (
                    self.timebank.pk,
                    exchange_ids[x.public_id],
                    x.transfer_id,
                    provider_id,
                    receiver_id,
                    x.category,
                    x.minutes,
                    x.done_at,
                    counts,
                )
                for x in confirmed
                for provider_id, receiver_id, counts in pairs_of(x.providers, x.receivers)
            ],
        )
        # Each person's last giving and receiving, as exchanges.services.tallies keeps them.
        activity_refresh(
            people=[
                (self.timebank.pk, pk)
                for pk in {party.person_id() for x in confirmed for party in x.providers}
                | {party.person_id() for x in confirmed for party in x.receivers}
                if pk is not None
            ]
        )
        self.exchange_count = len(confirmed)
        self.minutes_exchanged = sum(
            amount for x in confirmed for _party, amount in x.legs if amount > 0
        )

    def _tidy_dates(self) -> None:
        """Some columns are stamped with the time of writing (`auto_now_add`, `auto_now`); put
        them back in the story. None of these are ledger rows."""
        plan, timebank = self.plan, self.timebank
        founded = min(m.activated_at for m in plan.members if m.activated_at) - timedelta(days=14)
        TimeBank.objects.filter(pk=timebank.pk).update(created_at=founded)
        Organisation.objects.filter(timebank=timebank).update(created_at=founded)
        OrganisationStaff.objects.filter(timebank=timebank).update(created_at=founded)
        Membership.objects.filter(timebank=timebank, status=MembershipStatus.ACTIVE).update(
            applied_at=F("activated_at") - timedelta(days=7)
        )
        for applicant in plan.applicants:
            assert applicant.membership is not None
            Membership.objects.filter(pk=applicant.membership.pk).update(
                applied_at=applicant.joined_at
            )
        Offer.objects.filter(timebank=timebank).update(updated_at=F("created_at"))
        Request.objects.filter(timebank=timebank).update(updated_at=F("created_at"))

    def summary(self, *, seconds: float) -> DemoSummary:
        plan = self.plan
        return DemoSummary(
            timebank=self.timebank.name,
            slug=self.timebank.slug,
            members=len(plan.members),
            applicants=len(plan.applicants),
            organisations=[org.text.name for org in plan.orgs],
            offers=self.offer_count,
            requests=self.request_count,
            exchanges=self.exchange_count,
            pending=len(plan.pending),
            transfers=len(plan.timeline),
            minutes_exchanged=self.minutes_exchanged,
            seconds=seconds,
        )


def _inducted_on(member: Member) -> date:
    # Members met the coordinator a couple of days before they were welcomed in; applicants
    # who have been inducted met her the day they applied.
    moment = member.activated_at - timedelta(days=2) if member.activated_at else member.joined_at
    return timezone.localtime(moment).date()


def _sentence(opening: str, things: list[str]) -> str:
    """`I can help with gardening, transport and admin.`"""
    if not things:
        return ""
    listed = things[0] if len(things) == 1 else f"{', '.join(things[:-1])} and {things[-1]}"
    return f"{opening} {listed[0].lower()}{listed[1:]}."
