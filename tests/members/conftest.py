"""The account stories: alice helps bob and carol in Riverside, and their statements, gifts and
grants follow from what happened. `pay` posts one exchange on a chosen day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from django.utils import timezone

from coproduce.community.models import Person
from coproduce.ledger.accounts import member_account_get_or_open
from coproduce.ledger.models import Account, Transfer
from coproduce.ledger.services import transfer_post


def account_of(person: Person) -> Account:
    from coproduce.community.models import TimeBank

    timebank = TimeBank.objects.get(memberships__person=person, memberships__status="active")
    return member_account_get_or_open(timebank=timebank, person=person)


def day(year: int, month: int, date: int, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(year, month, date, hour))


@pytest.fixture
def pay(riverside, carol) -> Callable[..., Transfer]:
    """`pay(bob, alice, 90, when=day(2025, 3, 1), memo="Gardening")`: bob's account pays alice's."""

    def post(payer: Person, payee: Person, minutes: int, *, when=None, memo="", kind="exchange"):
        return transfer_post(
            timebank=riverside,
            acting=carol,
            payer=account_of(payer),
            payee=account_of(payee),
            minutes=minutes,
            memo=memo,
            kind=kind,
            occurred_at=when,
        )

    return post
