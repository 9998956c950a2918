"""Helpers for the coordinator's dashboard: exchanges and requests placed at chosen moments in
the past, and a whole community in every situation the dashboard lists, built with bulk_create so
a community ten times larger costs the same few statements.

Exchanges are made directly (their lifecycle services belong to another area), then the
summaries their confirmation would keep are rebuilt (`tallies_rebuild`); no credits move here —
balances come only from transfer_post in the tests that need them.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from coproduce.community.models import (
    Membership,
    Organisation,
    Person,
    SafeguardingCheck,
    SafeguardingPause,
    TimeBank,
)
from coproduce.exchanges.models import Exchange, Participant, Request
from coproduce.exchanges.services.tallies import tallies_rebuild
from coproduce.ledger.accounts import member_account_get_or_open
from coproduce.ledger.models import Account, AccountKind
from coproduce.partners.models import Referral


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def backdate_joining(timebank: TimeBank, person: Person, days: float) -> None:
    moment = days_ago(days)
    Membership.objects.filter(timebank=timebank, person=person).update(
        applied_at=moment, activated_at=moment
    )


def make_exchange(
    timebank: TimeBank,
    *,
    provider: Person,
    receiver: Person,
    status: str = "confirmed",
    days: float = 1,
    title: str = "Help in the garden",
    request: Request | None = None,
    dispute_reason: str = "",
) -> Exchange:
    """An exchange between two people whose last step (done, confirmed…) was `days` ago."""
    moment = days_ago(days)
    exchange = Exchange.objects.create(
        timebank=timebank,
        title=title,
        category="gardening",
        status=status,
        expected_minutes=60,
        proposed_by=provider,
        request=request,
        created_at=moment - timedelta(days=1),
        agreed_at=moment - timedelta(hours=12),
        done_at=moment if status in {"done", "confirmed", "disputed"} else None,
        confirmed_at=moment if status == "confirmed" else None,
        cancelled_at=moment if status == "cancelled" else None,
        dispute_reason=dispute_reason,
    )
    for side, person in (("provider", provider), ("receiver", receiver)):
        Participant.objects.create(
            timebank=timebank,
            exchange=exchange,
            side=side,
            person=person,
            account=member_account_get_or_open(timebank=timebank, person=person),
        )
    # What the exchanges services keep on confirmation (exchanges.services.tallies).
    tallies_rebuild(timebank_id=timebank.pk)
    return exchange


def make_request(
    timebank: TimeBank, person: Person, *, days: float, title: str = "A lift to the surgery"
) -> Request:
    return Request.objects.create(
        timebank=timebank,
        person=person,
        title=title,
        category="transport",
        created_at=days_ago(days),
    )


def populate(timebank: TimeBank, per_section: int, prefix: str) -> None:
    """`per_section` rows in every list of the dashboard, in a handful of bulk statements."""
    n = per_section
    names = [f"{prefix}{i}" for i in range(8 * n)]
    Person.objects.bulk_create(
        Person(username=name, first_name=name.title(), password="!") for name in names
    )
    people = list(Person.objects.filter(username__in=names).order_by("id"))
    applicants, _quiet, receivers, givers, partners, near, requesters, spare = (
        people[i * n : (i + 1) * n] for i in range(8)
    )
    long_ago = days_ago(400)
    Membership.objects.bulk_create(
        Membership(
            timebank=timebank,
            person=person,
            status="applied" if person in applicants else "active",
            activated_at=None if person in applicants else long_ago,
        )
        for person in people
    )
    # Accounts open with no entries, so a balance of 0 is their true balance; those "near" the
    # limit have a highest balance of half an hour.
    Account.objects.bulk_create(
        Account(
            timebank=timebank,
            kind=AccountKind.MEMBER,
            person=person,
            min_balance=-600,
            max_balance=30 if person in near else None,
        )
        for person in people
        if person not in applicants
    )
    accounts = {a.person_id: a for a in Account.objects.filter(timebank=timebank, kind="member")}
    Request.objects.bulk_create(
        Request(
            timebank=timebank,
            person=person,
            title=f"Request {i}",
            category="care",
            created_at=days_ago(30),
        )
        for i, person in enumerate(requesters)
    )
    # Receivers only receive and givers only give, from partners who both give and receive;
    # plus one unconfirmed and one disputed exchange per partner.
    plans = []
    for i in range(n):
        partner = partners[i]
        plans += [
            ("confirmed", givers[i], partner),
            ("confirmed", partner, receivers[i]),
            ("done", partner, receivers[i]),
            ("disputed", givers[i], partner),
        ]
    moment = days_ago(20)
    exchanges = Exchange.objects.bulk_create(
        Exchange(
            timebank=timebank,
            title=f"Exchange {i}",
            category="care",
            status=status,
            expected_minutes=60,
            proposed_by=provider,
            created_at=moment,
            done_at=moment,
            confirmed_at=moment if status == "confirmed" else None,
        )
        for i, (status, provider, _receiver) in enumerate(plans)
    )
    if not exchanges[0].pk:  # backends that do not return ids from bulk_create
        exchanges = list(Exchange.objects.filter(timebank=timebank).order_by("id"))
    Participant.objects.bulk_create(
        Participant(
            timebank=timebank,
            exchange=exchange,
            side=side,
            person=person,
            account=accounts[person.pk],
        )
        for exchange, (_status, provider, receiver) in zip(exchanges, plans, strict=True)
        for side, person in (("provider", provider), ("receiver", receiver))
    )
    tallies_rebuild(timebank_id=timebank.pk)
    # `spare` members are under a safeguarding pause, and their enhanced checks expire soon.
    now, today = timezone.now(), timezone.localdate()
    SafeguardingPause.objects.bulk_create(
        SafeguardingPause(
            timebank=timebank, person=person, reason="Concern raised", started_at=now,
            started_by=applicants[0],
        )
        for person in spare
    )  # fmt: skip
    SafeguardingCheck.objects.bulk_create(
        SafeguardingCheck(
            timebank=timebank, person=person, kind="enhanced", checked_on=today - timedelta(900),
            expires_on=today + timedelta(days=10), recorded_by=applicants[0],
        )
        for person in spare
    )  # fmt: skip
    # n new referrals, from an organisation of their own, that nobody has contacted yet.
    organisation = Organisation.objects.create(
        timebank=timebank, slug=f"{prefix}-practice", name=f"{prefix} practice", kind="gp_practice"
    )
    Referral.objects.bulk_create(
        Referral(
            timebank=timebank, organisation=organisation, referred_by=applicants[0],
            first_name=f"Referred{i}", consent_given_by="Themselves", consent_given_on=today,
            consent_how="verbal", received_at=now - timedelta(days=i),
        )
        for i in range(n)
    )  # fmt: skip
    # `quiet` members (and the others with no exchange) have had none since joining long ago.
