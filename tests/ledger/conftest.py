"""The ledger's cast, built on the shared people (tests/conftest.py): alice and bob, neighbours in
Riverside; carol, its coordinator; dr_patel, a GP at Riverside Surgery; dan and erin, who come to
bob's group sessions; and eve in Hillside, another time bank whose credits must never mix with
Riverside's. `story` hands a test the time bank, the people and their accounts in one object."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import pytest

from coproduce.community.models import Organisation, Person, TimeBank
from coproduce.core.models import AuditEvent
from coproduce.ledger.accounts import member_account_get_or_open, organisation_account_get_or_open
from coproduce.ledger.models import Account, AccountKind, Entry, Transfer
from tests.conftest import _join, _person


@dataclass
class Story:
    timebank: TimeBank
    alice: Person
    bob: Person
    carol: Person
    dan: Person
    erin: Person
    dr_patel: Person
    alice_account: Account
    bob_account: Account
    carol_account: Account
    dan_account: Account
    erin_account: Account
    surgery_account: Account


@pytest.fixture
def story(riverside, alice, bob, carol, dr_patel) -> Story:
    dan = _join(riverside, _person("dan", "Dan", "Davies"))
    erin = _join(riverside, _person("erin", "Erin", "Evans"))

    def account(person: Person) -> Account:
        return member_account_get_or_open(timebank=riverside, person=person)

    surgery = Organisation.objects.get(timebank=riverside, slug="riverside-surgery")
    return Story(
        timebank=riverside,
        alice=alice,
        bob=bob,
        carol=carol,
        dan=dan,
        erin=erin,
        dr_patel=dr_patel,
        alice_account=account(alice),
        bob_account=account(bob),
        carol_account=account(carol),
        dan_account=account(dan),
        erin_account=account(erin),
        surgery_account=organisation_account_get_or_open(organisation=surgery),
    )


@pytest.fixture
def eve_account(hillside) -> Account:
    """Eve's account in Hillside, another time bank."""
    eve = _join(hillside, _person("eve", "Eve", "Ellis"))
    return member_account_get_or_open(timebank=hillside, person=eve)


@pytest.fixture
def gbp_pool(riverside) -> Account:
    """A pool holding money (in pence) that members club together for a shared budget."""
    return Account.objects.create(
        timebank=riverside,
        kind=AccountKind.POOL,
        unit="GBP",
        name="Allotment tools fund",
        min_balance=0,
    )


def ledger_state() -> tuple[int, int, int, dict[int, int]]:
    """Everything a refused transfer must leave alone: row counts and every cached balance."""
    return (
        Transfer.objects.count(),
        Entry.objects.count(),
        AuditEvent.objects.count(),
        dict(Account.objects.values_list("id", "balance")),
    )


@pytest.fixture
def unchanged(db) -> Callable[[], AbstractContextManager[None]]:
    """`with unchanged(): …` fails the test if the block wrote anything to the ledger."""

    @contextmanager
    def check() -> Iterator[None]:
        before = ledger_state()
        try:
            yield
        finally:
            assert ledger_state() == before, "the ledger changed"

    return check
