"""Two actions on one exchange arriving at the same moment, on real concurrent PostgreSQL
transactions: the exchange row lock makes the second wait and then see what the first did, so
credits move at most once and a cancelled or disputed exchange never posts."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from coproduce.core.errors import ApplicationError
from coproduce.exchanges.models import ExchangeStatus, PersonActivity
from coproduce.exchanges.services.disputes import exchange_dispute
from coproduce.exchanges.services.exchanges import exchange_cancel, exchange_confirm
from coproduce.exchanges.services.tallies import tallies_check
from coproduce.ledger.models import Transfer
from tests.exchanges.conftest import balance, propose, step


def race(*actions: Callable[[], object]) -> list[object]:
    """Run the actions in threads released together; return each result or error."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = action()
        except ApplicationError as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def done_garden(riverside, alice, bob, carol):
    exchange = propose(riverside, alice, bob)
    return step(exchange, "done")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_confirmation_racing_a_cancellation_posts_once_and_cancels_nothing(
    done_garden, alice, bob
):
    results = race(
        lambda: exchange_confirm(exchange=done_garden, acting=bob),
        lambda: exchange_cancel(exchange=done_garden, acting=alice, reason="changed"),
    )
    done_garden.refresh_from_db()
    assert done_garden.status == ExchangeStatus.CONFIRMED
    assert isinstance(results[1], ApplicationError)
    assert Transfer.objects.count() == 1
    assert (balance(alice), balance(bob)) == (120, -120)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_together_post_once(done_garden, alice, bob, carol):
    race(
        lambda: exchange_confirm(exchange=done_garden, acting=bob),
        lambda: exchange_confirm(exchange=done_garden, acting=carol),
    )
    assert Transfer.objects.count() == 1
    assert (balance(alice), balance(bob)) == (120, -120)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_confirmation_racing_a_dispute_ends_one_way_only(done_garden, alice, bob):
    results = race(
        lambda: exchange_confirm(exchange=done_garden, acting=bob),
        lambda: exchange_dispute(exchange=done_garden, acting=alice, reason="Too long"),
    )
    done_garden.refresh_from_db()
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(refused) == 1
    if done_garden.status == ExchangeStatus.CONFIRMED:
        assert Transfer.objects.count() == 1
    else:
        assert done_garden.status == ExchangeStatus.DISPUTED
        assert not Transfer.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_of_alices_exchanges_confirmed_together_are_both_counted(riverside, alice, bob, dan):
    # Each confirmation recounts alice's exchanges ever (exchanges.services.tallies); the second
    # must count the first's, committed while it waited.
    for_bob = step(propose(riverside, alice, bob), "done")
    for_dan = step(propose(riverside, alice, dan), "done")
    race(
        lambda: exchange_confirm(exchange=for_bob, acting=bob),
        lambda: exchange_confirm(exchange=for_dan, acting=dan),
    )
    activity = PersonActivity.objects.get(timebank=riverside, person=alice)
    assert (activity.gave_count, activity.received_count) == (2, 0)
    assert tallies_check(riverside.pk, 10) == []
