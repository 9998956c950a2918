"""A small Riverside community whose report is worked out by hand in test_figures.py.

The period is the first quarter of 2025 (1 January to 31 March, Europe/London). Every exchange
goes through the ledger's own transfer_post; the exchange and participant rows are written
directly so the story can be dated in the past.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import _join, _person

LONDON = ZoneInfo("Europe/London")
Q1_START = date(2025, 1, 1)
Q1_END = date(2025, 3, 31)


def report_queries(*, named: bool = True) -> int:
    """Queries for a report of a time bank with no referral: twelve for the figures (three of
    them how far the ledger's kept summaries go, before the accounts' last help, the flows and
    help by month: `insights.summary`; one the accounts' kept last help, read once it has been
    built, `insights.last_help`) and one for outcomes; on
    PostgreSQL three more (work_mem for the report's transaction, and the planner settings set
    and put back around the ties). The funder's report (`named=False`) reads one more, how far
    the pairs' kept spans go, before the ties (and on PostgreSQL, once they have been built,
    no planner settings: the pairings are not grouped)."""
    from django.db import connection

    return (13 if connection.vendor == "sqlite" else 16) + (0 if named else 1)


def at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=LONDON)


def _account(timebank, party):
    from coproduce.community.models import Organisation
    from coproduce.ledger.accounts import (
        member_account_get_or_open,
        organisation_account_get_or_open,
    )

    if isinstance(party, Organisation):
        return organisation_account_get_or_open(organisation=party)
    return member_account_get_or_open(timebank=timebank, person=party)


def exchanged(timebank, provider, receivers, minutes, on, category, *, acting):
    """A confirmed exchange: `provider` gave `minutes` to each of `receivers` on `on`."""
    from coproduce.community.models import Organisation
    from coproduce.exchanges.models import Exchange, Participant
    from coproduce.exchanges.services.pairings import pairings_record
    from coproduce.ledger.services import transfer_post

    if not isinstance(receivers, list | tuple):
        receivers = [receivers]
    provider_account = _account(timebank, provider)
    receiver_accounts = [_account(timebank, r) for r in receivers]
    transfer = transfer_post(
        timebank=timebank,
        acting=acting,
        entries=[(provider_account, minutes * len(receivers))]
        + [(account, -minutes) for account in receiver_accounts],
        kind="exchange",
        occurred_at=at(on),
    )
    exchange = Exchange.objects.create(
        timebank=timebank,
        title=f"{category} help",
        category=category,
        status="confirmed",
        expected_minutes=minutes,
        actual_minutes=minutes,
        proposed_by=acting,
        created_at=at(on),
        done_at=at(on),
        confirmed_at=at(on),
        transfer=transfer,
    )

    def part(side, party, account):
        is_org = isinstance(party, Organisation)
        return Participant.objects.create(
            timebank=timebank,
            exchange=exchange,
            side=side,
            person=None if is_org else party,
            organisation=party if is_org else None,
            account=account,
        )

    participants = [part("provider", provider, provider_account)]
    for receiver, account in zip(receivers, receiver_accounts, strict=True):
        participants.append(part("receiver", receiver, account))
    pairings_record(exchange, participants, transfer)
    return exchange


@pytest.fixture
def surgery(dr_patel):
    from coproduce.community.models import Organisation

    return Organisation.objects.get(slug="riverside-surgery")


@pytest.fixture
def story(riverside, hillside, carol, alice, bob, dr_patel, surgery, harry):
    """Riverside's first quarter of 2025 (see test_figures.py for the sums)."""
    from coproduce.community.models import Membership
    from coproduce.exchanges.models import Offer
    from coproduce.ledger.accounts import chest_get_or_open
    from coproduce.ledger.services import transfer_post, transfer_reverse

    dave = _join(riverside, _person("dave", "Dave", "Davies"), area="Southbank")
    erin = _join(riverside, _person("erin", "Erin", "Evans"), area="Southbank")
    frank = _join(riverside, _person("frank", "Frank", "Fisher"), area="Northbank")
    gina = _join(riverside, _person("gina", "Gina", "Green"), area="Eastfield")
    hal = _join(riverside, _person("hal", "Hal", "Hughes"), area="Eastfield")
    ivy = _join(riverside, _person("ivy", "Ivy", "Ingram"), area="Eastfield")
    jo = _join(hillside, _person("jo", "Jo", "Jay"))

    Membership.objects.filter(timebank=riverside).update(activated_at=at(date(2024, 6, 1)))
    Membership.objects.filter(person__in=[frank, gina]).update(activated_at=at(date(2024, 1, 15)))
    Membership.objects.filter(person=dave).update(activated_at=at(date(2025, 1, 10)))
    Membership.objects.filter(person=ivy).update(activated_at=at(date(2025, 3, 1)))
    Membership.objects.filter(timebank=hillside).update(activated_at=at(date(2025, 1, 2)))

    Offer.objects.create(
        timebank=riverside,
        person=hal,
        title="Dog walking",
        category="household",
        created_at=at(date(2024, 7, 1)),
    )

    exchanged(riverside, alice, bob, 60, date(2024, 12, 10), "gardening", acting=carol)
    exchanged(riverside, alice, bob, 120, date(2025, 1, 5), "gardening", acting=carol)
    exchanged(riverside, bob, dave, 60, date(2025, 1, 20), "transport", acting=carol)
    exchanged(riverside, surgery, erin, 90, date(2025, 2, 14), "health", acting=carol)
    exchanged(riverside, frank, [alice, dave], 60, date(2025, 2, 20), "creative", acting=carol)
    exchanged(riverside, erin, alice, 30, date(2025, 3, 3), "companionship", acting=carol)
    mistake = exchanged(riverside, bob, erin, 45, date(2025, 3, 10), "household", acting=carol)
    transfer_reverse(transfer=mistake.transfer, acting=carol, reason="Logged twice")
    exchanged(riverside, alice, ivy, 60, date(2025, 3, 25), "care", acting=carol)
    exchanged(riverside, dave, bob, 60, date(2025, 4, 2), "transport", acting=carol)

    chest = chest_get_or_open(timebank=riverside)
    alice_account = _account(riverside, alice)
    transfer_post(
        timebank=riverside,
        acting=carol,
        payer=alice_account,
        payee=chest,
        minutes=30,
        kind="gift",
        occurred_at=at(date(2025, 3, 15)),
    )
    transfer_post(
        timebank=riverside,
        acting=carol,
        payer=chest,
        payee=_account(riverside, frank),
        minutes=30,
        kind="grant",
        occurred_at=at(date(2025, 3, 20)),
    )

    exchanged(hillside, harry, jo, 180, date(2025, 2, 1), "care", acting=harry)
    return {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "erin": erin,
        "frank": frank,
        "gina": gina,
        "hal": hal,
        "ivy": ivy,
        "surgery": surgery,
        "jo": jo,
    }
