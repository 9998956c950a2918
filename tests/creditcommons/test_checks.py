"""`coproduce ledger verify` checks every remote transaction's bookings."""

from __future__ import annotations

from coproduce.creditcommons.models import RemoteTransaction, Status
from coproduce.creditcommons.sending import payment_send
from coproduce.ledger.selectors import ledger_verify


def _pay(riverside, alice):
    return payment_send(
        timebank=riverside,
        payer=alice,
        address="trunk/henry",
        minutes=60,
        description="",
        acting=alice,
    )


def test_ledger_verify_holds_after_a_payment_and_a_pending_one(linked, riverside, alice, peer):
    _pay(riverside, alice)
    peer.down = True
    assert _pay(riverside, alice).is_pending
    assert ledger_verify().ok


def test_a_pending_transaction_marked_completed_without_its_booking_is_found(
    linked, riverside, alice, peer
):
    peer.down = True
    sent = _pay(riverside, alice)
    RemoteTransaction.objects.filter(pk=sent.pk).update(status=Status.COMPLETED)
    report = ledger_verify()
    assert not report.ok
    assert any(str(sent.uuid) in problem for problem in report.problems)
    assert any("holds 60 minutes, but its pending payments come to 0" in p for p in report.problems)
