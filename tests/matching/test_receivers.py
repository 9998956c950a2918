"""The index is refreshed once per transaction, after it commits (matching.receivers): nothing
while the transaction runs, each touched profile once at commit, nothing after a rollback, and a
read of the index inside the transaction first catches up with the transaction's own changes."""

from __future__ import annotations

import pytest
from django.db import transaction

from coproduce.matching import receivers
from coproduce.matching.models import MatchTerm
from coproduce.matching.selectors import candidates_for_request
from tests.matching.conftest import ask, offer

pytestmark = pytest.mark.on_commit


@pytest.fixture(autouse=True)
def _cast_committed(alice, bob, dan, riverside):
    """The cast is made in the test's own transaction, which never commits: index what it made
    and start afresh, as if it had committed before each story begins."""
    receivers.pending_refresh()
    setattr(transaction.get_connection(), receivers._ATTRIBUTE, None)


def _terms(person) -> set[str]:
    return set(MatchTerm.objects.filter(person=person).values_list("term", flat=True))


def test_bobs_new_offer_reaches_the_index_when_its_transaction_commits(
    bob, riverside, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        offer(bob, riverside, "Pruning roses")
        assert "prune" not in _terms(bob) and "pruning" not in _terms(bob)
    assert len(callbacks) == 1
    assert _terms(bob) & {"prune", "pruning", "rose", "roses"}


def test_many_changes_in_one_transaction_refresh_each_person_once(
    bob, dan, riverside, django_capture_on_commit_callbacks, monkeypatch
):
    refreshed: list[tuple[int, int]] = []
    real = receivers.profile_refresh

    def counting(*, timebank_id: int, person_id: int):
        refreshed.append((timebank_id, person_id))
        return real(timebank_id=timebank_id, person_id=person_id)

    monkeypatch.setattr(receivers, "profile_refresh", counting)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for title in ("Weeding", "Mowing", "Hedges"):
            offer(bob, riverside, title)
        offer(dan, riverside, "Digging")
    assert len(callbacks) == 1
    assert sorted(refreshed) == sorted([(riverside.pk, bob.pk), (riverside.pk, dan.pk)])


def test_a_rolled_back_change_refreshes_nothing_and_the_next_one_still_does(
    bob, riverside, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                offer(bob, riverside, "Pruning roses")
                raise RuntimeError("changed my mind")
        except RuntimeError:
            pass
        with transaction.atomic():
            offer(bob, riverside, "Painting fences")
    assert len(callbacks) == 1
    terms = _terms(bob)
    assert any(term.startswith("fenc") for term in terms)
    assert not any(term.startswith("prun") for term in terms)


def test_ranking_inside_the_transaction_sees_its_own_changes(alice, bob, riverside):
    request = ask(alice, riverside, "Help pruning my roses")
    with transaction.atomic():
        offer(bob, riverside, "Pruning roses")
        names = [c.person.username for c in candidates_for_request(request) if c.person]
    assert "bob" in names
