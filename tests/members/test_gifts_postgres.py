"""Gifts under real concurrent transactions on PostgreSQL: alice, with three hours, clicks "give
two hours" in two browser tabs at once; only one gift can come out of what she has."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from coproduce.core.errors import ApplicationError
from coproduce.ledger.models import Transfer, TransferKind
from coproduce.members.services import gift_give
from tests.members.conftest import account_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_gifts_at_once_cannot_give_more_than_alice_has(riverside, pay, alice, bob, carol):
    pay(carol, alice, 180)
    start = threading.Barrier(4)
    refused: list[ApplicationError] = []

    def give(n: int) -> None:
        try:
            start.wait()
            gift_give(
                timebank=riverside,
                giver=alice,
                to_chest=n % 2 == 0,
                to_person=None if n % 2 == 0 else bob,
                minutes=120,
                idempotency_key=f"tab-{n}",
            )
        except ApplicationError as exc:
            refused.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=give, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a gift is stuck"
    assert Transfer.objects.filter(kind=TransferKind.GIFT).count() == 1
    assert len(refused) == 3
    assert all(exc.code == "not_enough" for exc in refused)
    assert account_of(alice).balance == 60
